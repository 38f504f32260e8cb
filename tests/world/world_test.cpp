#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/views/json_lines.hpp"
#include "tcpsim/views/verdict.hpp"
#include "tcpsim/world/world.hpp"

using namespace tcpsim;
namespace fs = std::filesystem;

namespace {

Scenario load(const std::string& text, const std::vector<std::string>& overrides = {}) {
    LoadResult r = load_scenario_text(text, "test.json", overrides);
    if (auto* e = std::get_if<UserError>(&r)) FAIL(e->message());
    return std::get<Scenario>(std::move(r));
}

// Streamed straight from the run, as `tcpsim run --json` writes it.
std::string json_trace(const Scenario& sc) {
    std::ostringstream out;
    TraceStream stream;
    JsonLinesView json(out);
    stream.add(json);
    World world(sc, stream);
    world.run();
    return out.str();
}

// A busy, lossy exchange: every random element of a link is in play.
const char* kLossy = R"({
  "seed": 7,
  "hosts": {"client": {"address": "10.0.0.1", "profile": "linux"},
            "server": {"address": "10.0.0.2", "profile": "linux"}},
  "links": [{"between": ["client", "server"], "delay": "5ms", "jitter": "3ms", "loss": 0.1,
             "duplicate": 0.05, "reorder": 0.05}],
  "apps": {
    "client": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80"},
               {"on": "connected", "socket": "c", "call": "send", "bytes": 50000},
               {"at": "30s", "call": "close", "socket": "c"}],
    "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
               {"on": "data", "socket": "s", "call": "send", "bytes": 700},
               {"on": "peer_closed", "socket": "s", "call": "close"}]
  },
  "expect": [{"type": "stream_integrity", "ok": true}]
})";

}  // namespace

TEST_CASE("the same scenario and seed give a byte-identical JSON trace") {
    const Scenario sc = load(kLossy);
    const std::string first = json_trace(sc);
    const std::string second = json_trace(load(kLossy));
    CHECK(first.size() > 10000);
    CHECK(first == second);
    CHECK(first.find("\"event\":\"drop\"") != std::string::npos);
    CHECK(first.find("\"event\":\"duplicate\"") != std::string::npos);
    CHECK(json_trace(load(kLossy, {"/seed=8"})) != first);
}

TEST_CASE("a lossy, duplicating, reordering link still delivers every byte intact") {
    const Scenario sc = load(kLossy);
    Trace trace;
    World world(sc, trace);
    world.run();
    const auto results = check_expectations(sc, trace);
    REQUIRE(results.size() == 1);
    CHECK_MESSAGE(results[0].passed, results[0].actual);
    std::int64_t read = 0;
    for (const TraceEvent& e : trace.events())
        if (e.kind == TraceKind::Call && e.call == CallKind::Recv && e.host == 1) read += e.value;
    CHECK(read == 50000);
}

TEST_CASE("adding a link does not change what happens on another link") {
    const std::string base = R"({
      "hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}%EXTRA_HOST%},
      "links": [{"between": ["a", "b"], "loss": 0.3}%EXTRA_LINK%],
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "b:80"},
                     {"on": "connected", "socket": "c", "call": "send", "bytes": 20000}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"}]}
    })";
    auto with = [&](const std::string& host, const std::string& link) {
        std::string s = base;
        s.replace(s.find("%EXTRA_HOST%"), 12, host);
        s.replace(s.find("%EXTRA_LINK%"), 12, link);
        return s;
    };
    const std::string plain = json_trace(load(with("", "")));
    std::string extended = json_trace(load(with(R"(, "c": {"address": "10.0.0.3"})",
                                                R"(, {"between": ["a", "c"], "loss": 0.5})")));
    // The run-start line lists the hosts; everything after it must be identical.
    CHECK(plain.substr(plain.find('\n')) == extended.substr(extended.find('\n')));
}

TEST_CASE("a scenario that would run forever stops at the time cap or the event cap") {
    const std::string ping_pong = R"({
      "hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "delay": "10ms"}],
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "b:80"},
                     {"on": "connected", "socket": "c", "call": "send", "bytes": 1},
                     {"on": "data", "socket": "c", "call": "send", "bytes": 1}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                     {"on": "data", "socket": "s", "call": "send", "bytes": 1}]},
      "limits": {"time": "10s", "events": 100000}
    })";
    {
        Trace trace;
        const Scenario sc = load(ping_pong);
        World world(sc, trace);
        const TraceSummary s = world.run();
        CHECK(s.end == RunEnd::TimeCap);
        CHECK(s.end_time == Time{} + seconds(10));
    }
    {
        Trace trace;
        const Scenario sc = load(ping_pong, {"/limits/events=500"});
        World world(sc, trace);
        const TraceSummary s = world.run();
        CHECK(s.end == RunEnd::EventCap);
        CHECK(s.events_run == 500);
    }
    {
        Trace trace;
        const Scenario sc = load(ping_pong, {"/duration=\"5s\""});
        World world(sc, trace);
        CHECK(world.run().end == RunEnd::DurationReached);
    }
}

