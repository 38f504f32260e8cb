#include "tcpsim/views/timeline.hpp"
#include "tcpsim/views/json_lines.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "trace_builders.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

std::vector<std::string> lines_of(const Trace& trace) {
    std::ostringstream out;
    write_timeline(trace, out);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_CASE("timeline prints one aligned line per event and how the run ended") {
    Trace trace = two_hosts();
    const std::int32_t c = trace.intern_socket("c");
    const std::int32_t s = trace.intern_socket("s.1");
    const FourTuple conn = client_side();
    trace.record(on(call(0, kClient, c, CallKind::Connect, Errno::InProgress), conn));
    trace.record(on(
        state(0, kClient, c, State::Closed, State::SynSent, {"connect", "RFC 9293 3.10.1"}), conn));
    trace.record(timer(0, kClient, c, TimerKind::Retransmit, TimerAction::Set, 1000));
    TraceEvent syn =
        segment(0, kClient, c, SegmentEvent::Send, Flags::Syn, 4294967295u, 0, 0, 65535);
    syn.mss = 1460;
    syn.ts = TimestampOption{100, 0};
    trace.record(on(syn, conn));
    trace.record(
        on(segment(10, kServer, s, SegmentEvent::Deliver, Flags::Syn, 4294967295u, 0, 0, 65535),
           conn.reversed()));
    TraceEvent lost =
        segment(10, kServer, s, SegmentEvent::Drop, Flags::Syn | Flags::Ack, 5000, 0, 0, 65535);
    lost.reason = "loss";
    trace.record(on(lost, conn.reversed()));
    trace.record(timer(1000, kClient, c, TimerKind::Retransmit, TimerAction::Expire));
    trace.record(on(state(1020, kClient, c, State::SynSent, State::Closed,
                          {"rcv RST", "RFC 9293 3.10.7.3"}, Errno::ConnRefused),
                    conn));
    trace.record(on(call(1020, kClient, c, CallKind::Connect, Errno::ConnRefused), conn));
    trace.finish({RunEnd::Quiescent, ms(1020), 57});

    // clang-format off
    const std::vector<std::string> expected{
        "   0.000000000  client  c    call connect -> EINPROGRESS   10.0.0.1:49152-10.0.0.2:80",
        "   0.000000000  client  c    CLOSED -> SYN_SENT  connect (RFC 9293 3.10.1)",
        "   0.000000000  client  c    timer retransmit set, expires 1.000000000",
        "   0.000000000  client  c    send      SYN      seq=4294967295 ack=0 len=0 win=65535 mss=1460 ts=100/0",
        "   0.010000000  server  s.1  deliver   SYN      seq=4294967295 ack=0 len=0 win=65535   10.0.0.1:49152 > 10.0.0.2:80",
        "   0.010000000  server  s.1  drop      SYN|ACK  seq=5000 ack=0 len=0 win=65535 (loss)",
        "   1.000000000  client  c    timer retransmit expire",
        "   1.020000000  client  c    SYN_SENT -> CLOSED  rcv RST (RFC 9293 3.10.7.3) ECONNREFUSED",
        "   1.020000000  client  c    call connect -> ECONNREFUSED",
        "-- run ended: quiescent at 1.020000000 after 57 events",
    };
    // clang-format on
    CHECK(lines_of(trace) == expected);
}

TEST_CASE("timeline shows duplicates, delays, faults and bad reads in the user's words") {
    Trace trace = two_hosts();
    const std::int32_t c = trace.intern_socket("c");
    TraceEvent twice =
        segment(5, kClient, c, SegmentEvent::Duplicate, Flags::Psh | Flags::Ack, 1, 2, 100, 512);
    twice.reason = "duplicate";
    trace.record(twice);
    TraceEvent late = segment(5, kClient, c, SegmentEvent::Delay, Flags::Ack, 101, 2, 0, 512);
    late.reason = "reorder";
    late.delay = milliseconds(10);
    trace.record(late);
    TraceEvent fault =
        segment(5000, kClient, kNoSocket, SegmentEvent::Send, Flags::Ack, 1002, 5002, 0, 0);
    fault.kind = TraceKind::Link;
    fault.reason = "fault";
    fault.text = trace.intern_text("drop the final ACK");
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
        "   5.000000000  client  -  fault \"drop the final ACK\" hit ACK  seq=1002 ack=5002 len=0 win=0",
        "   6.000000000  server  c  call recv -> 200 (integrity FAILED)",
        "   6.000000000  server  c  call send -> 100",
        "-- run ended: quiescent at 6.000000000 after 1 event",
    };
    // clang-format on
    CHECK(lines_of(trace) == expected);
}

TEST_CASE("timeline repeats a socket's connection only when it changes") {
    Trace trace = two_hosts();
    const std::int32_t c = trace.intern_socket("c");
    FourTuple first = client_side();
    FourTuple second = first;
    second.local.port = 49153;
    for (const FourTuple& conn : {first, first, second}) {
        trace.record(on(segment(0, kClient, c, SegmentEvent::Send, Flags::Ack, 0, 0, 0, 0), conn));
    }
    for (int i = 0; i < 2; ++i) {
        trace.record(on(segment(0, kServer, kNoSocket, SegmentEvent::Send, Flags::Rst, 0, 0, 0, 0),
                        second.reversed()));
    }
    trace.finish({RunEnd::Quiescent, ms(0), 5});

    const auto lines = lines_of(trace);
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
    CHECK(lines_of(trace).back() ==
          "-- run stopped by the simulated-time cap (raise /limits/time) at 3600.000000000 after "
          "1234 events");

    trace.finish({RunEnd::EventCap, ms(20), 10'000'000});
    CHECK(lines_of(trace).back() ==
          "-- run stopped by the event cap (raise /limits/events) at 0.020000000 after 10000000 "
          "events");

    trace.finish({RunEnd::DurationReached, ms(30'000), 9});
    CHECK(lines_of(trace).back() ==
          "-- run ended: scenario duration reached at 30.000000000 after 9 events");
}

TEST_CASE("a NAT mapping reads as the mapping, not as a fault, in the timeline and JSON lines") {
    Trace trace;
    trace.set_hosts({{"c1", Ipv4::parse("10.0.0.1").value(), "linux"}});
    TraceEvent e;
    e.kind = TraceKind::Link;
    e.reason = "nat";
    e.flags = Flags::Syn;
    e.text = trace.intern_text("nat nat: 10.0.0.1:40000 -> 198.51.100.1:20000 for 10.0.0.9:80");
    trace.record(e);
    std::ostringstream timeline;
    write_timeline(trace, timeline);
    CHECK(timeline.str().find("nat nat: 10.0.0.1:40000 -> 198.51.100.1:20000 for 10.0.0.9:80 (for SYN)") !=
          std::string::npos);
    CHECK(timeline.str().find("fault") == std::string::npos);
    std::ostringstream json;
    write_json_lines(trace, json);
    CHECK(json.str().find(R"("event":"nat","nat":"nat nat: 10.0.0.1:40000)") != std::string::npos);
}
