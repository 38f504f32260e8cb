#include "tcpsim/views/json_lines.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "trace_builders.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

std::string json_of(const Trace& trace) { return json_text(trace); }

std::vector<std::string> lines_of(const Trace& trace) { return split_lines(json_text(trace)); }

// A little of everything the world writes.
Trace sample() {
    Trace trace = two_hosts("bsd");
    const SocketRef c = sock(trace, "c");
    const FourTuple conn = client_side();
    trace.record(on(call(0, kClient, c, CallKind::Connect, Errno::InProgress), conn));
    TraceEvent syn =
        segment(0, kClient, c, SegmentEvent::Send, Flags::Syn, 4294967295u, 0, 0, 65535);
    syn.segment = 1;
    syn.options.mss = 1460;
    syn.options.timestamp = TimestampOption{7, 0};
    syn.delay = milliseconds(10);
    trace.record(on(syn, conn));
    TraceEvent late = segment(10, kClient, c, SegmentEvent::Delay, Flags::Ack, 1, 2, 100, 512);
    late.segment = 2;
    late.reason = LinkReason::Reorder;
    late.delay = milliseconds(10);
    trace.record(on(late, conn));
    trace.record(on(state(20, kClient, c, State::SynSent, State::Closed,
                          Cause::RcvRstRefused, Errno::ConnRefused),
                    conn));
    trace.record(timer(20, kClient, c, TimerKind::TimeWait, TimerAction::Set, 60'020));
    trace.record(timer(20, kClient, c, TimerKind::Retransmit, TimerAction::Cancel));
    TraceEvent bad_read = call(30, kServer, c, CallKind::Recv, Errno::Ok, 200);
    bad_read.integrity_ok = false;
    trace.record(bad_read);
    TraceEvent fault = segment(40, kServer, {}, SegmentEvent::Send, Flags::Ack, 5, 6, 0, 0);
    fault.kind = TraceKind::Link;
    fault.link = LinkEvent::Fault;
    fault.segment = 3;
    fault.fault = trace.add_fault("drop the final ACK");
    trace.record(fault);
    TraceEvent ports = decision(50, kClient, c, Cause::PortsExhausted);
    ports.ports = PortsHeld{28232, 100, 28132, 0};
    trace.record(ports);
    TraceEvent ignored = on(decision(60, kServer, {}, Cause::TwRstIgnoredBsd), conn.reversed());
    ignored.segment = 4;
    ignored.flags = Flags::Rst;
    ignored.seq = Seq{9};
    trace.record(ignored);
    TraceEvent expiry = state(70, kServer, {}, State::TimeWait, State::Closed, Cause::TimeWait2Msl);
    expiry.length = seconds(60);
    trace.record(expiry);
    trace.finish({RunEnd::TimeCap, ms(3'600'000), 42});
    return trace;
}

}  // namespace

TEST_CASE("json lines write one object per event between a start and an end line") {
    // clang-format off
    const std::vector<std::string> expected{
        R"({"t_ns":0,"type":"run","event":"start","hosts":[{"name":"client","ip":"10.0.0.1","profile":"linux"},{"name":"server","ip":"10.0.0.2","profile":"bsd"}]})",
        R"({"t_ns":0,"type":"call","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","call":"connect","result":"EINPROGRESS"})",
        R"({"t_ns":0,"type":"segment","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","event":"send","id":1,"flags":"SYN","seq":4294967295,"ack":0,"len":0,"win":65535,"mss":1460,"tsval":7,"tsecr":0})",
        R"({"t_ns":10000000,"type":"segment","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","event":"delay","id":2,"flags":"ACK","seq":1,"ack":2,"len":100,"win":512,"reason":"reorder","delay_ns":10000000})",
        R"({"t_ns":20000000,"type":"state","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","from":"SYN_SENT","to":"CLOSED","cause":"rcv RST","clause":"RFC 9293 3.10.7.3","rule":"rcv_rst_refused","error":"ECONNREFUSED"})",
        R"({"t_ns":20000000,"type":"timer","host":"client","socket":"c","timer":"time_wait","action":"set","expires_ns":60020000000})",
        R"({"t_ns":20000000,"type":"timer","host":"client","socket":"c","timer":"retransmit","action":"cancel"})",
        R"({"t_ns":30000000,"type":"call","host":"server","socket":"c","call":"recv","result":200,"integrity":false})",
        R"({"t_ns":40000000,"type":"link","host":"server","event":"fault","fault":"drop the final ACK","id":3,"flags":"ACK","seq":5,"ack":6,"len":0})",
        R"({"t_ns":50000000,"type":"decision","host":"client","socket":"c","decision":"ports_exhausted","cause":"no free ephemeral port toward this destination","clause":"Linux __inet_hash_connect, L-PORT-1","rule":"ports_exhausted","ports":{"range":28232,"connections":100,"time_wait":28132,"bound":0}})",
        R"j({"t_ns":60000000,"type":"decision","host":"server","conn":"10.0.0.2:80-10.0.0.1:49152","decision":"tw_rst_ignored_bsd","cause":"RST ignored","clause":"FreeBSD tcp_twcheck, B-TW-1 (RFC 1337)","rule":"tw_rst_ignored_bsd","id":4,"flags":"RST","seq":9,"ack":0,"len":0,"win":0})j",
        R"({"t_ns":70000000,"type":"state","host":"server","from":"TIME_WAIT","to":"CLOSED","cause":"TIME-WAIT timeout: 2 x MSL","clause":"RFC 9293 3.10.8","rule":"time_wait_2msl","length_ns":60000000000})",
        R"({"t_ns":3600000000000,"type":"run","event":"end","reason":"time_cap","events":42})",
    };
    // clang-format on
    CHECK(lines_of(sample()) == expected);
}

TEST_CASE("json lines of a drop carry its reason and a successful call its byte count") {
    Trace trace = two_hosts("bsd");
    const SocketRef s = sock(trace, "s", 1);
    TraceEvent lost =
        segment(1, kServer, s, SegmentEvent::Drop, Flags::Fin | Flags::Ack, 9, 3, 0, 100);
    lost.segment = 12;
    lost.reason = LinkReason::Loss;
    trace.record(lost);
    trace.record(call(2, kServer, s, CallKind::Send, Errno::Ok, 1000));
    trace.record(call(3, kServer, s, CallKind::Recv, Errno::Ok, 10));
    trace.finish({RunEnd::Quiescent, ms(3), 3});
    const auto lines = lines_of(trace);
    REQUIRE(lines.size() == 5);
    // clang-format off
    CHECK(lines[1] == R"({"t_ns":1000000,"type":"segment","host":"server","socket":"s","event":"drop","id":12,"flags":"FIN|ACK","seq":9,"ack":3,"len":0,"win":100,"reason":"loss"})");
    CHECK(lines[2] == R"({"t_ns":2000000,"type":"call","host":"server","socket":"s","call":"send","result":1000})");
    CHECK(lines[3] == R"({"t_ns":3000000,"type":"call","host":"server","socket":"s","call":"recv","result":10,"integrity":true})");
    CHECK(lines[4] == R"({"t_ns":3000000,"type":"run","event":"end","reason":"quiescent","events":3})");
    // clang-format on
}

TEST_CASE("json lines are byte-identical for identical traces and each line parses") {
    const std::string first = json_of(sample());
    CHECK(first == json_of(sample()));
    std::istringstream in(first);
    for (std::string line; std::getline(in, line);) {
        CHECK(nlohmann::json::accept(line));
    }
}

TEST_CASE("json lines escape control characters in scenario text as JSON does") {
    Trace trace = two_hosts();
    TraceEvent fault = segment(0, kClient, {}, SegmentEvent::Send, Flags::Ack, 1, 1, 0, 0);
    fault.kind = TraceKind::Link;
    fault.fault = trace.add_fault("a\nb\x1b[8m\"</script>");
    trace.record(fault);
    trace.finish({RunEnd::Quiescent, ms(0), 1});
    const auto lines = lines_of(trace);
    CHECK(lines[1].find(R"("fault":"a\nb\u001b[8m\"</script>")") != std::string::npos);
    CHECK(nlohmann::json::parse(lines[1])["fault"] == "a\nb\x1b[8m\"</script>");
}

TEST_CASE("json lines show a SYN's window scale and SACK-permitted") {
    Trace trace = two_hosts("linux");
    TraceEvent syn = segment(0, kClient, sock(trace, "c"), SegmentEvent::Send, Flags::Syn, 1000, 0, 0, 64240);
    syn.segment = 1;
    syn.options.mss = 1460;
    syn.options.sack_permitted = true;
    syn.options.timestamp = TimestampOption{7, 0};
    syn.options.wscale = 10;
    trace.record(on(syn, client_side()));
    trace.finish({RunEnd::Quiescent, ms(0), 1});
    const std::string json = json_of(trace);
    CHECK(json.find(R"("win":64240,"mss":1460,"wscale":10,"sack_permitted":true,"tsval":7,"tsecr":0})") !=
          std::string::npos);
}
