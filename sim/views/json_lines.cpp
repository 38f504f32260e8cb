#include "tcpsim/views/json_lines.hpp"

#include <nlohmann/json.hpp>

namespace tcpsim {
namespace {

using Json = nlohmann::ordered_json;

void write_line(const Json& j, std::ostream& out) {
    // Labels and fault texts come from the user; never throw on a stray byte.
    out << j.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

std::string host_name(const Trace& trace, std::uint16_t host) {
    return host < trace.hosts().size() ? trace.hosts()[host].name : "?";
}

void add_segment_fields(Json& j, const TraceEvent& e) {
    j["flags"] = to_string(e.flags);
    j["seq"] = e.seq.v;
    j["ack"] = e.ack.v;
    j["len"] = e.len;
}

void add_segment(Json& j, const TraceEvent& e) {
    j["event"] = to_string(e.segment_event);
    add_segment_fields(j, e);
    j["win"] = e.win;
    if (e.mss) j["mss"] = *e.mss;
    if (e.ts) {
        j["tsval"] = e.ts->val;
        j["tsecr"] = e.ts->ecr;
    }
    switch (e.segment_event) {
        case SegmentEvent::Send:
        case SegmentEvent::Deliver:
            break;
        case SegmentEvent::Drop:
        case SegmentEvent::Duplicate:
            j["reason"] = e.reason;
            break;
        case SegmentEvent::Delay:
            j["reason"] = e.reason;
            j["delay_ns"] = e.delay.ns;
            break;
    }
}

void add_state(Json& j, const TraceEvent& e) {
    j["from"] = to_string(e.from);
    j["to"] = to_string(e.to);
    j["cause"] = e.cause.event;
    j["clause"] = e.cause.clause;
    if (e.error != Errno::Ok) j["error"] = to_string(e.error);
}

void add_timer(Json& j, const TraceEvent& e) {
    j["timer"] = to_string(e.timer);
    j["action"] = to_string(e.action);
    switch (e.action) {
        case TimerAction::Set:
        case TimerAction::Restart:
            j["expires_ns"] = e.expires.ns;
            break;
        case TimerAction::Cancel:
        case TimerAction::Expire:
            break;
    }
}

void add_call(Json& j, const TraceEvent& e) {
    j["call"] = to_string(e.call);
    if (e.error != Errno::Ok) {
        j["result"] = to_string(e.error);
    } else {
        j["result"] = e.value;
    }
    if (e.call == CallKind::Recv) j["integrity"] = e.integrity_ok;
}

// A Link event: "fault" (a scripted fault hit the segment) or "nat" (a NAT mapped it).
void add_link(Json& j, const Trace& trace, const TraceEvent& e) {
    const std::string_view what = std::string_view(e.reason) == "nat" ? "nat" : "fault";
    j["event"] = what;
    j[std::string(what)] = trace.text(e.text);
    add_segment_fields(j, e);
}

}  // namespace

void write_json_lines(const Trace& trace, std::ostream& out) {
    Json start;
    start["t_ns"] = 0;
    start["type"] = "run";
    start["event"] = "start";
    Json hosts = Json::array();
    for (const TraceHost& h : trace.hosts()) {
        Json host;
        host["name"] = h.name;
        host["ip"] = to_string(h.ip);
        host["profile"] = h.profile;
        hosts.push_back(std::move(host));
    }
    start["hosts"] = std::move(hosts);
    write_line(start, out);

    for (const TraceEvent& e : trace.events()) {
        Json j;
        j["t_ns"] = e.t.ns;
        j["type"] = to_string(e.kind);
        j["host"] = host_name(trace, e.host);
        if (e.socket != kNoSocket) j["socket"] = trace.socket_label(e.socket);
        if (e.has_conn) j["conn"] = to_string(e.conn);
        switch (e.kind) {
            case TraceKind::Segment:
                add_segment(j, e);
                break;
            case TraceKind::State:
                add_state(j, e);
                break;
            case TraceKind::Timer:
                add_timer(j, e);
                break;
            case TraceKind::Call:
                add_call(j, e);
                break;
            case TraceKind::Link:
                add_link(j, trace, e);
                break;
            case TraceKind::Counter:
                j["counter"] = trace.text(e.text);
                j["value"] = e.value;
                break;
        }
        write_line(j, out);
    }

    const TraceSummary& s = trace.summary();
    Json end;
    end["t_ns"] = s.end_time.ns;
    end["type"] = "run";
    end["event"] = "end";
    end["reason"] = to_string(s.end);
    end["events"] = s.events_run;
    write_line(end, out);
}

}  // namespace tcpsim
