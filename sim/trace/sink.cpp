#include "tcpsim/trace/sink.hpp"

namespace tcpsim {

std::string_view to_string(RunEnd e) {
    switch (e) {
        case RunEnd::Quiescent: return "quiescent";
        case RunEnd::DurationReached: return "duration";
        case RunEnd::TimeCap: return "time_cap";
        case RunEnd::EventCap: return "event_cap";
    }
    return "?";
}

std::uint16_t TraceSink::add_nat(std::string name) {
    names_.nats.push_back(std::move(name));
    return static_cast<std::uint16_t>(names_.nats.size() - 1);
}

std::int32_t TraceSink::add_fault(std::string description) {
    names_.faults.push_back(std::move(description));
    return static_cast<std::int32_t>(names_.faults.size() - 1);
}

std::int32_t TraceSink::intern_socket(std::string_view name) {
    auto [it, inserted] =
        socket_index_.try_emplace(std::string(name), static_cast<std::int32_t>(names_.sockets.size()));
    if (inserted) names_.sockets.emplace_back(name);
    return it->second;
}

void TraceStream::begin() {
    for (TraceView* v : views_) v->on_begin(names());
}

void TraceStream::record(const TraceEvent& e) {
    for (TraceView* v : views_) v->on_event(e);
}

void TraceStream::finish(const TraceSummary& summary) {
    for (TraceView* v : views_) v->on_finish(summary);
}

}  // namespace tcpsim
