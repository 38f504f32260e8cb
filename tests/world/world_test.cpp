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

std::string json_trace(const Scenario& sc) {
    Trace trace;
    World world(sc, trace);
    world.run();
    std::ostringstream out;
    write_json_lines(trace, out);
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
        World world(load(ping_pong), trace);
        const TraceSummary s = world.run();
        CHECK(s.end == RunEnd::TimeCap);
        CHECK(s.end_time == Time{} + seconds(10));
    }
    {
        Trace trace;
        World world(load(ping_pong, {"/limits/events=500"}), trace);
        const TraceSummary s = world.run();
        CHECK(s.end == RunEnd::EventCap);
        CHECK(s.events_run == 500);
    }
    {
        Trace trace;
        World world(load(ping_pong, {"/duration=\"5s\""}), trace);
        CHECK(world.run().end == RunEnd::DurationReached);
    }
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

TEST_CASE("the complete example in scenarios/README.md runs and passes its expectations") {
    std::ifstream in(fs::path(TCPSIM_SOURCE_DIR) / "scenarios" / "README.md");
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto start = doc.find("```json\n");
    REQUIRE(start != std::string::npos);
    const auto end = doc.find("```", start + 8);
    const Scenario sc = load(doc.substr(start + 8, end - start - 8));
    Trace trace;
    World world(sc, trace);
    world.run();
    for (const ExpectationResult& res : check_expectations(sc, trace))
        CHECK_MESSAGE(res.passed, res.expectation->pointer << ": " << res.actual);
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
