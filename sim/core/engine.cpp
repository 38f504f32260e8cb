#include "tcpsim/core/engine.hpp"

#include "tcpsim/core/error.hpp"

namespace tcpsim {

void Engine::place(std::size_t pos, const Entry& e) {
    heap_[pos] = e;
    slots_[e.slot].heap_pos = static_cast<std::uint32_t>(pos);
}

void Engine::sift_up(std::size_t pos) {
    const Entry e = heap_[pos];
    while (pos > 0) {
        const std::size_t parent = (pos - 1) / 2;
        if (!earlier(e, heap_[parent])) break;
        place(pos, heap_[parent]);
        pos = parent;
    }
    place(pos, e);
}

void Engine::sift_down(std::size_t pos) {
    const Entry e = heap_[pos];
    const std::size_t n = heap_.size();
    for (;;) {
        std::size_t child = 2 * pos + 1;
        if (child >= n) break;
        if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
        if (!earlier(heap_[child], e)) break;
        place(pos, heap_[child]);
        pos = child;
    }
    place(pos, e);
}

void Engine::remove_at(std::size_t pos) {
    slots_[heap_[pos].slot].heap_pos = kNotQueued;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (pos == heap_.size()) return;
    place(pos, last);
    if (pos > 0 && earlier(last, heap_[(pos - 1) / 2]))
        sift_up(pos);
    else
        sift_down(pos);
}

void Engine::release(std::uint32_t slot) {
    Slot& s = slots_[slot];
    s.cb = nullptr;
    ++s.generation;
    free_slots_.push_back(slot);
}

TimerHandle Engine::schedule(Time at, Callback cb) {
    // Not an assert: that vanishes from Release and lets the clock run backwards.
    if (at < now_)
        throw InternalError("event scheduled at " + format_seconds(at) + " s, before now (" +
                            format_seconds(now_) + " s)");
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot].cb = std::move(cb);
    heap_.push_back({at.ns, next_seq_++, slot});
    sift_up(heap_.size() - 1);
    return {slot, slots_[slot].generation};
}

void Engine::cancel(TimerHandle& h) {
    if (pending(h)) {
        remove_at(slots_[h.slot].heap_pos);
        release(h.slot);
    }
    h = TimerHandle{};
}

bool Engine::pending(const TimerHandle& h) const {
    return h.valid() && h.slot < slots_.size() && slots_[h.slot].generation == h.generation &&
           slots_[h.slot].heap_pos != kNotQueued;
}

StopReason Engine::run(Time until, std::uint64_t max_events) {
    while (!heap_.empty()) {
        const Entry top = heap_.front();
        if (top.at > until.ns) return StopReason::TimeLimit;
        if (events_run_ >= max_events) return StopReason::EventLimit;
        remove_at(0);
        Callback cb = std::move(slots_[top.slot].cb);
        release(top.slot);
        now_ = Time{top.at};
        ++events_run_;
        cb();
    }
    return StopReason::QueueEmpty;
}

}  // namespace tcpsim
