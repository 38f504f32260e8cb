#include "tcpsim/views/timeline.hpp"

#include <doctest/doctest.h>

#include "trace_builders.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

// A handshake and a lost final ACK, with absolute sequence numbers 4294967295 / 5000.
Trace handshake_trace() {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const SocketRef s = sock(trace, "s", 1);
    const FourTuple conn = client_side();
    trace.record(on(call(0, kClient, c, CallKind::Connect, Errno::InProgress), conn));
    trace.record(on(state(0, kClient, c, State::Closed, State::SynSent, Cause::Connect), conn));
    trace.record(on(timer(0, kClient, c, TimerKind::Retransmit, TimerAction::Set, 1000), conn));
    TraceEvent syn = segment(0, kClient, c, SegmentEvent::Send, Flags::Syn, 4294967295u, 0, 0, 65535);
    syn.options.mss = 1460;
    syn.options.sack_permitted = true;
    syn.options.timestamp = TimestampOption{100, 0};
    syn.options.wscale = 7;
    trace.record(on(syn, conn));
    trace.record(on(segment(10, kServer, s, SegmentEvent::Deliver, Flags::Syn, 4294967295u, 0, 0, 65535),
                    conn.reversed()));
    TraceEvent lost = segment(10, kServer, s, SegmentEvent::Drop, Flags::Syn | Flags::Ack, 5000, 0, 0, 65535);
    lost.reason = LinkReason::Loss;
    trace.record(on(lost, conn.reversed()));
    trace.record(on(timer(1000, kClient, c, TimerKind::Retransmit, TimerAction::Expire), conn));
    trace.record(on(state(1020, kClient, c, State::SynSent, State::Closed, Cause::RcvRstRefused, Errno::ConnRefused),
                    conn));
    trace.record(on(call(1020, kClient, c, CallKind::Connect, Errno::ConnRefused), conn));
    trace.finish({RunEnd::Quiescent, ms(1020), 57});
    return trace;
}

}  // namespace

TEST_CASE("timeline prints one aligned line per event and how the run ended") {
    // clang-format off
    const std::vector<std::string> expected{
        "   0.000000000  client  c  call connect -> EINPROGRESS   10.0.0.1:49152-10.0.0.2:80",
        "   0.000000000  client  c  CLOSED -> SYN_SENT  connect (RFC 9293 3.10.1)",
        "   0.000000000  client  c  timer retransmit set, expires 1.000000000",
        "   0.000000000  client  c  send      SYN      seq=0 ack=0 len=0 win=65535 mss=1460 sackOK ts=100/0 wscale=7",
        "   0.010000000  server  s  deliver   SYN      seq=0 ack=0 len=0 win=65535   10.0.0.1:49152 > 10.0.0.2:80",
        "   0.010000000  server  s  drop      SYN|ACK  seq=0 ack=1 len=0 win=65535 (loss)",
        "   1.000000000  client  c  timer retransmit expire",
        "   1.020000000  client  c  SYN_SENT -> CLOSED  rcv RST (RFC 9293 3.10.7.3) ECONNREFUSED",
        "   1.020000000  client  c  call connect -> ECONNREFUSED",
        "-- run ended: quiescent at 1.020000000 after 57 events",
    };
    // clang-format on
    CHECK(timeline_lines(handshake_trace()) == expected);
}

TEST_CASE("timeline sequence numbers are relative to each direction's ISN unless --absolute") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const FourTuple conn = client_side();
    trace.record(on(segment(0, kClient, c, SegmentEvent::Send, Flags::Syn, 4294967295u, 0, 0, 65535), conn));
    trace.record(on(segment(10, kClient, c, SegmentEvent::Deliver, Flags::Syn | Flags::Ack, 5000, 0, 0, 65535),
                    conn));
    trace.record(on(segment(20, kClient, c, SegmentEvent::Send, Flags::Psh | Flags::Ack, 0, 5001, 100, 65535), conn));
    trace.record(on(segment(30, kClient, c, SegmentEvent::Deliver, Flags::Ack, 5001, 100, 0, 65535), conn));
    trace.finish({RunEnd::Quiescent, ms(30), 4});
    const auto relative = timeline_lines(trace);
    CHECK(relative[1].find("SYN|ACK  seq=0 ack=1 len=0") != std::string::npos);
    CHECK(relative[2].find("PSH|ACK  seq=1 ack=1 len=100") != std::string::npos);
    CHECK(relative[3].find("ACK      seq=1 ack=101 len=0") != std::string::npos);
    TimelineOptions raw;
    raw.absolute = true;
    const auto absolute = timeline_lines(trace, raw);
    CHECK(absolute[1].find("SYN|ACK  seq=5000 ack=0 len=0") != std::string::npos);
    CHECK(absolute[2].find("PSH|ACK  seq=0 ack=5001 len=100") != std::string::npos);
}