TEST_CASE("durations at the 100-day cap never move the clock backwards") {
    // Each is summed with others at run time: a delay with jitter and a fault's delay, a
    // time plus `every`, TCP_KEEPIDLE after the last segment.
    const Scenario sc = load(R"({
      "hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "delay": "2400h", "jitter": "2400h", "reorder": 1,
                 "reorder_delay": "2400h"}],
      "faults": [{"match": {"flags": "SYN"}, "action": "delay", "delay": "2400h"}],
      "apps": {"a": [{"at": "2400h", "call": "connect", "socket": "c", "to": "b:80",
                      "options": {"SO_KEEPALIVE": true, "TCP_KEEPIDLE": "2400h"}},
                     {"on": "connected", "socket": "c", "call": "send", "bytes": 1, "every": "2400h"}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80}]},
      "limits": {"time": "2400h"}
    })");
    Trace trace;
    World world(sc, trace);
    const TraceSummary s = world.run();
    CHECK(s.end == RunEnd::TimeCap);
    CHECK(s.end_time == Time{} + seconds(8'640'000));
    Time last{};
    for (const TraceEvent& e : trace.events()) {
        CHECK(e.t >= last);
        last = e.t;
    }
    CHECK(last == Time{} + seconds(8'640'000));
}

TEST_CASE("a reaction that reads one byte per data event runs as events, not as a recursion per byte") {
    // Regression: each 0 s reaction ran inline, so recv -> data -> recv nested once per byte
    // and 100,000 bytes overflowed the stack.
    const Scenario sc = load(R"({
      "hosts": {"client": {"address": "10.0.0.1"}, "server": {"address": "10.0.0.2"}},
      "links": [{"between": ["client", "server"]}],
      "apps": {
        "client": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80", "autoread": false},
                   {"on": "data", "socket": "c", "call": "recv", "bytes": 1}],
        "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                   {"on": "connected", "socket": "s", "call": "send", "bytes": 100000}]
      }
    })");
    Trace trace;
    World world(sc, trace);
    CHECK(world.run().end == RunEnd::Quiescent);
    int one_byte_reads = 0;
    for (const TraceEvent& e : trace.events())
        if (e.kind == TraceKind::Call && e.call == CallKind::Recv && e.value == 1) ++one_byte_reads;
    CHECK(one_byte_reads == 100000);
}

TEST_CASE("bytes that arrive with the FIN stay readable after the connection enters TIME_WAIT") {
    // Regression: the TIME_WAIT record replaced the connection before the application read.
    const Scenario sc = load(R"({
      "hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "delay": "10ms"}],
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "b:80", "autoread": false},
                     {"at": "50ms", "call": "shutdown", "socket": "c", "how": "wr"},
                     {"at": "1s", "call": "recv", "socket": "c"}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                     {"on": "peer_closed", "socket": "s", "call": "send", "text": "bye"},
                     {"on": "peer_closed", "socket": "s", "call": "close"}]}
    })");
    Trace trace;
    World world(sc, trace);
    world.run();
    CHECK(socket_state_at(trace, "a", "c", Time{} + milliseconds(500)) == State::TimeWait);
    bool read_bye = false;
    for (const TraceEvent& e : trace.events())
        if (e.kind == TraceKind::Call && e.call == CallKind::Recv && e.host == 0 && e.value == 3 &&
            e.t == Time{} + seconds(1))
            read_bye = e.integrity_ok;
    CHECK(read_bye);
}

TEST_CASE("every complete scenario in scenarios/README.md runs and passes its expectations") {
    // The documentation's examples (the first one, loopback, NAT) must not drift from the
    // code; fragments (one link, one fault) have no "hosts" and are skipped.
    std::ifstream in(fs::path(TCPSIM_SOURCE_DIR) / "scenarios" / "README.md");
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int complete = 0;
    for (std::size_t start = doc.find("```json\n"); start != std::string::npos;
         start = doc.find("```json\n", start + 8)) {
        const auto end = doc.find("```", start + 8);
        const std::string block = doc.substr(start + 8, end - start - 8);
        if (block.find("\"hosts\"") == std::string::npos || block.front() != '{') continue;
        const Scenario sc = load(block);
        Trace trace;
        World world(sc, trace);
        world.run();
        for (const ExpectationResult& res : check_expectations(sc, trace))
            CHECK_MESSAGE(res.passed, res.expectation->pointer << ": " << res.actual);
        ++complete;
    }
    CHECK(complete == 3);
}

