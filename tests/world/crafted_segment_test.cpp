#include <doctest/doctest.h>

#include <string>
#include <variant>
#include <vector>

#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/world/world.hpp"

using namespace tcpsim;

namespace {

Trace run(const std::string& text) {
    LoadResult r = load_scenario_text(text, "crafted_segment_test.json");
    if (auto* e = std::get_if<UserError>(&r)) FAIL(e->message());
    Trace trace;
    World world(std::get<Scenario>(r), trace);
    world.run();
    return trace;
}

// The server closes first and holds TIME_WAIT from 3 ms on: its SND.NXT is 5002, its
// RCV.NXT 1002 (both ISNs fixed); at 2 s the client's script sends `crafted`.
std::string server_time_wait(const std::string& crafted, const std::string& server_sysctl = "{}") {
    return R"({
      "hosts": {"client": {"address": "10.0.0.1", "profile": "linux", "isn": 1000},
                "server": {"address": "10.0.0.2", "profile": "linux", "isn": 5000, "sysctl": )" +
           server_sysctl + R"(}},
      "links": [{"between": ["client", "server"], "delay": "1ms"}],
      "apps": {
        "client": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80", "from_port": 40000},
                   {"on": "peer_closed", "socket": "c", "call": "close"},
                   {"at": "2s", "call": "send_segment", "from_port": 40000, "to": "server:80", )" +
           crafted + R"(}],
        "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                   {"on": "connected", "socket": "s", "call": "close"}]},
      "duration": "3s"
    })";
}

// Segments sent, decisions made, states changed from `from` on, one line each.
std::string after(const Trace& t, Time from) {
    std::vector<std::string> out;
    for (const TraceEvent& e : t.events()) {
        if (e.t < from) continue;
        const std::string at = std::to_string(e.t.ns / 1'000'000) + "ms h" + std::to_string(e.host) + " ";
        if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Send)
            out.push_back(at + "send " + to_string(e.flags) + " seq=" + std::to_string(e.seq.v) +
                          " ack=" + std::to_string(e.ack.v) + " win=" + std::to_string(e.win) +
                          " len=" + std::to_string(e.len));
        if (e.kind == TraceKind::Decision) out.push_back(at + std::string(describe(e.cause).id));
        if (e.kind == TraceKind::State)
            out.push_back(at + std::string(to_string(e.from)) + "->" + std::string(to_string(e.to)));
        if (e.kind == TraceKind::Call && e.call == CallKind::SendSegment) out.push_back(at + "send_segment");
    }
    std::string text;
    for (const std::string& line : out) text += line + "\n";
    return text;
}

}  // namespace

TEST_CASE("a crafted SYN below RCV.NXT gets TIME_WAIT's ACK, which the raw socket takes (L-TW-4)") {
    const Trace t = run(server_time_wait(R"("flags": "SYN", "seq": "rcv_nxt-1000", "of": {"host": "server", "socket": "s"})"));
    CHECK(after(t, Time{} + milliseconds(2000)) ==
          "2000ms h0 send_segment\n"
          "2000ms h0 send SYN seq=2 ack=0 win=65535 len=0\n"
          "2001ms h1 tw_syn_acked\n"
          "2001ms h1 send ACK seq=5002 ack=1002 win=64 len=0\n"
          "2002ms h0 raw_socket_took_reply\n");
}

TEST_CASE("with stack_answers the client's TCP resets the ACK it has no connection for, and the RST kills TIME_WAIT (L-TW-1)") {
    const Trace t = run(server_time_wait(
        R"("flags": "SYN", "seq": "rcv_nxt-1000", "of": {"host": "server", "socket": "s"}, "stack_answers": true)"));
    CHECK(after(t, Time{} + milliseconds(2000)) ==
          "2000ms h0 send_segment\n"
          "2000ms h0 send SYN seq=2 ack=0 win=65535 len=0\n"
          "2001ms h1 tw_syn_acked\n"
          "2001ms h1 send ACK seq=5002 ack=1002 win=64 len=0\n"
          "2002ms h0 no_connection_reset\n"
          "2002ms h0 send RST seq=1002 ack=0 win=0 len=0\n"
          "2003ms h1 TIME_WAIT->CLOSED\n");
}

