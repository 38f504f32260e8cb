// A whole run kept in memory: every event, for tests and for looking back at small runs.
// Views consume it with `replay`, exactly as they would consume the live stream.
//
//   Trace trace;
//   World(scenario, trace).run();
//   TimelineView timeline(std::cout, {});
//   replay(trace, timeline);
#pragma once

#include <initializer_list>
#include <vector>

#include "tcpsim/trace/sink.hpp"

namespace tcpsim {

class Trace final : public TraceSink {
public:
    // The payload is not kept (it is only borrowed while the event is recorded).
    void record(const TraceEvent& e) override;
    void finish(const TraceSummary& summary) override { summary_ = summary; }

    const std::vector<TraceEvent>& events() const { return events_; }
    const TraceSummary& summary() const { return summary_; }

private:
    std::vector<TraceEvent> events_;
    TraceSummary summary_;
};

// Feeds a kept trace to views: on_begin, every event, on_finish.
void replay(const Trace& trace, std::initializer_list<TraceView*> views);
inline void replay(const Trace& trace, TraceView& view) { replay(trace, {&view}); }

}  // namespace tcpsim
