#include "tcpsim/views/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "tcpsim/views/escape.hpp"
#include "tcpsim/views/explanation.hpp"
#include "tcpsim/views/wire_packet.hpp"

namespace tcpsim {
namespace {

constexpr std::size_t kTimeWidth = 14;  // stays aligned up to "9999.999999999"

// ANSI SGR codes; empty when colour is off.
struct Palette {
    bool on = false;
    std::string_view paint(std::string_view code) const { return on ? code : std::string_view(); }
    std::string_view reset() const { return on ? "\x1b[0m" : ""; }
};
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kRed = "\x1b[1;31m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kMagenta = "\x1b[35m";
constexpr std::string_view kBlue = "\x1b[34m";

std::string flags_text(Flags f) {
    std::string s = to_string(f);
    return s.empty() ? "NONE" : s;
}

std::string_view segment_colour(SegmentEvent e) {
    switch (e) {
        case SegmentEvent::Send: return kGreen;
        case SegmentEvent::Deliver: return kCyan;
        case SegmentEvent::Drop: return kRed;
        case SegmentEvent::Duplicate:
        case SegmentEvent::Delay: return kYellow;
    }
    return "";
}

void append_segment_fields(std::string& line, const TraceEvent& e, const RelativeSeq& rel, bool absolute) {
    const RelativeSeq::Numbers n = absolute ? RelativeSeq::Numbers{e.seq.v, e.ack.v} : rel.of(e);
    fmt::format_to(std::back_inserter(line), "seq={} ack={} len={} win={}", n.seq, n.ack, e.len, e.win);
    // The options in the order the sender's stack put them on the wire.
    const SegmentOptions& o = e.options;
    for (OptionKind kind : option_order(o, e.flags).view()) {
        switch (kind) {
            case OptionKind::Mss: fmt::format_to(std::back_inserter(line), " mss={}", *o.mss); break;
            case OptionKind::WindowScale: fmt::format_to(std::back_inserter(line), " wscale={}", *o.wscale); break;
            case OptionKind::SackPermitted: line += " sackOK"; break;
            case OptionKind::Timestamps:
                fmt::format_to(std::back_inserter(line), " ts={}/{}", o.timestamp->val, o.timestamp->ecr);
                break;
        }
    }
}

void append_cause(std::string& line, Cause cause) {
    const CauseText c = describe(cause);
    if (c.event.empty() && c.clause.empty()) return;
    line += "  ";
    line += c.event;
    if (!c.clause.empty()) fmt::format_to(std::back_inserter(line), "{}({})", c.event.empty() ? "" : " ", c.clause);
}

// Segments read in wire direction (sender > receiver); other events local-remote.
std::string conn_text(const TraceEvent& e) {
    const bool received = (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Deliver) ||
                          (e.kind == TraceKind::Decision && e.segment != 0);
    switch (e.kind) {
        case TraceKind::Segment:
        case TraceKind::Link:
        case TraceKind::Decision:
            if (received) return to_string(e.conn.remote) + " > " + to_string(e.conn.local);
            if (e.kind == TraceKind::Decision) return to_string(e.conn);
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
            return fmt::format("-- run stopped by the simulated-time cap (raise /limits/time) {}", when);
        case RunEnd::EventCap:
            return fmt::format("-- run stopped by the event cap (raise /limits/events) {}", when);
    }
    return "";
}

}  // namespace

TimelineView::TimelineView(std::ostream& out, TimelineOptions options)
    : out_(out), options_(std::move(options)), filter_(options_) {}

void TimelineView::on_begin(const TraceNames& names) {
    names_ = &names;
    for (const TraceHost& h : names.hosts) host_width_ = std::max(host_width_, h.name.size());
    for (const std::string& s : names.sockets) socket_width_ = std::max(socket_width_, s.size());
    filter_.resolve(names);
}

void TimelineView::on_event(const TraceEvent& e) {
    relative_.learn(e);
    if (!filter_.keep(e)) return;
    const Palette p{options_.color};
    line_.clear();
    std::string& line = line_;
    fmt::format_to(std::back_inserter(line), "{}{:>{}}{}  {:<{}}  {:<{}}  ", p.paint(kDim), format_seconds(e.t),
                   kTimeWidth, p.reset(), names_->host_name(e.host), host_width_, names_->socket_label(e.socket),
                   socket_width_);
    switch (e.kind) {
        case TraceKind::Segment:
            fmt::format_to(std::back_inserter(line), "{}{:<9}{} {:<7}  ", p.paint(segment_colour(e.segment_event)),
                           to_string(e.segment_event), p.reset(), flags_text(e.flags));
            append_segment_fields(line, e, relative_, options_.absolute);
            switch (e.segment_event) {
                case SegmentEvent::Send:
                case SegmentEvent::Deliver:
                    break;
                case SegmentEvent::Drop:
                case SegmentEvent::Duplicate:
                    fmt::format_to(std::back_inserter(line), " ({})", to_string(e.reason));
                    break;
                case SegmentEvent::Delay:
                    fmt::format_to(std::back_inserter(line), " ({} +{})", to_string(e.reason), format_duration(e.delay));
                    break;
            }
            break;
        case TraceKind::State:
            fmt::format_to(std::back_inserter(line), "{}{} -> {}{}", p.paint(kBold), to_string(e.from),
                           to_string(e.to), p.reset());
            append_cause(line, e.cause);
            if (e.error != Errno::Ok) fmt::format_to(std::back_inserter(line), " {}", to_string(e.error));
            break;
        case TraceKind::Timer:
            fmt::format_to(std::back_inserter(line), "{}timer {} {}", p.paint(kDim), to_string(e.timer),
                           to_string(e.action));
            if (e.action == TimerAction::Set || e.action == TimerAction::Restart)
                fmt::format_to(std::back_inserter(line), ", expires {}", format_seconds(e.expires));
            line += p.reset();
            break;
        case TraceKind::Call:
            fmt::format_to(std::back_inserter(line), "{}call {}{} -> ", p.paint(kBlue), to_string(e.call), p.reset());
            line += e.error != Errno::Ok ? std::string(to_string(e.error)) : std::to_string(e.value);
            if (e.call == CallKind::Recv && !e.integrity_ok) line += " (integrity FAILED)";
            break;
        case TraceKind::Link:
            switch (e.link) {
                case LinkEvent::Fault:
                    fmt::format_to(std::back_inserter(line), "{}fault{} \"{}\" hit {}  ", p.paint(kYellow), p.reset(),
                                   terminal_safe(names_->fault(e.fault)), flags_text(e.flags));
                    append_segment_fields(line, e, relative_, options_.absolute);
                    break;
                case LinkEvent::NatMapping:
                    fmt::format_to(std::back_inserter(line), "{} (for {})", names_->nat_mapping(e),
                                   flags_text(e.flags));
                    break;
            }
            break;
        case TraceKind::Counter:
            fmt::format_to(std::back_inserter(line), "counter {} = {}", to_string(e.counter), e.value);
            break;
        case TraceKind::Decision:
            // A decision follows the delivery of the segment it is about, so the segment's
            // fields are on the line above.
            fmt::format_to(std::back_inserter(line), "{}{:<9}{} ", p.paint(kMagenta), "decision", p.reset());
            line += describe(e.cause).event;
            fmt::format_to(std::back_inserter(line), " ({})", describe(e.cause).clause);
            if (e.cause == Cause::PortsExhausted) {
                fmt::format_to(std::back_inserter(line), ": {} ports, {} by connections, {} by TIME-WAIT, {} bound",
                               e.ports.range, e.ports.connections, e.ports.time_wait, e.ports.bound);
            }
            break;
    }
    if (e.has_conn) {
        // A socket's connection shows when it first appears or changes, not on every line;
        // keyed by socket name so the table stays as small as the scenario.
        bool show = true;
        if (e.socket.valid()) {
            const Shown now{e.socket.instance, e.conn};
            auto [it, inserted] = shown_.try_emplace({e.host, e.socket.name}, now);
            show = inserted || !(it->second == now);
            it->second = now;
        }
        if (show) fmt::format_to(std::back_inserter(line), "   {}", conn_text(e));
    }
    line += '\n';
    if (options_.explain && (e.kind == TraceKind::State || e.kind == TraceKind::Decision) &&
        e.cause != Cause::None) {
        fmt::format_to(std::back_inserter(line), "{:>{}}  {}why: {}{}\n", "", kTimeWidth, p.paint(kDim), explain(e),
                       p.reset());
    }
    out_ << line;
}

void TimelineView::on_finish(const TraceSummary& summary) { out_ << ending(summary) << '\n'; }

}  // namespace tcpsim
