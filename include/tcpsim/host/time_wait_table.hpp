// The host's TIME-WAIT entries, keyed by four-tuple (local first). Lookup only: nothing
// iterates it, so its hash order never reaches output.
#pragma once

#include <cstddef>
#include <unordered_map>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/tcp/time_wait.hpp"

namespace tcpsim {

struct TimeWaitEntry {
    TimeWaitRecord record;
    TimerHandle timer;
};

class TimeWaitTable {
public:
    TimeWaitEntry* find(const FourTuple& t) {
        auto it = entries_.find(t);
        return it == entries_.end() ? nullptr : &it->second;
    }
    // References stay valid until the entry is erased.
    TimeWaitEntry& insert(const FourTuple& t, const TimeWaitRecord& r) {
        return entries_[t] = TimeWaitEntry{r, {}};
    }
    void erase(const FourTuple& t) { entries_.erase(t); }
    bool contains(const FourTuple& t) const { return entries_.count(t) != 0; }
    std::size_t size() const { return entries_.size(); }

private:
    std::unordered_map<FourTuple, TimeWaitEntry, FourTupleHash> entries_;
};

}  // namespace tcpsim
