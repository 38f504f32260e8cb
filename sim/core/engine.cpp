#include "tcpsim/core/engine.hpp"

#include <algorithm>
#include <cassert>

namespace tcpsim {

TimerHandle Engine::schedule(Time at, Callback cb) {
    assert(at >= now_ && "events cannot be scheduled in the past");
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& s = slots_[slot];
    s.cb = std::move(cb);
    s.live = true;
    heap_.push_back({at.ns, next_seq_++, slot, s.generation});
    std::push_heap(heap_.begin(), heap_.end(), later);
    return {slot, s.generation};
}

void Engine::cancel(TimerHandle& h) {
    if (pending(h)) {
        Slot& s = slots_[h.slot];
        s.cb = nullptr;
        s.live = false;
        ++s.generation;
        free_slots_.push_back(h.slot);
    }
    h = TimerHandle{};
}

bool Engine::pending(const TimerHandle& h) const {
    return h.valid() && h.slot < slots_.size() && slots_[h.slot].live &&
           slots_[h.slot].generation == h.generation;
}

StopReason Engine::run(Time until, std::uint64_t max_events) {
    while (!heap_.empty()) {
        const Entry top = heap_.front();
        Slot& s = slots_[top.slot];
        if (!s.live || s.generation != top.generation) {
            // A cancelled event: its slot may already serve a newer one.
            std::pop_heap(heap_.begin(), heap_.end(), later);
            heap_.pop_back();
            continue;
        }
        if (top.at > until.ns) return StopReason::TimeLimit;
        if (events_run_ >= max_events) return StopReason::EventLimit;
        std::pop_heap(heap_.begin(), heap_.end(), later);
        heap_.pop_back();
        Callback cb = std::move(s.cb);
        s.cb = nullptr;
        s.live = false;
        ++s.generation;
        free_slots_.push_back(top.slot);
        now_ = Time{top.at};
        ++events_run_;
        cb();
    }
    return StopReason::QueueEmpty;
}

}  // namespace tcpsim