TEST_CASE("timeline filters keep one host, one socket and a time window") {
    const Trace trace = handshake_trace();
    TimelineOptions server;
    server.host = "server";
    const auto s = timeline_lines(trace, server);
    REQUIRE(s.size() == 3);
    CHECK(s[0].find("server  s  deliver") != std::string::npos);
    CHECK(s[1].find("server  s  drop") != std::string::npos);

    TimelineOptions window;
    window.from = ms(5);
    window.until = ms(1000);
    const auto w = timeline_lines(trace, window);
    REQUIRE(w.size() == 4);
    CHECK(w[0].starts_with("   0.010000000"));
    CHECK(w[2].starts_with("   1.000000000  client  c  timer retransmit expire"));

    TimelineOptions socket;
    socket.socket = "c";
    CHECK(timeline_lines(trace, socket).size() == 8);
    socket.socket = "s.*";
    CHECK(timeline_lines(trace, socket).size() == 3);
    socket.socket = "s.2";
    CHECK(timeline_lines(trace, socket).size() == 1);  // only how the run ended
}

TEST_CASE("timeline colours only when asked, and the uncoloured text is the same") {
    const Trace trace = handshake_trace();
    TimelineOptions colour;
    colour.color = true;
    const auto painted = timeline_lines(trace, colour);
    CHECK(painted[3].find("\x1b[32msend") != std::string::npos);
    CHECK(painted[5].find("\x1b[1;31mdrop") != std::string::npos);
    for (const std::string& line : timeline_lines(trace)) CHECK(line.find('\x1b') == std::string::npos);
}

TEST_CASE("timeline shows duplicates, delays, faults and bad reads in the user's words") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    TraceEvent twice = segment(5, kClient, c, SegmentEvent::Duplicate, Flags::Psh | Flags::Ack, 1, 2, 100, 512);
    twice.reason = LinkReason::Duplicate;
    trace.record(twice);
    TraceEvent late = segment(5, kClient, c, SegmentEvent::Delay, Flags::Ack, 101, 2, 0, 512);
    late.reason = LinkReason::Reorder;
    late.delay = milliseconds(10);
    trace.record(late);
    TraceEvent fault = segment(5000, kClient, c, SegmentEvent::Send, Flags::Ack, 1002, 5002, 0, 0);
    fault.kind = TraceKind::Link;
    fault.link = LinkEvent::Fault;
    fault.fault = trace.add_fault("drop the final ACK");
    trace.record(fault);
    TraceEvent bad_read = call(6000, kServer, c, CallKind::Recv, Errno::Ok, 200);
    bad_read.integrity_ok = false;
    trace.record(bad_read);
    trace.record(call(6000, kServer, c, CallKind::Send, Errno::Ok, 100));
    trace.finish({RunEnd::Quiescent, ms(6000), 1});

    // clang-format off
    const std::vector<std::string> expected{
        "   0.005000000  client  c  duplicate PSH|ACK  seq=1 ack=2 len=100 win=512 (duplicate)",
        "   0.005000000  client  c  delay     ACK      seq=101 ack=2 len=0 win=512 (reorder +10ms)",
        "   5.000000000  client  c  fault \"drop the final ACK\" hit ACK  seq=1002 ack=5002 len=0 win=0",
        "   6.000000000  server  c  call recv -> 200 (integrity FAILED)",
        "   6.000000000  server  c  call send -> 100",
        "-- run ended: quiescent at 6.000000000 after 1 event",
    };
    // clang-format on
    CHECK(timeline_lines(trace) == expected);
}

TEST_CASE("timeline prints scenario text with control characters escaped, so it cannot forge lines") {
    Trace trace = two_hosts();
    TraceEvent fault = segment(0, kClient, sock(trace, "c"), SegmentEvent::Send, Flags::Ack, 1, 1, 0, 0);
    fault.kind = TraceKind::Link;
    fault.fault = trace.add_fault("x\nPASS  all good\x1b[8m hidden \\x41");
    trace.record(fault);
    trace.finish({RunEnd::Quiescent, ms(0), 1});
    const auto lines = timeline_lines(trace);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].find(R"(fault "x\nPASS  all good\x1b[8m hidden \\x41" hit ACK)") != std::string::npos);
}

