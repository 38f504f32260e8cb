// Where a run's events go, and how they reach the views.
//
// The world writes to a TraceSink. A TraceStream hands each event to its views as it is
// recorded and keeps none of them, so a view that needs little (a count, the state of a
// few sockets) runs in flat memory however long the run; `Trace` (trace.hpp) keeps every
// event, for tests and small runs.
//
//   TraceStream stream;
//   TimelineView timeline(std::cout, options);
//   stream.add(timeline);
//   World world(scenario, stream);
//   world.run();                      // begin, every event, finish reach the timeline
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tcpsim/trace/event.hpp"
#include "tcpsim/trace/names.hpp"

namespace tcpsim {

// How the run ended, recorded once at the end.
enum class RunEnd : std::uint8_t { Quiescent, DurationReached, TimeCap, EventCap };
std::string_view to_string(RunEnd e);

struct TraceSummary {
    RunEnd end = RunEnd::Quiescent;
    Time end_time;
    std::uint64_t events_run = 0;
};

class TraceSink {
public:
    virtual ~TraceSink() = default;

    // Names the events refer to; the world sets them up before begin().
    void set_hosts(std::vector<TraceHost> hosts) { names_.hosts = std::move(hosts); }
    std::uint16_t add_nat(std::string name);
    std::int32_t add_fault(std::string description);
    // Socket names are interned: events carry a small index.
    std::int32_t intern_socket(std::string_view name);
    const TraceNames& names() const { return names_; }

    // Before the first event.
    virtual void begin() {}
    virtual void record(const TraceEvent& e) = 0;
    virtual void finish(const TraceSummary& summary) = 0;

private:
    TraceNames names_;
    std::unordered_map<std::string, std::int32_t> socket_index_;  // lookup only, never iterated
};

// A consumer of the stream: a view or a verdict. It keeps only what it needs.
class TraceView {
public:
    virtual ~TraceView() = default;
    // `names` stays valid (and may grow) until on_finish.
    virtual void on_begin(const TraceNames& names) { (void)names; }
    virtual void on_event(const TraceEvent& e) = 0;
    virtual void on_finish(const TraceSummary& summary) { (void)summary; }
};

class TraceStream final : public TraceSink {
public:
    // Views are fed in the order they were added; they must outlive the run.
    void add(TraceView& view) { views_.push_back(&view); }

    void begin() override;
    void record(const TraceEvent& e) override;
    void finish(const TraceSummary& summary) override;

private:
    std::vector<TraceView*> views_;
};

// Counts events and keeps nothing (benchmarks).
class CountingSink final : public TraceSink {
public:
    void record(const TraceEvent&) override { ++count_; }
    void finish(const TraceSummary& summary) override { summary_ = summary; }

    std::uint64_t count() const { return count_; }
    const TraceSummary& summary() const { return summary_; }

private:
    std::uint64_t count_ = 0;
    TraceSummary summary_;
};

}  // namespace tcpsim
