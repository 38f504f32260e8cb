// The host's TIME-WAIT entries, keyed by four-tuple (local first). Lookup by key; the
// few whole-table walks (bind conflicts, reboot) either compute a yes/no or sort first,
// so hash order never reaches output.
#pragma once

#include <algorithm>
#include <cstddef>
#include <unordered_map>
#include <vector>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/tcp/time_wait.hpp"

namespace tcpsim {

struct TimeWaitEntry {
    TimeWaitRecord record;
    TimerHandle timer;
    bool bound = false;  // the port came from an explicit bind (or a listener)
};

class TimeWaitTable {
public:
    TimeWaitEntry* find(const FourTuple& t) {
        auto it = entries_.find(t);
        return it == entries_.end() ? nullptr : &it->second;
    }
    // References stay valid until the entry is erased.
    TimeWaitEntry& insert(const FourTuple& t, const TimeWaitRecord& r, bool bound) {
        return entries_[t] = TimeWaitEntry{r, {}, bound};
    }
    void erase(const FourTuple& t) { entries_.erase(t); }
    bool contains(const FourTuple& t) const { return entries_.count(t) != 0; }
    std::size_t size() const { return entries_.size(); }

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
    std::unordered_map<FourTuple, TimeWaitEntry, FourTupleHash> entries_;
};

}  // namespace tcpsim
