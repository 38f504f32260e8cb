#include "tcpsim/views/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <utility>

namespace tcpsim {
namespace {

constexpr std::size_t kTimeWidth = 14;  // stays aligned up to "9999.999999999"

struct Columns {
    std::size_t host = 1;
    std::size_t socket = 1;  // "-" for events without a socket
};

Columns measure(const Trace& trace) {
    Columns c;
    for (const TraceHost& h : trace.hosts()) c.host = std::max(c.host, h.name.size());
    for (const std::string& s : trace.socket_labels()) c.socket = std::max(c.socket, s.size());
    return c;
}

std::string_view host_name(const Trace& trace, std::uint16_t host) {
    return host < trace.hosts().size() ? std::string_view(trace.hosts()[host].name) : "?";
}

std::string flags_text(Flags f) {
    std::string s = to_string(f);
    return s.empty() ? "NONE" : s;
}

void append_segment_fields(std::string& line, const TraceEvent& e) {
    fmt::format_to(std::back_inserter(line), "seq={} ack={} len={} win={}", e.seq.v, e.ack.v, e.len,
                   e.win);
    if (e.mss) fmt::format_to(std::back_inserter(line), " mss={}", *e.mss);
    if (e.ts) fmt::format_to(std::back_inserter(line), " ts={}/{}", e.ts->val, e.ts->ecr);
}

void append_segment(std::string& line, const TraceEvent& e) {
    fmt::format_to(std::back_inserter(line), "{:<9} {:<7}  ", to_string(e.segment_event),
                   flags_text(e.flags));
    append_segment_fields(line, e);
    switch (e.segment_event) {
        case SegmentEvent::Send:
        case SegmentEvent::Deliver:
            break;
        case SegmentEvent::Drop:
        case SegmentEvent::Duplicate:
            fmt::format_to(std::back_inserter(line), " ({})", e.reason);
            break;
        case SegmentEvent::Delay:
            fmt::format_to(std::back_inserter(line), " ({} +{})", e.reason,
                           format_duration(e.delay));
            break;
    }
}

void append_state(std::string& line, const TraceEvent& e) {
    fmt::format_to(std::back_inserter(line), "{} -> {}", to_string(e.from), to_string(e.to));
    const std::string_view event = e.cause.event;
    const std::string_view clause = e.cause.clause;
    if (!event.empty() || !clause.empty()) line += "  ";
    line += event;
    if (!clause.empty()) {
        fmt::format_to(std::back_inserter(line), "{}({})", event.empty() ? "" : " ", clause);
    }
    if (e.error != Errno::Ok) fmt::format_to(std::back_inserter(line), " {}", to_string(e.error));
}

void append_timer(std::string& line, const TraceEvent& e) {
    fmt::format_to(std::back_inserter(line), "timer {} {}", to_string(e.timer),
                   to_string(e.action));
    switch (e.action) {
        case TimerAction::Set:
        case TimerAction::Restart:
            fmt::format_to(std::back_inserter(line), ", expires {}", format_seconds(e.expires));
            break;
        case TimerAction::Cancel:
        case TimerAction::Expire:
            break;
    }
}

void append_call(std::string& line, const TraceEvent& e) {
    fmt::format_to(std::back_inserter(line), "call {} -> ", to_string(e.call));
    if (e.error != Errno::Ok) {
        line += to_string(e.error);
    } else {
        line += std::to_string(e.value);
    }
    if (e.call == CallKind::Recv && !e.integrity_ok) line += " (integrity FAILED)";
}

// A Link event: a scripted fault hit a segment, or a NAT made a mapping for one.
void append_link(std::string& line, const Trace& trace, const TraceEvent& e) {
    if (std::string_view(e.reason) == "nat") {
        fmt::format_to(std::back_inserter(line), "{} (for {})", trace.text(e.text), flags_text(e.flags));
        return;
    }
    fmt::format_to(std::back_inserter(line), "fault \"{}\" hit {}  ", trace.text(e.text),
                   flags_text(e.flags));
    append_segment_fields(line, e);
}

void append_counter(std::string& line, const Trace& trace, const TraceEvent& e) {
    fmt::format_to(std::back_inserter(line), "counter {} = {}", trace.text(e.text), e.value);
}

// Segments read in wire direction (sender > receiver); other events local-remote.
std::string conn_text(const TraceEvent& e) {
    switch (e.kind) {
        case TraceKind::Segment:
            if (e.segment_event == SegmentEvent::Deliver) {
                return to_string(e.conn.remote) + " > " + to_string(e.conn.local);
            }
            return to_string(e.conn.local) + " > " + to_string(e.conn.remote);
        case TraceKind::Link:
            return to_string(e.conn.local) + " > " + to_string(e.conn.remote);
        case TraceKind::State:
        case TraceKind::Timer:
        case TraceKind::Call:
        case TraceKind::Counter:
            return to_string(e.conn);
    }
    return to_string(e.conn);
}

std::string_view plural(std::uint64_t n) { return n == 1 ? "" : "s"; }

std::string ending(const TraceSummary& s) {
    const std::string when = fmt::format("at {} after {} event{}", format_seconds(s.end_time),
                                         s.events_run, plural(s.events_run));
    switch (s.end) {
        case RunEnd::Quiescent:
            return fmt::format("-- run ended: quiescent {}", when);
        case RunEnd::DurationReached:
            return fmt::format("-- run ended: scenario duration reached {}", when);
        case RunEnd::TimeCap:
            return fmt::format("-- run stopped by the simulated-time cap (raise /limits/time) {}",
                               when);
        case RunEnd::EventCap:
            return fmt::format("-- run stopped by the event cap (raise /limits/events) {}", when);
    }
    return "";
}

}  // namespace

void write_timeline(const Trace& trace, std::ostream& out) {
    const Columns cols = measure(trace);
    // A socket's connection is printed the first time it shows (or changes), not on
    // every line; events without a socket always show theirs.
    std::map<std::pair<std::uint16_t, std::int32_t>, FourTuple> shown;
    std::string line;
    for (const TraceEvent& e : trace.events()) {
        line.clear();
        const std::string_view socket =
            e.socket == kNoSocket ? std::string_view("-") : trace.socket_label(e.socket);
        fmt::format_to(std::back_inserter(line), "{:>{}}  {:<{}}  {:<{}}  ", format_seconds(e.t),
                       kTimeWidth, host_name(trace, e.host), cols.host, socket, cols.socket);
        switch (e.kind) {
            case TraceKind::Segment:
                append_segment(line, e);
                break;
            case TraceKind::State:
                append_state(line, e);
                break;
            case TraceKind::Timer:
                append_timer(line, e);
                break;
            case TraceKind::Call:
                append_call(line, e);
                break;
            case TraceKind::Link:
                append_link(line, trace, e);
                break;
            case TraceKind::Counter:
                append_counter(line, trace, e);
                break;
        }
        if (e.has_conn) {
            bool show = true;
            if (e.socket != kNoSocket) {
                auto [it, inserted] = shown.try_emplace({e.host, e.socket}, e.conn);
                show = inserted || it->second != e.conn;
                it->second = e.conn;
            }
            if (show) fmt::format_to(std::back_inserter(line), "   {}", conn_text(e));
        }
        line += '\n';
        out << line;
    }
    out << ending(trace.summary()) << '\n';
}

}  // namespace tcpsim
