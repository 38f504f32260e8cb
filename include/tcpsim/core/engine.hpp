// The discrete-event engine: a queue of callbacks ordered by (time, insertion sequence).
//
// Equal-time events run first-in first-out, so a run is a pure function of its inputs.
// `schedule` returns a handle that `cancel` accepts at any time, even after the event ran
// (then it does nothing), so owners never hold dangling callbacks.
//
//   Engine engine;
//   TimerHandle h = engine.schedule(engine.now() + seconds(1), [&] { ... });
//   engine.cancel(h);
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "tcpsim/core/time.hpp"

namespace tcpsim {

struct TimerHandle {
    std::uint32_t slot = UINT32_MAX;
    std::uint32_t generation = 0;

    bool valid() const { return slot != UINT32_MAX; }
};

// Why Engine::run stopped.
enum class StopReason { QueueEmpty, TimeLimit, EventLimit };

class Engine {
public:
    using Callback = std::function<void()>;

    Time now() const { return now_; }

    // Runs `cb` at `at`; an `at` earlier than now is a bug in the caller (InternalError).
    TimerHandle schedule(Time at, Callback cb);
    // Cancels a pending event; a stale or empty handle is ignored. Resets `h`.
    void cancel(TimerHandle& h);
    bool pending(const TimerHandle& h) const;

    // Runs events until the queue is empty, the next event lies after `until`, or
    // `max_events` events have run. The clock ends at the last event run.
    StopReason run(Time until, std::uint64_t max_events);

    std::uint64_t events_run() const { return events_run_; }
    std::size_t queued() const { return heap_.size(); }

private:
    // The queue is a binary heap that knows where each event sits, so a cancelled timer
    // leaves at once instead of waiting in the heap until its time (a cancelled 60 s
    // FIN_WAIT_2 timer per connection would otherwise fill it).
    struct Entry {
        std::int64_t at;
        std::uint64_t seq;
        std::uint32_t slot;
    };
    static constexpr std::uint32_t kNotQueued = UINT32_MAX;
    struct Slot {
        Callback cb;
        std::uint32_t generation = 0;
        std::uint32_t heap_pos = kNotQueued;
    };
    static bool earlier(const Entry& a, const Entry& b) {
        return a.at != b.at ? a.at < b.at : a.seq < b.seq;
    }
    void place(std::size_t pos, const Entry& e);
    void sift_up(std::size_t pos);
    void sift_down(std::size_t pos);
    void remove_at(std::size_t pos);
    void release(std::uint32_t slot);

    Time now_{};
    std::uint64_t next_seq_ = 0;
    std::uint64_t events_run_ = 0;
    std::vector<Entry> heap_;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
};

}  // namespace tcpsim
