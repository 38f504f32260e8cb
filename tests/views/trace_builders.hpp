// Builders for hand-made traces, shared by the view tests: events written the way the
// world writes them, one call per event.
#pragma once

#include <cstdint>
#include <string>

#include "tcpsim/trace/trace.hpp"
#include "tcpsim/views/timeline.hpp"
#include "tcpsim/views/json_lines.hpp"

#include <sstream>
#include <vector>

namespace tcpsim::test {

inline constexpr std::uint16_t kClient = 0;
inline constexpr std::uint16_t kServer = 1;

inline Time ms(std::int64_t n) { return Time{} + milliseconds(n); }

inline FourTuple client_side() {
    return {{Ipv4::parse("10.0.0.1").value(), 49152}, {Ipv4::parse("10.0.0.2").value(), 80}};
}

inline Trace two_hosts(const std::string& server_profile = "linux") {
    Trace trace;
    trace.set_hosts({{"client", Ipv4::parse("10.0.0.1").value(), "linux"},
                     {"server", Ipv4::parse("10.0.0.2").value(), server_profile}});
    return trace;
}

inline TraceEvent event(TraceKind kind, std::int64_t t_ms, std::uint16_t host, SocketRef socket) {
    TraceEvent e;
    e.kind = kind;
    e.t = ms(t_ms);
    e.host = host;
    e.socket = socket;
    return e;
}

// A socket name in the trace, as the world interns it.
inline SocketRef sock(Trace& trace, const std::string& name, std::uint32_t instance = 0) {
    return {trace.intern_socket(name), instance};
}

inline TraceEvent on(TraceEvent e, const FourTuple& conn) {
    e.has_conn = true;
    e.conn = conn;
    return e;
}

inline TraceEvent segment(std::int64_t t_ms, std::uint16_t host, SocketRef socket, SegmentEvent what,
                   Flags flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len,
                   std::uint16_t win) {
    TraceEvent e = event(TraceKind::Segment, t_ms, host, socket);
    e.segment_event = what;
    e.flags = flags;
    e.seq = {seq};
    e.ack = {ack};
    e.len = len;
    e.win = win;
    return e;
}

inline TraceEvent decision(std::int64_t t_ms, std::uint16_t host, SocketRef socket, Cause cause) {
    TraceEvent e = event(TraceKind::Decision, t_ms, host, socket);
    e.cause = cause;
    return e;
}

// The lines a view writes for a kept trace.
inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

inline std::vector<std::string> timeline_lines(const Trace& trace, TimelineOptions options = {}) {
    std::ostringstream out;
    TimelineView view(out, std::move(options));
    replay(trace, view);
    return split_lines(out.str());
}

inline std::string json_text(const Trace& trace) {
    std::ostringstream out;
    JsonLinesView view(out);
    replay(trace, view);
    return out.str();
}

inline TraceEvent state(std::int64_t t_ms, std::uint16_t host, SocketRef socket, State from, State to,
                 Cause cause, Errno error = Errno::Ok) {
    TraceEvent e = event(TraceKind::State, t_ms, host, socket);
    e.from = from;
    e.to = to;
    e.cause = cause;
    e.error = error;
    return e;
}

inline TraceEvent timer(std::int64_t t_ms, std::uint16_t host, SocketRef socket, TimerKind kind,
                 TimerAction action, std::int64_t expires_ms = 0) {
    TraceEvent e = event(TraceKind::Timer, t_ms, host, socket);
    e.timer = kind;
    e.action = action;
    e.expires = ms(expires_ms);
    return e;
}

inline TraceEvent call(std::int64_t t_ms, std::uint16_t host, SocketRef socket, CallKind kind,
                Errno error, std::int64_t value = 0) {
    TraceEvent e = event(TraceKind::Call, t_ms, host, socket);
    e.call = kind;
    e.error = error;
    e.value = value;
    return e;
}

}  // namespace tcpsim::test
