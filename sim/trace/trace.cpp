#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

void Trace::record(const TraceEvent& e) {
    events_.push_back(e);
    events_.back().payload = {};
}

void replay(const Trace& trace, std::initializer_list<TraceView*> views) {
    for (TraceView* v : views) v->on_begin(trace.names());
    for (const TraceEvent& e : trace.events())
        for (TraceView* v : views) v->on_event(e);
    for (TraceView* v : views) v->on_finish(trace.summary());
}

}  // namespace tcpsim