TEST_CASE("every scenario in the catalogue passes its expectations") {
    const fs::path dir = fs::path(TCPSIM_SOURCE_DIR) / "scenarios";
    int checked = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        LoadResult r = load_scenario_file(entry.path().string());
        if (auto* e = std::get_if<UserError>(&r)) FAIL(e->message());
        const Scenario& sc = std::get<Scenario>(r);
        Trace trace;
        World world(sc, trace);
        const TraceSummary summary = world.run();
        CHECK_MESSAGE(summary.end != RunEnd::EventCap, sc.name);
        CHECK_MESSAGE(!sc.expectations.empty(), sc.name);
        for (const ExpectationResult& res : check_expectations(sc, trace))
            CHECK_MESSAGE(res.passed, sc.name << " " << res.expectation->pointer << ": expected "
                                               << res.expected << ", actual " << res.actual);
        ++checked;
    }
    CHECK(checked >= 9);
}

namespace {

// Segment events of one kind from a trace, as "event flags len" strings in order.
std::vector<std::string> segment_events(const Trace& t, SegmentEvent what) {
    std::vector<std::string> out;
    for (const TraceEvent& e : t.events())
        if (e.kind == TraceKind::Segment && e.segment_event == what)
            out.push_back(to_string(e.flags) + " " + std::to_string(e.len) + " " + std::string(to_string(e.reason)));
    return out;
}

Trace run_text(const std::string& text) {
    Trace trace;
    const Scenario sc = load(text);
    World world(sc, trace);
    world.run();
    return trace;
}

const char* kFaultBase = R"({
  "hosts": {"a": {"address": "10.0.0.1", "isn": 100}, "b": {"address": "10.0.0.2", "isn": 500}},
  "links": [{"between": ["a", "b"], "delay": "10ms" %LINK%}],
  "faults": [%FAULTS%],
  "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "b:80"},
                 {"on": "connected", "socket": "c", "call": "send", "bytes": 5000},
                 {"at": "20s", "call": "close", "socket": "c"}],
           "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                 {"on": "peer_closed", "socket": "s", "call": "close"}]},
  "expect": [{"type": "stream_integrity"}]
})";

std::string faults(const std::string& f, const std::string& link = "") {
    std::string s = kFaultBase;
    s.replace(s.find("%LINK%"), 6, link);
    s.replace(s.find("%FAULTS%"), 8, f);
    return s;
}

}  // namespace

TEST_CASE("a fault with times drops the first matching segments only, then lets them through") {
    const Trace t = run_text(faults(R"({"match": {"from": "a", "len": 1460, "times": 2}, "action": "drop"})"));
    CHECK(segment_events(t, SegmentEvent::Drop) == std::vector<std::string>{"PSH|ACK 1460 fault", "PSH|ACK 1460 fault"});
}

TEST_CASE("a fault's time window limits it to segments sent inside [after, before)") {
    // The data goes at 20 ms; only FIN-time segments (20 s) fall in the window.
    const Trace t = run_text(faults(R"({"match": {"from": "a", "after": "10s", "before": "30s"}, "action": "drop"})"));
    const auto drops = segment_events(t, SegmentEvent::Drop);
    REQUIRE_FALSE(drops.empty());
    CHECK(drops.front() == "FIN|ACK 0 fault");
}

TEST_CASE("a duplicate fault delivers the segment twice and the receiver ACKs the copy") {
    const Trace t = run_text(faults(R"({"match": {"from": "a", "flags": "PSH|ACK", "nth": 1}, "action": "duplicate"})"));
    CHECK(segment_events(t, SegmentEvent::Duplicate) == std::vector<std::string>{"PSH|ACK 1460 fault"});
    int delivered = 0;
    for (const TraceEvent& e : t.events())
        if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Deliver && e.len == 1460 && e.host == 1)
            ++delivered;
    CHECK(delivered == 4);  // 5000 bytes make 3 full segments, and the first arrives twice
}

TEST_CASE("reordering holds a segment back by reorder_delay and jitter stays within its bound") {
    const Trace t = run_text(faults("", R"(, "reorder": 1, "reorder_delay": "5ms", "jitter": "2ms")"));
    const auto delayed = segment_events(t, SegmentEvent::Delay);
    REQUIRE_FALSE(delayed.empty());
    CHECK(delayed.front().find("reorder") != std::string::npos);
    // Every delivery lands 15..17 ms after its send (10 ms + 5 ms reorder + up to 2 ms jitter).
    for (const TraceEvent& e : t.events())
        if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Deliver && e.flags == Flags::Syn)
            CHECK((e.t >= Time{} + milliseconds(15) && e.t <= Time{} + milliseconds(17)));
}
