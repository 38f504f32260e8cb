// The terminal timeline: one line per trace event, simulated time first, written as the
// run goes (nothing is kept but the relative-sequence table).
//
//   61.010000000  client  c  FIN_WAIT_2 -> TIME_WAIT  rcv FIN (RFC 9293 3.10.7.4)
//
// Sequence numbers are relative (each direction's ISN is 0) unless `absolute`. Filters
// keep the lines of one host, one socket ("s", "s.2", "s.*") and a time window. With
// `explain`, each state change and decision is followed by a sentence on why.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "tcpsim/trace/sink.hpp"
#include "tcpsim/views/event_filter.hpp"
#include "tcpsim/views/relative_seq.hpp"

namespace tcpsim {

// The filters (host, socket, from, until) are the shared EventFilter's.
struct TimelineOptions : EventFilterOptions {
    bool absolute = false;  // raw sequence numbers
    bool color = false;     // ANSI colours (the CLI turns them on for a terminal)
    bool explain = false;
};

class TimelineView final : public TraceView {
public:
    TimelineView(std::ostream& out, TimelineOptions options);

    void on_begin(const TraceNames& names) override;
    void on_event(const TraceEvent& e) override;
    void on_finish(const TraceSummary& summary) override;

    // Set when a filter names a host or socket the run does not have (the CLI reports it).
    const std::string& filter_problem() const { return filter_.problem(); }

private:
    std::ostream& out_;
    TimelineOptions options_;
    const TraceNames* names_ = nullptr;
    EventFilter filter_;
    std::size_t host_width_ = 1;
    std::size_t socket_width_ = 1;
    RelativeSeq relative_;
    struct Shown {
        std::uint32_t instance = 0;
        FourTuple conn;
        bool operator==(const Shown&) const = default;
    };
    std::map<std::pair<std::uint16_t, std::int32_t>, Shown> shown_;  // (host, socket name)
    std::string line_;
};

}  // namespace tcpsim
