// The host's TIME-WAIT entries, keyed by four-tuple (local first), and their expiry order.
//
// Entries of one host nearly always share one length, so they expire in the order they
// were (re)armed: a queue sorted by expiry is appended to in O(1), and the host needs a
// single engine event for its head however many entries are live (as Linux's timewait
// timers sit in a wheel, not one heap). A restart appends again; the older queue item
// goes stale and is skipped. Lookup is by key; the few whole-table walks (bind
// conflicts, reboot) either compute a yes/no or sort first, so hash order never reaches
// output.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tcpsim/core/time.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/tcp/time_wait.hpp"

namespace tcpsim {

struct TimeWaitEntry {
    TimeWaitRecord record;
    bool bound = false;  // the port came from an explicit bind (or a listener)
};

class TimeWaitTable {
public:
    TimeWaitEntry* find(const FourTuple& t) {
        auto it = entries_.find(t);
        return it == entries_.end() ? nullptr : &it->second;
    }
    // Adds the entry, due at record.expires. References stay valid until it is erased.
    TimeWaitEntry& insert(const FourTuple& t, const TimeWaitRecord& r, bool bound) {
        TimeWaitEntry& e = entries_[t] = TimeWaitEntry{r, bound};
        enqueue(t, r.expires);
        return e;
    }
    // Moves the entry's expiry (a restart).
    void rearm(const FourTuple& t, Time expires) {
        entries_.at(t).record.expires = expires;
        enqueue(t, expires);
    }
    void erase(const FourTuple& t) { entries_.erase(t); }
    bool contains(const FourTuple& t) const { return entries_.count(t) != 0; }
    std::size_t size() const { return entries_.size(); }

    // The earliest live expiry, if any.
    std::optional<Time> next_expiry() {
        drop_stale();
        if (queue_.empty()) return std::nullopt;
        return queue_.front().first;
    }
    // An entry due at or before `now`, if any (the caller ends it).
    std::optional<FourTuple> pop_due(Time now) {
        drop_stale();
        if (queue_.empty() || queue_.front().first > now) return std::nullopt;
        const FourTuple t = queue_.front().second;
        queue_.pop_front();
        return t;
    }

    // True when some entry satisfies `pred` (order-free).
    template <typename Pred>
    bool any_of(Pred pred) const {
        return std::any_of(entries_.begin(), entries_.end(),
                           [&](const auto& kv) { return pred(kv.first, kv.second); });
    }
    std::vector<FourTuple> sorted_keys() const {
        std::vector<FourTuple> keys;
        keys.reserve(entries_.size());
        for (const auto& kv : entries_) keys.push_back(kv.first);
        std::sort(keys.begin(), keys.end());
        return keys;
    }

private:
    using Item = std::pair<Time, FourTuple>;

    void enqueue(const FourTuple& t, Time expires) {
        if (queue_.empty() || queue_.back().first <= expires) {
            queue_.emplace_back(expires, t);
            return;
        }
        // Rare: a shorter TIME-WAIT than the last one queued (tw_recycle's 3.5 RTO).
        auto at = std::upper_bound(queue_.begin(), queue_.end(), expires,
                                   [](Time x, const Item& i) { return x < i.first; });
        queue_.emplace(at, expires, t);
    }
    // Items whose entry is gone or was re-armed to another time are stale.
    void drop_stale() {
        while (!queue_.empty()) {
            auto it = entries_.find(queue_.front().second);
            if (it != entries_.end() && it->second.record.expires == queue_.front().first) return;
            queue_.pop_front();
        }
    }

    std::unordered_map<FourTuple, TimeWaitEntry, FourTupleHash> entries_;
    std::deque<Item> queue_;
};

}  // namespace tcpsim
