#include "tcpsim/views/json_lines.hpp"

#include <nlohmann/json.hpp>

namespace tcpsim {
namespace {

using Json = nlohmann::ordered_json;

void write_line(const Json& j, std::ostream& out) {
    // Names and fault texts come from the user; never throw on a stray byte.
    out << j.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

void add_segment_fields(Json& j, const TraceEvent& e) {
    j["id"] = e.segment;
    j["flags"] = to_string(e.flags);
    j["seq"] = e.seq.v;
    j["ack"] = e.ack.v;
    j["len"] = e.len;
}

void add_options(Json& j, const SegmentOptions& o) {
    if (o.mss) j["mss"] = *o.mss;
    if (o.wscale) j["wscale"] = *o.wscale;
    if (o.sack_permitted) j["sack_permitted"] = true;
    if (o.timestamp) {
        j["tsval"] = o.timestamp->val;
        j["tsecr"] = o.timestamp->ecr;
    }
}

void add_segment(Json& j, const TraceEvent& e) {
    j["event"] = to_string(e.segment_event);
    add_segment_fields(j, e);
    j["win"] = e.win;
    add_options(j, e.options);
    switch (e.segment_event) {
        case SegmentEvent::Send:
        case SegmentEvent::Deliver:
            break;
        case SegmentEvent::Drop:
        case SegmentEvent::Duplicate:
            j["reason"] = to_string(e.reason);
            break;
        case SegmentEvent::Delay:
            j["reason"] = to_string(e.reason);
            j["delay_ns"] = e.delay.ns;
            break;
    }
}

void add_cause(Json& j, Cause cause) {
    const CauseText c = describe(cause);
    j["cause"] = c.event;
    j["clause"] = c.clause;
    j["rule"] = c.id;
}

void add_state(Json& j, const TraceEvent& e) {
    j["from"] = to_string(e.from);
    j["to"] = to_string(e.to);
    add_cause(j, e.cause);
    if (e.error != Errno::Ok) j["error"] = to_string(e.error);
    if (e.length.ns > 0) j["length_ns"] = e.length.ns;
}

void add_timer(Json& j, const TraceEvent& e) {
    j["timer"] = to_string(e.timer);
    j["action"] = to_string(e.action);
    if (e.action == TimerAction::Set || e.action == TimerAction::Restart) j["expires_ns"] = e.expires.ns;
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

void add_link(Json& j, const TraceNames& names, const TraceEvent& e) {
    switch (e.link) {
        case LinkEvent::Fault:
            j["event"] = "fault";
            j["fault"] = names.fault(e.fault);
            break;
        case LinkEvent::NatMapping:
            j["event"] = "nat";
            j["nat"] = names.nat_mapping(e);
            j["nat_name"] = names.nat(e.nat);
            j["public"] = to_string(e.mapped);
            break;
    }
    add_segment_fields(j, e);
}

void add_decision(Json& j, const TraceEvent& e) {
    j["decision"] = describe(e.cause).id;
    add_cause(j, e.cause);
    if (e.segment != 0) {
        add_segment_fields(j, e);
        j["win"] = e.win;
        add_options(j, e.options);
    }
    if (e.cause == Cause::PortsExhausted) {
        j["ports"] = {{"range", e.ports.range},
                      {"connections", e.ports.connections},
                      {"time_wait", e.ports.time_wait},
                      {"bound", e.ports.bound}};
    }
}

}  // namespace

void JsonLinesView::on_begin(const TraceNames& names) {
    names_ = &names;
    Json start;
    start["t_ns"] = 0;
    start["type"] = "run";
    start["event"] = "start";
    Json hosts = Json::array();
    for (const TraceHost& h : names.hosts) {
        Json host;
        host["name"] = h.name;
        host["ip"] = to_string(h.ip);
        host["profile"] = h.profile;
        hosts.push_back(std::move(host));
    }
    start["hosts"] = std::move(hosts);
    write_line(start, out_);
}

void JsonLinesView::on_event(const TraceEvent& e) {
    Json j;
    j["t_ns"] = e.t.ns;
    j["type"] = to_string(e.kind);
    j["host"] = names_->host_name(e.host);
    if (e.socket.valid()) j["socket"] = names_->socket_label(e.socket);
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
            add_link(j, *names_, e);
            break;
        case TraceKind::Counter:
            j["counter"] = to_string(e.counter);
            j["value"] = e.value;
            break;
        case TraceKind::Decision:
            add_decision(j, e);
            break;
    }
    write_line(j, out_);
}

void JsonLinesView::on_finish(const TraceSummary& s) {
    Json end;
    end["t_ns"] = s.end_time.ns;
    end["type"] = "run";
    end["event"] = "end";
    end["reason"] = to_string(s.end);
    end["events"] = s.events_run;
    write_line(end, out_);
}

}  // namespace tcpsim