TEST_CASE("an old RST is ignored by TIME_WAIT; an exact one kills it unless tcp_rfc1337=1 (L-TW-1)") {
    const std::string of = R"("of": {"host": "server", "socket": "s"})";
    const Trace old = run(server_time_wait(R"("flags": "RST", "seq": "rcv_nxt-1", )" + of));
    CHECK(after(old, Time{} + milliseconds(2000)) ==
          "2000ms h0 send_segment\n"
          "2000ms h0 send RST seq=1001 ack=0 win=65535 len=0\n"
          "2001ms h1 tw_rst_not_exact\n");
    const Trace exact = run(server_time_wait(R"("flags": "RST", "seq": "rcv_nxt", )" + of));
    CHECK(after(exact, Time{} + milliseconds(2000)) ==
          "2000ms h0 send_segment\n"
          "2000ms h0 send RST seq=1002 ack=0 win=65535 len=0\n"
          "2001ms h1 TIME_WAIT->CLOSED\n");
    const Trace rfc1337 = run(server_time_wait(R"("flags": "RST", "seq": "rcv_nxt", )" + of, R"({"net.ipv4.tcp_rfc1337": 1})"));
    CHECK(after(rfc1337, Time{} + milliseconds(2000)) ==
          "2000ms h0 send_segment\n"
          "2000ms h0 send RST seq=1002 ack=0 win=65535 len=0\n"
          "2001ms h1 tw_rst_ignored_rfc1337\n");
}

TEST_CASE("a crafted SYN with a newer TSval than TS.Recent reopens TIME_WAIT despite its lower ISN (L-TW-3)") {
    const Trace t = run(server_time_wait(
        R"("flags": "SYN", "seq": "rcv_nxt-1000", "options": {"mss": 1460, "timestamp": {"val": "ts_recent+1"}},
           "of": {"host": "server", "socket": "s"})"));
    const std::string seen = after(t, Time{} + milliseconds(2000));
    CHECK(seen.find("2001ms h1 TIME_WAIT->CLOSED\n") != std::string::npos);
    CHECK(seen.find("2001ms h1 send SYN|ACK") != std::string::npos);
}

TEST_CASE("nothing is sent when the of socket has no connection or TIME_WAIT entry at that moment") {
    const Trace t = run(server_time_wait(R"("flags": "RST", "seq": "rcv_nxt", "of": {"host": "server", "socket": "s.2"})"));
    CHECK(after(t, Time{} + milliseconds(2000)) == "2000ms h0 crafted_reference_missing\n");
}

TEST_CASE("timestamp variables of a connection without timestamps leave the segment unsent") {
    const Trace t = run(server_time_wait(R"("flags": "ACK", "seq": "rcv_nxt", "ack": "snd_nxt",
        "options": {"timestamp": {"val": "tsval"}}, "of": {"host": "server", "socket": "s"})",
                                         R"({"net.ipv4.tcp_timestamps": 0})"));
    CHECK(after(t, Time{} + milliseconds(2000)) == "2000ms h0 crafted_reference_missing\n");
}

TEST_CASE("a crafted ACK outside an established connection's window gets a duplicate ACK (RFC 9293 3.10.7.4 first)") {
    const Trace t = run(R"({
      "hosts": {"client": {"address": "10.0.0.1", "profile": "linux", "isn": 1000},
                "server": {"address": "10.0.0.2", "profile": "linux", "isn": 5000}},
      "links": [{"between": ["client", "server"], "delay": "1ms"}],
      "apps": {
        "client": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80", "from_port": 40000},
                   {"at": "1s", "call": "send_segment", "from_port": 40000, "to": "server:80", "flags": "ACK",
                    "seq": "snd_nxt+100000", "ack": "rcv_nxt", "of": {"host": "client", "socket": "c"},
                    "stack_answers": true}],
        "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"}]},
      "duration": "2s"
    })");
    CHECK(after(t, Time{} + milliseconds(1000)) ==
          "1000ms h0 send_segment\n"
          "1000ms h0 send ACK seq=101001 ack=5001 win=65535 len=0\n"
          "1001ms h1 unacceptable\n"
          "1001ms h1 send ACK seq=5001 ack=1001 win=64 len=0\n");
}

TEST_CASE("connect's own isn and tcp_timestamps override the host's") {
    const Trace t = run(R"({
      "hosts": {"client": {"address": "10.0.0.1", "profile": "linux", "isn": 1000},
                "server": {"address": "10.0.0.2", "profile": "linux", "isn": 5000}},
      "links": [{"between": ["client", "server"], "delay": "1ms"}],
      "apps": {
        "client": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80", "isn": 77, "tcp_timestamps": false}],
        "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"}]},
      "duration": "1s"
    })");
    const TraceEvent* syn = nullptr;
    for (const TraceEvent& e : t.events())
        if (!syn && e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Send && e.flags == Flags::Syn) syn = &e;
    REQUIRE(syn);
    CHECK(syn->seq.v == 77u);
    CHECK_FALSE(syn->options.timestamp);
    CHECK(syn->options.mss == 1460);
}