TEST_CASE("timeline decisions say what was decided, and --explain adds why") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    TraceEvent ignored = on(decision(10, kClient, c, Cause::TwRstIgnoredRfc1337), client_side());
    ignored.segment = 7;
    ignored.flags = Flags::Rst;
    ignored.seq = Seq{100};
    trace.record(ignored);
    TraceEvent expiry = state(60000, kClient, c, State::TimeWait, State::Closed, Cause::TimeWaitLinux);
    expiry.length = seconds(60);
    trace.record(expiry);
    trace.finish({RunEnd::Quiescent, ms(60000), 2});
    const auto plain = timeline_lines(trace);
    CHECK(plain[0] ==
          "   0.010000000  client  c  decision  RST ignored (tcp_rfc1337=1) "
          "(Linux tcp_timewait_state_process, L-TW-1, RFC 1337)   10.0.0.2:80 > 10.0.0.1:49152");
    TimelineOptions why;
    why.explain = true;
    const auto explained = timeline_lines(trace, why);
    REQUIRE(explained.size() == 5);
    CHECK(explained[1].find("why: With tcp_rfc1337=1 Linux ignores an RST in TIME-WAIT") != std::string::npos);
    CHECK(explained[3].find("why: Linux keeps TIME-WAIT for a fixed TCP_TIMEWAIT_LEN of 60 s") != std::string::npos);
    CHECK(explained[3].find("Its timer: 1min") != std::string::npos);
    CHECK(explained[3].ends_with("[Linux tcp_time_wait, L-ENTER-2]"));
}

TEST_CASE("timeline repeats a socket's connection only when it changes") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    FourTuple first = client_side();
    FourTuple second = first;
    second.local.port = 49153;
    for (const FourTuple& conn : {first, first, second}) {
        trace.record(on(segment(0, kClient, c, SegmentEvent::Send, Flags::Ack, 0, 0, 0, 0), conn));
    }
    for (int i = 0; i < 2; ++i) {
        trace.record(on(segment(0, kServer, {}, SegmentEvent::Send, Flags::Rst, 0, 0, 0, 0), second.reversed()));
    }
    trace.finish({RunEnd::Quiescent, ms(0), 5});

    const auto lines = timeline_lines(trace);
    REQUIRE(lines.size() == 6);
    CHECK(lines[0].ends_with("win=0   10.0.0.1:49152 > 10.0.0.2:80"));
    CHECK(lines[1].ends_with("win=0"));
    CHECK(lines[2].ends_with("win=0   10.0.0.1:49153 > 10.0.0.2:80"));
    CHECK(lines[3].ends_with("win=0   10.0.0.2:80 > 10.0.0.1:49153"));
    CHECK(lines[4].ends_with("win=0   10.0.0.2:80 > 10.0.0.1:49153"));
}

TEST_CASE("timeline says a run was stopped by a cap and which limit to raise") {
    Trace trace = two_hosts();
    trace.finish({RunEnd::TimeCap, ms(3'600'000), 1234});
    CHECK(timeline_lines(trace).back() ==
          "-- run stopped by the simulated-time cap (raise /limits/time) at 3600.000000000 after 1234 events");
    trace.finish({RunEnd::EventCap, ms(20), 10'000'000});
    CHECK(timeline_lines(trace).back() ==
          "-- run stopped by the event cap (raise /limits/events) at 0.020000000 after 10000000 events");
    trace.finish({RunEnd::DurationReached, ms(30'000), 9});
    CHECK(timeline_lines(trace).back() == "-- run ended: scenario duration reached at 30.000000000 after 9 events");
}

TEST_CASE("a NAT mapping reads as the mapping, not as a fault, in the timeline and JSON lines") {
    Trace trace;
    trace.set_hosts({{"c1", Ipv4::parse("10.0.0.1").value(), "linux"}});
    TraceEvent e;
    e.kind = TraceKind::Link;
    e.link = LinkEvent::NatMapping;
    e.nat = trace.add_nat("nat");
    e.flags = Flags::Syn;
    e.has_conn = true;
    e.conn = {{Ipv4::parse("10.0.0.1").value(), 40000}, {Ipv4::parse("10.0.0.9").value(), 80}};
    e.mapped = {Ipv4::parse("198.51.100.1").value(), 20000};
    trace.record(e);
    const auto lines = timeline_lines(trace);
    CHECK(lines[0].find("nat nat: 10.0.0.1:40000 -> 198.51.100.1:20000 for 10.0.0.9:80 (for SYN)") !=
          std::string::npos);
    CHECK(lines[0].find("fault") == std::string::npos);
    CHECK(json_text(trace).find(R"("event":"nat","nat":"nat nat: 10.0.0.1:40000 -> 198.51.100.1:20000 for 10.0.0.9:80")") !=
          std::string::npos);
}
