#include "tcpsim/views/json_lines.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "trace_builders.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

std::string json_of(const Trace& trace) {
    std::ostringstream out;
    write_json_lines(trace, out);
    return out.str();
}

std::vector<std::string> lines_of(const Trace& trace) {
    std::vector<std::string> lines;
    std::istringstream in(json_of(trace));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// A little of everything the world writes.
Trace sample() {
    Trace trace = two_hosts("bsd");
    const std::int32_t c = trace.intern_socket("c");
    const FourTuple conn = client_side();
    trace.record(on(call(0, kClient, c, CallKind::Connect, Errno::InProgress), conn));
    TraceEvent syn =
        segment(0, kClient, c, SegmentEvent::Send, Flags::Syn, 4294967295u, 0, 0, 65535);
    syn.mss = 1460;
    syn.ts = TimestampOption{7, 0};
    syn.delay = milliseconds(10);
    trace.record(on(syn, conn));
    TraceEvent late = segment(10, kClient, c, SegmentEvent::Delay, Flags::Ack, 1, 2, 100, 512);
    late.reason = "reorder";
    late.delay = milliseconds(10);
    trace.record(on(late, conn));
    trace.record(on(state(20, kClient, c, State::SynSent, State::Closed,
                          {"rcv RST", "RFC 9293 3.10.7.3"}, Errno::ConnRefused),
                    conn));
    trace.record(timer(20, kClient, c, TimerKind::TimeWait, TimerAction::Set, 60'020));
    trace.record(timer(20, kClient, c, TimerKind::Retransmit, TimerAction::Cancel));
    TraceEvent bad_read = call(30, kServer, c, CallKind::Recv, Errno::Ok, 200);
    bad_read.integrity_ok = false;
    trace.record(bad_read);
    TraceEvent fault = segment(40, kServer, kNoSocket, SegmentEvent::Send, Flags::Ack, 5, 6, 0, 0);
    fault.kind = TraceKind::Link;
    fault.reason = "fault";
    fault.text = trace.intern_text("drop the final ACK");
    trace.record(fault);
    trace.finish({RunEnd::TimeCap, ms(3'600'000), 42});
    return trace;
}

}  // namespace

TEST_CASE("json lines write one object per event between a start and an end line") {
    // clang-format off
    const std::vector<std::string> expected{
        R"({"t_ns":0,"type":"run","event":"start","hosts":[{"name":"client","ip":"10.0.0.1","profile":"linux"},{"name":"server","ip":"10.0.0.2","profile":"bsd"}]})",
        R"({"t_ns":0,"type":"call","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","call":"connect","result":"EINPROGRESS"})",
        R"({"t_ns":0,"type":"segment","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","event":"send","flags":"SYN","seq":4294967295,"ack":0,"len":0,"win":65535,"mss":1460,"tsval":7,"tsecr":0})",
        R"({"t_ns":10000000,"type":"segment","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","event":"delay","flags":"ACK","seq":1,"ack":2,"len":100,"win":512,"reason":"reorder","delay_ns":10000000})",
        R"({"t_ns":20000000,"type":"state","host":"client","socket":"c","conn":"10.0.0.1:49152-10.0.0.2:80","from":"SYN_SENT","to":"CLOSED","cause":"rcv RST","clause":"RFC 9293 3.10.7.3","error":"ECONNREFUSED"})",
        R"({"t_ns":20000000,"type":"timer","host":"client","socket":"c","timer":"time_wait","action":"set","expires_ns":60020000000})",
        R"({"t_ns":20000000,"type":"timer","host":"client","socket":"c","timer":"retransmit","action":"cancel"})",
        R"({"t_ns":30000000,"type":"call","host":"server","socket":"c","call":"recv","result":200,"integrity":false})",
        R"({"t_ns":40000000,"type":"link","host":"server","event":"fault","fault":"drop the final ACK","flags":"ACK","seq":5,"ack":6,"len":0})",
        R"({"t_ns":3600000000000,"type":"run","event":"end","reason":"time_cap","events":42})",
    };
    // clang-format on
    CHECK(lines_of(sample()) == expected);
}

TEST_CASE("json lines of a drop carry its reason and a successful call its byte count") {
    Trace trace = two_hosts("bsd");
    const std::int32_t s = trace.intern_socket("s");
    TraceEvent lost =
        segment(1, kServer, s, SegmentEvent::Drop, Flags::Fin | Flags::Ack, 9, 3, 0, 100);
    lost.reason = "loss";
    trace.record(lost);
    trace.record(call(2, kServer, s, CallKind::Send, Errno::Ok, 1000));
    trace.record(call(3, kServer, s, CallKind::Recv, Errno::Ok, 10));
    trace.finish({RunEnd::Quiescent, ms(3), 3});
    const auto lines = lines_of(trace);
    REQUIRE(lines.size() == 5);
    // clang-format off
    CHECK(lines[1] == R"({"t_ns":1000000,"type":"segment","host":"server","socket":"s","event":"drop","flags":"FIN|ACK","seq":9,"ack":3,"len":0,"win":100,"reason":"loss"})");
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
