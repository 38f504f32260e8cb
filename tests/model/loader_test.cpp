#include "tcpsim/scenario/loader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace tcpsim;

namespace {

constexpr const char* kFile = "scenarios/test_case.json";

Scenario load_ok(std::string_view json, const std::vector<std::string>& overrides = {}) {
    LoadResult r = load_scenario_text(json, kFile, overrides);
    const UserError* e = std::get_if<UserError>(&r);
    REQUIRE_MESSAGE(e == nullptr, (e ? e->message() : std::string()));
    return std::get<Scenario>(std::move(r));
}

UserError load_error(std::string_view json, const std::vector<std::string>& overrides = {}) {
    LoadResult r = load_scenario_text(json, kFile, overrides);
    REQUIRE_MESSAGE(std::holds_alternative<UserError>(r), "the scenario loaded");
    UserError e = std::get<UserError>(std::move(r));
    CHECK(e.file == kFile);
    return e;
}

std::string json_quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// Two hosts: the client connects as "c", the server listens as "l" and accepts as "s".
// The arguments splice in more client actions, server actions and top-level members.
std::string two_hosts(std::string_view client_more = "", std::string_view server_more = "",
                      std::string_view top_more = "") {
    auto more = [](std::string_view json) {
        return json.empty() ? std::string() : ",\n" + std::string(json);
    };
    return R"({
  "hosts": {"client": {"address": "10.0.0.1"}, "server": {"address": "10.0.0.2"}},
  "apps": {
    "client": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80"})" +
           more(client_more) + R"(],
    "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"})" +
           more(server_more) + "]}" + more(top_more) + "}";
}

std::string two_hosts_expecting(std::string_view expectation) {
    return two_hosts("", "", R"("expect": [)" + std::string(expectation) + "]");
}

const std::string kTwoHosts = two_hosts();

}  // namespace

TEST_CASE("a complete scenario loads with every field as given") {
    const Scenario s = load_ok(R"({
      "name": "hello",
      "description": "a client sends 100 bytes",
      "seed": 7,
      "duration": "300s",
      "limits": {"time": "10min", "events": 5000},
      "hosts": {
        "client": {"address": "10.0.0.1", "profile": "linux", "msl": "20s", "isn": 1000,
                   "sysctl": {"net.ipv4.tcp_syn_retries": 3, "time_wait": "10s",
                              "net.ipv4.ip_local_port_range": "40000 40001"}},
        "server": {"address": "10.0.0.2", "profile": "bsd"}
      },
      "links": [
        {"between": ["client", "server"], "delay": "10ms", "jitter": "2ms", "loss": 0.25,
         "duplicate": 0.5, "reorder": 0.125, "reorder_delay": "3ms",
         "client->server": {"loss": 0.1}, "server->client": {}}
      ],
      "faults": [
        {"description": "lose the final ACK",
         "match": {"from": "client", "flags": "ACK", "len": 0, "nth": 2}, "action": "drop"},
        {"match": {"times": 3, "after": "1s", "before": "5s"}, "action": "delay", "delay": "90s"},
        {"action": "duplicate"}
      ],
      "apps": {
        "client": [
          {"at": "0s", "call": "connect", "socket": "c", "to": "server:80", "from_port": 40000,
           "autoread": false},
          {"on": "connected", "socket": "c", "after": "10ms", "call": "send", "bytes": 100},
          {"on": "data", "socket": "c", "call": "recv", "bytes": 50},
          {"on": "peer_closed", "socket": "c", "call": "close"}
        ],
        "server": [
          {"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s",
           "autoread": true},
          {"on": "data", "socket": "s", "call": "send", "text": "hello"},
          {"on": "data", "socket": "s", "call": "shutdown", "how": "rdwr"},
          {"on": "error", "socket": "s", "call": "abort"}
        ]
      },
      "expect": [
        {"type": "state", "host": "client", "socket": "c", "at": "1s", "is": "TIME-WAIT",
         "why": "the client closed first"},
        {"type": "final_state", "host": "server", "socket": "s.2", "is": "CLOSED"},
        {"type": "segments", "from": "client", "event": "drop", "flags": "FIN|ACK", "len": 0,
         "min": 1, "max": 2},
        {"type": "call", "host": "client", "socket": "c", "call": "connect",
         "result": "ECONNREFUSED", "at": "2s"},
        {"type": "call", "host": "client", "socket": "c", "call": "recv", "result": 50},
        {"type": "transition", "host": "client", "socket": "c", "from": "FIN_WAIT_2",
         "to": "TIME_WAIT", "at": "1s", "count": 1},
        {"type": "timer", "host": "client", "socket": "c", "timer": "time_wait",
         "action": "expire", "count": 1},
        {"type": "stream_integrity", "ok": false, "host": "server", "socket": "s"},
        {"type": "run_end", "is": "duration"}
      ]
    })");

    CHECK(s.file == kFile);
    CHECK(s.name == "hello");
    CHECK(s.description == "a client sends 100 bytes");
    CHECK(s.seed == 7);
    CHECK(s.limits.duration == Time{} + seconds(300));
    CHECK(s.limits.time_cap == Time{} + minutes(10));
    CHECK(s.limits.event_cap == 5000);

    REQUIRE(s.hosts.size() == 2);
    const HostConfig& client = s.hosts[0];
    CHECK(client.name == "client");
    CHECK(client.address == Ipv4::parse("10.0.0.1"));
    CHECK(client.rules.name == "linux");
    CHECK(client.rules.msl == seconds(20));
    CHECK(client.rules.syn_retries == 3);
    CHECK(client.rules.time_wait_length() == seconds(10));
    CHECK(client.rules.ephemeral_low == 40000);
    CHECK(client.rules.ephemeral_high == 40001);
    CHECK(client.isn == 1000u);
    CHECK(client.pointer == "/hosts/client");
    CHECK(s.hosts[1].rules.name == "bsd");
    CHECK_FALSE(s.hosts[1].isn.has_value());

    REQUIRE(s.links.size() == 1);
    const LinkConfig& link = s.links[0];
    CHECK(link.a == "client");
    CHECK(link.b == "server");
    CHECK(link.pointer == "/links/0");
    CHECK(link.a_to_b.loss == 0.1);  // the override
    CHECK(link.b_to_a.loss == 0.25);
    for (const LinkDirectionConfig* d : {&link.a_to_b, &link.b_to_a}) {
        CHECK(d->delay == milliseconds(10));
        CHECK(d->jitter == milliseconds(2));
        CHECK(d->duplicate == 0.5);
        CHECK(d->reorder == 0.125);
        CHECK(d->reorder_delay == milliseconds(3));
    }

    REQUIRE(s.faults.size() == 3);
    const FaultConfig& lose = s.faults[0];
    CHECK(lose.description == "lose the final ACK");
    CHECK(lose.match.from == "client");
    CHECK(lose.match.flags == Flags::Ack);
    CHECK(lose.match.len == 0u);
    CHECK(lose.match.nth == 2u);
    CHECK_FALSE(lose.match.times.has_value());
    CHECK(lose.action == FaultAction::Drop);
    CHECK(lose.pointer == "/faults/0");
    const FaultConfig& hold = s.faults[1];
    CHECK(hold.match.times == 3u);
    CHECK(hold.match.after == Time{} + seconds(1));
    CHECK(hold.match.before == Time{} + seconds(5));
    CHECK(hold.action == FaultAction::Delay);
    CHECK(hold.delay == seconds(90));
    CHECK(s.faults[2].action == FaultAction::Duplicate);

    REQUIRE(s.apps.size() == 2);
    CHECK(s.apps[0].host == "client");
    REQUIRE(s.apps[0].actions.size() == 4);
    const AppAction& connect = s.apps[0].actions[0];
    CHECK(connect.trigger == Trigger::At);
    CHECK(connect.at == Time{});
    CHECK(connect.call == CallKind::Connect);
    CHECK(connect.socket == "c");
    REQUIRE(connect.setup);
    CHECK(connect.setup->to_host == "server");
    CHECK_FALSE(connect.setup->to_ip.has_value());
    CHECK(connect.setup->to_port == 80);
    CHECK(connect.setup->from_port == std::uint16_t{40000});
    CHECK_FALSE(connect.setup->autoread);
    CHECK(connect.pointer == "/apps/client/0");
    const AppAction& send = s.apps[0].actions[1];
    CHECK(send.trigger == Trigger::Connected);
    CHECK(send.after == milliseconds(10));
    CHECK(send.call == CallKind::Send);
    CHECK(send.bytes == 100);
    CHECK(send.text.empty());
    CHECK_FALSE(send.setup);
    const AppAction& recv = s.apps[0].actions[2];
    CHECK(recv.trigger == Trigger::Data);
    CHECK(recv.max_bytes == 50);
    CHECK(s.apps[0].actions[3].trigger == Trigger::PeerClosed);
    CHECK(s.apps[0].actions[3].call == CallKind::Close);

    REQUIRE(s.apps[1].actions.size() == 4);
    const AppAction& listen = s.apps[1].actions[0];
    CHECK(listen.call == CallKind::Listen);
    REQUIRE(listen.setup);
    CHECK(listen.setup->port == 80);
    CHECK(listen.setup->accept_as == "s");
    CHECK(listen.setup->autoread);
    const AppAction& reply = s.apps[1].actions[1];
    CHECK(reply.text == "hello");
    CHECK(reply.bytes == 5);
    CHECK(s.apps[1].actions[2].how == ShutdownHow::Both);
    CHECK(s.apps[1].actions[3].trigger == Trigger::Error);
    CHECK(s.apps[1].actions[3].call == CallKind::Abort);

    REQUIRE(s.expectations.size() == 9);
    const auto& e = s.expectations;
    CHECK(e[0].kind == ExpectKind::StateAt);
    CHECK(e[0].host == "client");
    CHECK(e[0].socket == "c");
    CHECK(e[0].at == Time{} + seconds(1));
    CHECK(e[0].state == State::TimeWait);
    CHECK(e[0].description == "the client closed first");
    CHECK(e[0].pointer == "/expect/0");
    CHECK(e[1].kind == ExpectKind::FinalState);
    CHECK(e[1].socket == "s.2");
    CHECK(e[1].state == State::Closed);
    CHECK(e[2].kind == ExpectKind::Segments);
    CHECK(e[2].host == "client");
    CHECK(e[2].segment_event == SegmentEvent::Drop);
    CHECK(e[2].flags == (Flags::Fin | Flags::Ack));
    CHECK(e[2].len == 0u);
    CHECK(e[2].count.min == 1u);
    CHECK(e[2].count.max == 2u);
    CHECK_FALSE(e[2].count.equals.has_value());
    CHECK(e[3].kind == ExpectKind::CallResult);
    CHECK(e[3].call == CallKind::Connect);
    CHECK(e[3].error == Errno::ConnRefused);
    CHECK_FALSE(e[3].value.has_value());
    CHECK(e[3].at == Time{} + seconds(2));
    CHECK(e[4].value == 50);
    CHECK_FALSE(e[4].error.has_value());
    CHECK(e[5].kind == ExpectKind::Transition);
    CHECK(e[5].from_state == State::FinWait2);
    CHECK(e[5].state == State::TimeWait);
    CHECK(e[5].at == Time{} + seconds(1));
    CHECK(e[5].count.equals == 1u);
    CHECK(e[6].kind == ExpectKind::Timer);
    CHECK(e[6].timer == TimerKind::TimeWait);
    CHECK(e[6].timer_action == TimerAction::Expire);
    CHECK(e[6].count.equals == 1u);
    CHECK(e[7].kind == ExpectKind::StreamIntegrity);
    CHECK_FALSE(e[7].integrity_ok);
    CHECK(e[7].host == "server");
    CHECK(e[7].socket == "s");
    CHECK(e[8].kind == ExpectKind::RunEnd);
    CHECK(e[8].run_end == RunEnd::DurationReached);
}

TEST_CASE("omitted fields take their documented defaults") {
    const Scenario s = load_ok(R"({
      "hosts": {"client": {"address": "10.0.0.1"}, "server": {"address": "10.0.0.2"}},
      "links": [{"between": ["client", "server"]}],
      "apps": {
        "client": [{"at": "1s", "call": "connect", "socket": "c", "to": "10.0.0.2:80"},
                   {"on": "data", "socket": "c", "call": "recv"},
                   {"on": "data", "socket": "c", "call": "shutdown"}],
        "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80}]
      },
      "expect": [
        {"type": "segments", "count": 3},
        {"type": "transition", "host": "server", "socket": "l_conn", "to": "ESTABLISHED"},
        {"type": "stream_integrity"}
      ]
    })");
    CHECK(s.name == "test_case");  // the file's stem
    CHECK(s.description.empty());
    CHECK(s.seed == 1);
    CHECK_FALSE(s.limits.duration.has_value());
    CHECK(s.limits.time_cap == Time{} + minutes(60));
    CHECK(s.limits.event_cap == 10'000'000);

    CHECK(s.hosts[0].rules.name == "rfc793");
    CHECK(s.hosts[0].rules.msl == find_profile("rfc793")->msl);
    CHECK(s.hosts[0].pointer == "/hosts/client");

    const LinkDirectionConfig defaults;
    CHECK(s.links[0].a_to_b.delay == defaults.delay);
    CHECK(s.links[0].b_to_a.loss == defaults.loss);
    CHECK(s.links[0].b_to_a.reorder_delay == defaults.reorder_delay);

    const AppAction& connect = s.apps[0].actions[0];
    REQUIRE(connect.setup);
    CHECK(connect.setup->to_host.empty());
    CHECK(connect.setup->to_ip == Ipv4::parse("10.0.0.2"));
    CHECK_FALSE(connect.setup->from_port.has_value());
    CHECK(connect.setup->autoread);
    CHECK(s.apps[0].actions[1].max_bytes == 0);
    CHECK(s.apps[0].actions[1].after == Duration{});
    CHECK(s.apps[0].actions[2].how == ShutdownHow::Write);
    CHECK(s.apps[1].actions[0].setup->accept_as == "l_conn");

    CHECK(s.expectations[0].host.empty());
    CHECK(s.expectations[0].segment_event == SegmentEvent::Send);
    CHECK(s.expectations[0].count.equals == 3u);
    CHECK(s.expectations[1].count.min == 1u);  // a transition happened at least once
    CHECK(s.expectations[2].integrity_ok);
    CHECK(s.expectations[2].host.empty());
}

TEST_CASE("a fault without a description is described from its match") {
    const Scenario s = load_ok(R"({
      "hosts": {"client": {"address": "10.0.0.1"}, "server": {"address": "10.0.0.2"}},
      "links": [{"between": ["client", "server"]}],
      "faults": [
        {"match": {"from": "client", "flags": "ACK", "len": 0, "nth": 2}, "action": "drop"},
        {"match": {"times": 1, "flags": "RST"}, "action": "duplicate"},
        {"match": {"nth": 13, "after": "1s", "before": "2500ms"}, "action": "delay",
         "delay": "90s"},
        {"match": {"times": 4, "before": "5s"}, "action": "drop"},
        {"action": "drop"}
      ]
    })");
    CHECK(s.faults[0].description == "drop the 2nd segment from client with flags ACK, len 0");
    CHECK(s.faults[1].description == "duplicate the first segment with flags RST");
    CHECK(s.faults[2].description == "delay the 13th segment sent between 1s and 2500ms by 90s");
    CHECK(s.faults[3].description == "drop the first 4 segments sent before 5s");
    CHECK(s.faults[4].description == "drop every segment");
}

TEST_CASE("malformed JSON is reported with its line and column") {
    const UserError e = load_error("{\n  \"seed\": 1,\n  \"hosts\": }\n");
    CHECK(e.pointer == "");
    CHECK(e.expected == "valid JSON");
    CHECK(contains(e.found, "syntax error at line 3, column 12: "));
    CHECK(contains(e.found, "unexpected '}'"));
}

TEST_CASE("a number too large for a double is a syntax error with its place") {
    const UserError e = load_error("{\"seed\": 1e999}");
    CHECK(e.expected == "valid JSON");
    CHECK(contains(e.found, "line 1, column"));
    CHECK(contains(e.found, "1e999"));
}

TEST_CASE("a key given twice in one object is rejected at its pointer") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "address": "10.0.0.2"}}})");
    CHECK(e.pointer == "/hosts/a/address");
    CHECK(contains(e.expected, "each key once"));
    CHECK(e.found == "a key given twice");
}

TEST_CASE("nesting deeper than 64 levels is rejected at the too-deep value, however deep the file goes") {
    // Regression: 10^5 nested arrays followed by a key overflowed the stack (growing the
    // object copied the deep value recursively).
    const std::size_t n = 100000;
    const std::string deep = std::string(n, '[') + std::string(n, ']');
    const UserError e = load_error(R"({"description": )" + deep + R"(, "hosts": {"a": {"address": "10.0.0.1"}}})");
    std::string pointer = "/description";
    for (int level = 3; level <= 65; ++level) pointer += "/0";
    CHECK(e.pointer == pointer);
    CHECK(e.expected == "at most 64 levels of nesting");
    CHECK(e.found == "an array 65 levels deep");
    // 64 levels load: the root object and 63 arrays.
    const std::string ok = std::string(63, '[') + std::string(63, ']');
    const UserError at_65 = load_error(R"({"description": [)" + ok + R"(], "hosts": {}})");
    CHECK(at_65.found == "an array 65 levels deep");
    const UserError at_64 = load_error(R"({"description": )" + ok + R"(, "hosts": {}})");
    CHECK(at_64.pointer == "/description");  // parsed, then read as the string it is not
    CHECK(at_64.expected == "a string");
}

TEST_CASE("a --set value counts its place in the document towards the nesting limit") {
    const std::string value = std::string(62, '[') + std::string(62, ']');  // levels 3..64 under /hosts/x
    CHECK(load_error(kTwoHosts, {"/hosts/x=" + value}).pointer == "/hosts/x");  // loads, then is no host
    const UserError e = load_error(kTwoHosts, {"/hosts/x=[" + value + "]"});
    std::string pointer = "/hosts/x";
    for (int level = 4; level <= 65; ++level) pointer += "/0";
    CHECK(e.pointer == pointer);
    CHECK(e.expected == "at most 64 levels of nesting");
}

TEST_CASE("an object of many members keeps them all, in file order, each given once") {
    std::string hosts;
    for (int i = 0; i < 3000; ++i)
        hosts += (i ? ", " : "") + ("\"h" + std::to_string(i) + "\": {\"address\": \"10.0." +
                                    std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "\"}");
    const Scenario s = load_ok("{\"hosts\": {" + hosts + "}}");
    REQUIRE(s.hosts.size() == 3000);
    CHECK(s.hosts[0].name == "h0");
    CHECK(s.hosts[2999].name == "h2999");
    const UserError twice = load_error("{\"hosts\": {" + hosts + ", \"h17\": {}}}");
    CHECK(twice.pointer == "/hosts/h17");
    CHECK(twice.found == "a key given twice");
}

TEST_CASE("a document that is not an object is rejected") {
    const UserError e = load_error("[1, 2]");
    CHECK(e.pointer == "");
    CHECK(e.expected == "a JSON object");
    CHECK(e.found == "[1,2]");
}

TEST_CASE("a missing hosts object is rejected") {
    const UserError e = load_error("{}");
    CHECK(e.pointer == "/hosts");
    CHECK(e.found == "a missing field");
    CHECK(load_error(R"({"hosts": {}})").expected == "at least one host");
}

TEST_CASE("an unknown top-level key is rejected and the allowed keys are listed") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}}, "sede": 3})");
    CHECK(e.pointer == "/sede");
    CHECK(contains(e.expected, "one of the keys name, description, seed"));
    CHECK(e.found == R"(unknown key "sede")");
}

TEST_CASE("an unknown key inside a host is rejected with its pointer") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "mls": "30s"}}})");
    CHECK(e.pointer == "/hosts/a/mls");
    CHECK(e.expected == "one of the keys address, profile, msl, isn, timestamp_offset, sysctl");
    CHECK(e.found == R"(unknown key "mls")");
}

TEST_CASE("a key that belongs to another call is rejected") {
    const UserError e = load_error(R"({
      "hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "a:80", "port": 80}]}
    })");
    CHECK(e.pointer == "/apps/a/0/port");
    CHECK(contains(e.expected, R"(with "call": "connect", one of the keys)"));
    CHECK(contains(e.expected, "from_port"));
    CHECK(e.found == R"(unknown key "port")");
}

TEST_CASE("a key that belongs to another expectation type is rejected") {
    const UserError e = load_error(R"({
      "hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "run_end", "is": "quiescent", "count": 1}]
    })");
    CHECK(e.pointer == "/expect/0/count");
    CHECK(e.expected == R"(with "type": "run_end", one of the keys type, why, is)");
}

TEST_CASE("a field of the wrong type is rejected with the value found") {
    const UserError seed = load_error(R"({"seed": "1", "hosts": {"a": {"address": "10.0.0.1"}}})");
    CHECK(seed.pointer == "/seed");
    CHECK(seed.expected == "a non-negative integer");
    CHECK(seed.found == R"("1")");

    const UserError hosts = load_error(R"({"hosts": ["a", "b"]})");
    CHECK(hosts.pointer == "/hosts");
    CHECK(contains(hosts.expected, "an object of hosts"));
    CHECK(hosts.found == R"(["a","b"])");
}

TEST_CASE("a long value found is shortened") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "description": [1111111111, 2222222222, 3333333333, 4444444444, 5555555555, 6666666666]})");
    CHECK(e.pointer == "/description");
    CHECK(e.found.size() <= 60);
    CHECK(e.found.starts_with("[1111111111,2222222222,"));
    CHECK(e.found.ends_with("..."));
}

TEST_CASE("an integer field rejects fractions, negatives and out-of-range values") {
    const UserError fraction =
        load_error(R"({"seed": 1.0, "hosts": {"a": {"address": "10.0.0.1"}}})");
    CHECK(fraction.pointer == "/seed");
    CHECK(fraction.found == "1.0");
    const UserError isn =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "isn": 4294967296}}})");
    CHECK(isn.pointer == "/hosts/a/isn");
    CHECK(isn.expected == "an integer from 0 to 4294967295");
    CHECK(isn.found == "4294967296");
    const UserError events =
        load_error(R"({"limits": {"events": 0}, "hosts": {"a": {"address": "10.0.0.1"}}})");
    CHECK(events.pointer == "/limits/events");
    CHECK(events.expected == "a positive integer");
    const UserError port = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "call": "listen", "socket": "l", "port": -80}]}})");
    CHECK(port.pointer == "/apps/a/0/port");
    CHECK(port.expected == "an integer from 1 to 65535");
    CHECK(port.found == "-80");
}

TEST_CASE("a boolean field accepts only true or false") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "call": "listen", "socket": "l", "port": 80,
                     "autoread": "yes"}]}})");
    CHECK(e.pointer == "/apps/a/0/autoread");
    CHECK(e.expected == "true or false");
    CHECK(e.found == R"("yes")");
}

TEST_CASE("a negative duration is rejected") {
    const UserError e =
        load_error(R"({"duration": "-5s", "hosts": {"a": {"address": "10.0.0.1"}}})");
    CHECK(e.pointer == "/duration");
    CHECK(contains(e.expected, "non-negative duration"));
    CHECK(e.found == R"("-5s")");
}

TEST_CASE("a fractional duration means exactly what it says, and one finer than 1 ns is rejected") {
    const Scenario s = load_ok(R"({"hosts": {"a": {"address": "10.0.0.1", "msl": "0.123456789h"}}})");
    CHECK(s.hosts[0].rules.msl == nanoseconds(444'444'440'400));
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "delay": "0.5ns"}]})");
    CHECK(e.pointer == "/links/0/delay");
    CHECK(e.expected == R"(a duration in whole nanoseconds, such as "1.5ms")");
    CHECK(e.found == R"("0.5ns")");
}

TEST_CASE("every duration field is at most 100 days, in every unit, and a longer one names its pointer") {
    auto link_delay = [](const std::string& d) {
        return R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
          "links": [{"between": ["a", "b"], "delay": ")" + d + R"("}]})";
    };
    for (const char* at_cap : {"8640000000000000ns", "8640000000000us", "8640000000ms", "8640000s",
                               "144000min", "144000m", "2400h"}) {
        CAPTURE(at_cap);
        CHECK(load_ok(link_delay(at_cap)).links[0].a_to_b.delay == seconds(8'640'000));
    }
    for (const char* beyond : {"8640000000000001ns", "8640000000000.001us", "8640000000.000001ms",
                               "8640000.000000001s", "144000.0000000001min", "144000.0000000001m",
                               "2400.0000000000025h", "153722867min"}) {
        CAPTURE(beyond);
        const UserError e = load_error(link_delay(beyond));
        CHECK(e.pointer == "/links/0/delay");
        CHECK(e.expected == "a duration of at most 2400h (100 days)");
        CHECK(e.found == json_quoted(beyond));
    }
    const UserError every = load_error(two_hosts(R"({"on": "connected", "socket": "c", "call": "send",
                                                    "bytes": 1, "every": "153722867min"})"));
    CHECK(every.pointer == "/apps/client/1/every");
    CHECK(every.expected == "a duration of at most 2400h (100 days)");
    const UserError idle = load_error(two_hosts(R"({"at": "1s", "socket": "c", "call": "setsockopt",
                                                   "options": {"TCP_KEEPIDLE": "153722867min"}})"));
    CHECK(idle.pointer == "/apps/client/1/options/TCP_KEEPIDLE");
    CHECK(idle.expected == "a duration of at most 2400h (100 days)");
}

TEST_CASE("a unit-less duration is rejected with its JSON pointer") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "delay": 200}]})");
    CHECK(e.pointer == "/links/0/delay");
    CHECK(e.expected == R"(a duration with a unit, such as "200ms")");
    CHECK(e.found == "200");
}

TEST_CASE("a zero run duration is rejected") {
    const UserError e =
        load_error(R"({"duration": "0s", "hosts": {"a": {"address": "10.0.0.1"}}})");
    CHECK(e.pointer == "/duration");
    CHECK(contains(e.expected, "positive duration"));
}

TEST_CASE("a probability outside [0,1] is rejected") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "b->a": {"loss": 1.5}}]})");
    CHECK(e.pointer == "/links/0/b->a/loss");
    CHECK(e.expected == "a probability from 0 to 1");
    CHECK(e.found == "1.5");
    CHECK(load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "reorder": -0.5}]})")
              .found == "-0.5");
}

TEST_CASE("a link direction key must name the link's own hosts") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "a->c": {}}]})");
    CHECK(e.pointer == "/links/0/a->c");
    CHECK(contains(e.expected, "a->b, b->a"));
}

TEST_CASE("an unknown host name in a link is rejected") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "srv"]}]})");
    CHECK(e.pointer == "/links/0/between/1");
    CHECK(e.expected == "one of the hosts a, b");
    CHECK(e.found == R"("srv")");
}

TEST_CASE("a link from a host to itself or a second link between the same pair is rejected") {
    const UserError self = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "links": [{"between": ["a", "a"]}]})");
    CHECK(self.pointer == "/links/0/between/1");
    CHECK(contains(self.expected, "a host other than"));
    const UserError twice =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"]}, {"between": ["b", "a"]}]})");
    CHECK(twice.pointer == "/links/1/between");
    CHECK(contains(twice.expected, "not already linked (/links/0)"));
}

TEST_CASE("an app script for an unknown host is rejected") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}}, "apps": {"b": []}})");
    CHECK(e.pointer == "/apps/b");
    CHECK(e.expected == "one of the hosts a");
    CHECK(e.found == R"("b")");
}

TEST_CASE("a connect to an unknown host is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "srv:80"}]}})");
    CHECK(e.pointer == "/apps/a/0/to");
    CHECK(contains(e.expected, "HOST:PORT"));
    CHECK(contains(e.expected, "one of the hosts a"));
    CHECK(e.found == R"("srv:80")");
    CHECK(load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "a:65536"}]}})")
              .pointer == "/apps/a/0/to");
}

TEST_CASE("a fault from an unknown host is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "faults": [{"match": {"from": "b"}, "action": "drop"}]})");
    CHECK(e.pointer == "/faults/0/match/from");
    CHECK(e.expected == "one of the hosts a");
    CHECK(e.found == R"("b")");
}

TEST_CASE("a fault from a host without links could never match and is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "faults": [{"match": {"from": "a"}, "action": "drop"}]})");
    CHECK(e.pointer == "/faults/0/match/from");
    CHECK(e.expected == "a host with a link (faults act on links; \"a\" has none, so its segments only loop back)");
    CHECK(e.found == R"("a")");
}

TEST_CASE("fault flags that no segment carries are rejected") {
    const std::string linked = R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"]}], "faults": [{"match": {"flags": ")";
    for (const char* ok : {"SYN", "SYN|ACK", "RST", "RST|ACK", "ACK", "PSH|ACK", "FIN|ACK", "FIN|PSH|ACK", "URG|ACK"}) {
        CAPTURE(ok);
        CHECK(load_ok(linked + ok + R"("}, "action": "drop"}]})").faults.size() == 1);
    }
    for (const char* never : {"SYN|FIN", "SYN|RST|ACK", "FIN|RST|ACK", "NONE", "FIN", "PSH", "FIN|PSH"}) {
        CAPTURE(never);
        const UserError e = load_error(linked + never + R"("}, "action": "drop"}]})");
        CHECK(e.pointer == "/faults/0/match/flags");
        CHECK(contains(e.expected, "flags a segment can carry"));
        CHECK(e.found == json_quoted(never));
    }
}

TEST_CASE("a fault length beyond the largest IPv4 payload is rejected") {
    const std::string linked = R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"]}], "faults": [{"match": {"len": )";
    CHECK(load_ok(linked + R"(65495}, "action": "drop"}]})").faults[0].match.len == 65495u);
    const UserError e = load_error(linked + R"(65496}, "action": "drop"}]})");
    CHECK(e.pointer == "/faults/0/match/len");
    CHECK(e.expected == "an integer from 0 to 65495 (an IPv4 packet holds at most 65495 bytes of TCP payload)");
}

TEST_CASE("a fault window that starts after the run ends, or ends at 0s, is rejected") {
    const std::string linked = R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"]}], "faults": [{"match": )";
    CHECK(load_ok(linked + R"({"after": "60min"}, "action": "drop"}]})").faults.size() == 1);
    const UserError cap = load_error(linked + R"({"after": "61min"}, "action": "drop"}]})");
    CHECK(cap.pointer == "/faults/0/match/after");
    CHECK(cap.expected == "a time no later than the end of the run (60min, /limits/time)");
    CHECK(cap.found == R"("61min")");
    const UserError duration =
        load_error(linked + R"({"after": "11s"}, "action": "drop"}], "duration": "10s"})");
    CHECK(duration.expected == "a time no later than the end of the run (10s, /duration)");
    const UserError empty = load_error(linked + R"({"before": "0s"}, "action": "drop"}]})");
    CHECK(empty.pointer == "/faults/0/match/before");
    CHECK(empty.expected == "a time later than 0s");
}

TEST_CASE("an expectation about an unknown host is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "final_state", "host": "b", "socket": "c", "is": "CLOSED"}]})");
    CHECK(e.pointer == "/expect/0/host");
    CHECK(e.expected == "one of the hosts a");
    CHECK(e.found == R"("b")");
}

TEST_CASE("an app action on an undeclared socket is rejected and the declared ones are listed") {
    const UserError e =
        load_error(two_hosts(R"({"on": "connected", "socket": "x", "call": "close"})"));
    CHECK(e.pointer == "/apps/client/1/socket");
    CHECK(contains(e.expected, R"(declared by a listen or connect in the apps of "client" (c))"));
    CHECK(e.found == R"("x")");
}

TEST_CASE("a reaction may come before the connect that declares its socket") {
    const Scenario s = load_ok(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"on": "connected", "socket": "c", "call": "close"},
                     {"at": "0s", "call": "connect", "socket": "c", "to": "a:80"}]}})");
    CHECK(s.apps[0].actions.size() == 2);
}

TEST_CASE("a socket name used for two kinds of socket is rejected") {
    const UserError e = load_error(
        two_hosts("", R"({"at": "1s", "call": "connect", "socket": "l", "to": "client:1"})"));
    CHECK(e.pointer == "/apps/server/1/socket");
    CHECK(contains(e.expected, "not already used for a listening socket (/apps/server/0/socket)"));
    CHECK(e.found == R"("l")");
    const UserError accepted = load_error(
        two_hosts("", R"({"at": "1s", "call": "connect", "socket": "s", "to": "client:1"})"));
    CHECK(contains(accepted.expected, "accepted connections (/apps/server/0/accept_as)"));
}

TEST_CASE("expectations name later accepted connections with a number suffix") {
    const Scenario s = load_ok(two_hosts_expecting(
        R"({"type": "final_state", "host": "server", "socket": "s.3", "is": "CLOSED"})"));
    CHECK(s.expectations[0].socket == "s.3");
    for (const char* bad : {"s.1", "s.02", "l.2", "c.2", "x"}) {
        CAPTURE(bad);
        const UserError e = load_error(two_hosts_expecting(
            R"({"type": "final_state", "host": "server", "is": "CLOSED", "socket": ")" +
            std::string(bad) + "\"}"));
        CHECK(e.pointer == "/expect/0/socket");
        CHECK(contains(e.expected, "(l, s); later accepted connections are s.2, s.3, ..."));
    }
}

TEST_CASE("an expectation on a host without apps has no sockets to name") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "state", "host": "a", "socket": "c", "at": "1s", "is": "CLOSED"}]})");
    CHECK(e.pointer == "/expect/0/socket");
    CHECK(contains(e.expected, "(none declared)"));
}

TEST_CASE("an unknown profile is rejected and the profiles are listed") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "profile": "plan9"}}})");
    CHECK(e.pointer == "/hosts/a/profile");
    CHECK(e.expected == "one of the profiles " + profile_names());
    CHECK(e.found == R"("plan9")");
}

TEST_CASE("an unknown sysctl knob is rejected at its escaped pointer") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "sysctl": {"net/ipv4~x": 1}}}})");
    CHECK(e.pointer == "/hosts/a/sysctl/net~1ipv4~0x");
    CHECK(contains(e.expected, "a known knob"));
    CHECK(contains(e.expected, "net.ipv4.tcp_syn_retries"));
}

TEST_CASE("a bad sysctl value is rejected with the knob's own expectation") {
    const UserError range = load_error(R"({"hosts": {"a": {"address": "10.0.0.1",
      "sysctl": {"net.ipv4.tcp_syn_retries": 0}}}})");
    CHECK(range.pointer == "/hosts/a/sysctl/net.ipv4.tcp_syn_retries");
    CHECK(range.expected == "an integer from 1 to 127");
    CHECK(range.found == "0");

    const UserError type = load_error(R"({"hosts": {"a": {"address": "10.0.0.1",
      "sysctl": {"challenge_ack": true}}}})");
    CHECK(type.pointer == "/hosts/a/sysctl/challenge_ack");
    CHECK(type.expected == "0 or 1");
    CHECK(type.found == "true");
}

TEST_CASE("the msl shorthand is checked like the msl knob") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "msl": 30}}})");
    CHECK(e.pointer == "/hosts/a/msl");
    CHECK(contains(e.expected, "a duration from 1ms to 60min"));
    CHECK(e.found == "30");
}

TEST_CASE("a host name outside letters, digits, '_' and '-' is rejected") {
    const UserError e = load_error(R"({"hosts": {"my host": {"address": "10.0.0.1"}}})");
    CHECK(e.pointer == "/hosts/my host");
    CHECK(contains(e.expected, "letters, digits"));
    CHECK(e.found == R"("my host")");
}

TEST_CASE("a host address must be unicast and outside loopback and 0.0.0.0/8") {
    // Regression: hosts at 127.0.0.5 and 127.0.0.6 loaded, and a connect from one to the
    // other looped back to the first.
    auto host_at = [](const std::string& address) {
        return R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": ")" + address + R"("}}})";
    };
    CHECK(load_ok(host_at("223.255.255.255")).hosts.size() == 2);
    CHECK(load_ok(host_at("1.0.0.0")).hosts.size() == 2);
    const UserError loopback = load_error(host_at("127.0.0.6"));
    CHECK(loopback.pointer == "/hosts/b/address");
    CHECK(loopback.expected == "an address outside 127.0.0.0/8 (loopback: a segment to it never leaves its host)");
    CHECK(loopback.found == R"("127.0.0.6")");
    CHECK(load_error(host_at("0.255.0.1")).expected ==
          R"(an address outside 0.0.0.0/8 ("this network", RFC 1122 3.2.1.3))");
    for (const char* group : {"224.0.0.1", "239.1.2.3", "240.0.0.1", "255.255.255.255"}) {
        CAPTURE(group);
        CHECK(load_error(host_at(group)).expected ==
              "a unicast address below 224.0.0.0 (multicast, reserved and broadcast addresses carry no TCP)");
    }
}

TEST_CASE("a connect to 0.0.0.0/8 or a multicast, reserved or broadcast address is rejected") {
    CHECK(load_ok(two_hosts(R"({"at": "1s", "call": "connect", "socket": "d", "to": "127.0.0.1:80"})"))
              .apps[0].actions[1].setup->to_ip == Ipv4::parse("127.0.0.1"));
    const UserError zero = load_error(two_hosts(R"({"at": "1s", "call": "connect", "socket": "d", "to": "0.0.0.0:80"})"));
    CHECK(zero.pointer == "/apps/client/1/to");
    CHECK(zero.expected == R"(an address outside 0.0.0.0/8 ("this network", RFC 1122 3.2.1.3))");
    const UserError broadcast =
        load_error(two_hosts(R"({"at": "1s", "call": "connect", "socket": "d", "to": "255.255.255.255:80"})"));
    CHECK(broadcast.pointer == "/apps/client/1/to");
    CHECK(contains(broadcast.expected, "a unicast address below 224.0.0.0"));
}

TEST_CASE("two hosts with the same address are rejected") {
    const UserError e =
        load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.1"}}})");
    CHECK(e.pointer == "/hosts/b/address");
    CHECK(e.expected == R"(an address not already used by host "a")");
    CHECK(e.found == R"("10.0.0.1")");
    CHECK(load_error(R"({"hosts": {"a": {"address": "10.0.0.256"}}})").pointer ==
          "/hosts/a/address");
}

TEST_CASE("an app action with both at and on is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "on": "data", "call": "listen", "socket": "l", "port": 80}]}})");
    CHECK(e.pointer == "/apps/a/0/on");
    CHECK(contains(e.expected, R"(either "at" or "on")"));
    CHECK(e.found == R"("data")");
}

TEST_CASE("an app action with neither at nor on is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"call": "listen", "socket": "l", "port": 80}]}})");
    CHECK(e.pointer == "/apps/a/0");
    CHECK(contains(e.expected, R"("at" (a time) or "on")"));
    CHECK(e.found == "neither");
}

TEST_CASE("after is allowed only on reactions") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "after": "1s", "call": "listen", "socket": "l", "port": 80}]}})");
    CHECK(e.pointer == "/apps/a/0/after");
    CHECK(contains(e.expected, R"(no "after" with "at")"));
}

TEST_CASE("an app call that is not a script call is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "apps": {"a": [{"at": "0s", "call": "accept", "socket": "l"}]}})");
    CHECK(e.pointer == "/apps/a/0/call");
    CHECK(e.expected == "one of listen, connect, send, recv, shutdown, close, abort, setsockopt, reboot, send_segment");
}

TEST_CASE("a send needs exactly one of bytes or text") {
    const UserError both = load_error(two_hosts(
        R"({"on": "connected", "socket": "c", "call": "send", "bytes": 1, "text": "x"})"));
    CHECK(both.pointer == "/apps/client/1/text");
    CHECK(contains(both.expected, R"(either "bytes" or "text")"));
    const UserError neither =
        load_error(two_hosts(R"({"on": "connected", "socket": "c", "call": "send"})"));
    CHECK(neither.pointer == "/apps/client/1");
    CHECK(neither.found == "neither");
    const UserError empty =
        load_error(two_hosts(R"({"on": "connected", "socket": "c", "call": "send", "text": ""})"));
    CHECK(empty.pointer == "/apps/client/1/text");
    CHECK(empty.expected == "a non-empty string");
}

TEST_CASE("a fault with both nth and times is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "faults": [{"match": {"nth": 2, "times": 3}, "action": "drop"}]})");
    CHECK(e.pointer == "/faults/0/match/times");
    CHECK(contains(e.expected, R"(either "nth" or "times", not both)"));
    CHECK(e.found == "3");
}

TEST_CASE("a fault window must end after it starts") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "faults": [{"match": {"after": "2s", "before": "2s"}, "action": "drop"}]})");
    CHECK(e.pointer == "/faults/0/match/before");
    CHECK(contains(e.expected, R"(later than "after" (2s))"));
}

TEST_CASE("a delay fault without a delay is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "faults": [{"action": "delay"}]})");
    CHECK(e.pointer == "/faults/0/delay");
    CHECK(contains(e.expected, "positive duration"));
    CHECK(e.found == "a missing field");
}

TEST_CASE("a delay on a fault that does not delay is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "faults": [{"action": "drop", "delay": "1s"}]})");
    CHECK(e.pointer == "/faults/0/delay");
    CHECK(contains(e.expected, R"(no "delay" unless "action" is "delay")"));
    CHECK(e.found == R"("1s")");
}

TEST_CASE("bad flags text is rejected") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "faults": [{"match": {"flags": "FIN+ACK"}, "action": "drop"}]})");
    CHECK(e.pointer == "/faults/0/match/flags");
    CHECK(contains(e.expected, R"("FIN|ACK")"));
    CHECK(e.found == R"("FIN+ACK")");
}

TEST_CASE("a bad state name is rejected and the states are listed") {
    const UserError e = load_error(two_hosts_expecting(
        R"({"type": "final_state", "host": "client", "socket": "c", "is": "TIMEWAIT"})"));
    CHECK(e.pointer == "/expect/0/is");
    CHECK(contains(e.expected, "FIN_WAIT_2"));
    CHECK(contains(e.expected, "TIME_WAIT"));
    CHECK(e.found == R"("TIMEWAIT")");
}

TEST_CASE("a call result is an errno name, \"0\" or a byte count") {
    const std::string call =
        R"({"type": "call", "host": "client", "socket": "c", "call": "close",)";
    const Scenario ok = load_ok(two_hosts_expecting(call + R"( "result": "0"})"));
    CHECK(ok.expectations[0].error == Errno::Ok);
    for (const char* bad : {R"("ECONNREFUSD")", "-1", "1.5", "null"}) {
        CAPTURE(bad);
        const UserError e = load_error(two_hosts_expecting(call + R"( "result": )" + bad + "}"));
        CHECK(e.pointer == "/expect/0/result");
        CHECK(contains(e.expected, "an errno name"));
        CHECK(e.found == bad);
    }
}

TEST_CASE("a count spec takes count, or min and max, not both") {
    const UserError both = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "segments", "count": 1, "max": 2}]})");
    CHECK(both.pointer == "/expect/0/max");
    CHECK(contains(both.expected, R"(either "count" or "min"/"max")"));
    const UserError none = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "timer", "host": "a", "timer": "retransmit", "action": "set"}]})");
    CHECK(none.pointer == "/expect/0");
    CHECK(none.found == "none of them");
    const UserError inverted = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "segments", "min": 3, "max": 2}]})");
    CHECK(inverted.pointer == "/expect/0/max");
    CHECK(contains(inverted.expected, R"(at least "min" (3))"));
}

TEST_CASE("a socket in an expectation needs its host") {
    const UserError e =
        load_error(two_hosts_expecting(R"({"type": "stream_integrity", "socket": "c"})"));
    CHECK(e.pointer == "/expect/0/host");
    CHECK(contains(e.expected, R"(needed with "socket")"));
    CHECK(e.found == "a missing field");
}

TEST_CASE("--set with a JSON pointer replaces a value with parsed JSON") {
    const Scenario s = load_ok(kTwoHosts, {"/seed=42", R"(/hosts/client/sysctl={"mss": 536})"});
    CHECK(s.seed == 42);
    CHECK(s.hosts[0].rules.mss == 536);
}

TEST_CASE("--set with a dotted path takes a value that is not JSON as a string") {
    const Scenario s =
        load_ok(kTwoHosts, {"links=[]", R"(links.-={"between": ["client", "server"]})",
                            "links.0.delay=20ms", "hosts.server.profile=linux"});
    CHECK(s.links[0].a_to_b.delay == milliseconds(20));
    CHECK(s.hosts[1].rules.name == "linux");
}

TEST_CASE("--set values are validated like the file") {
    const UserError e = load_error(kTwoHosts, {"/apps/server/0/port=0"});
    CHECK(e.pointer == "/apps/server/0/port");
    CHECK(e.found == "0");
}

TEST_CASE("--set whose parent does not exist is rejected") {
    const UserError missing = load_error(kTwoHosts, {"links.0.delay=20ms"});
    CHECK(missing.pointer == "/links/0/delay");
    CHECK(missing.expected == "an existing parent object or array");
    CHECK(missing.found == "nothing at /links");
    const UserError scalar = load_error(kTwoHosts, {"/seed/x=1"});
    CHECK(scalar.pointer == "/seed/x");
    CHECK(scalar.expected == "an existing parent object or array");
}

TEST_CASE("--set without '=' is rejected") {
    const UserError e = load_error(kTwoHosts, {"seed"});
    CHECK(e.pointer == "");
    CHECK(contains(e.expected, "--set PATH=VALUE"));
    CHECK(e.found == R"("seed")");
    CHECK(contains(load_error(kTwoHosts, {"/a~2=1"}).expected, "--set PATH=VALUE"));
}

TEST_CASE("an unreadable file is reported with the reason") {
    const std::string path = "/nonexistent/tcpsim/missing.json";
    LoadResult r = load_scenario_file(path);
    REQUIRE(std::holds_alternative<UserError>(r));
    const UserError& e = std::get<UserError>(r);
    CHECK(e.file == path);
    CHECK(e.pointer == "");
    CHECK(e.expected == "a readable scenario file");
    CHECK(e.found == "no such file or directory");
}

TEST_CASE("a scenario file is read from disk and named after its stem") {
    const auto path = std::filesystem::temp_directory_path() / "tcpsim_loader_test_file.json";
    {
        std::ofstream out(path);
        out << R"({"hosts": {"a": {"address": "10.0.0.1"}}})";
    }
    LoadResult r = load_scenario_file(path.string(), {"/seed=3"});
    std::filesystem::remove(path);
    REQUIRE(std::holds_alternative<Scenario>(r));
    CHECK(std::get<Scenario>(r).name == "tcpsim_loader_test_file");
    CHECK(std::get<Scenario>(r).file == path.string());
    CHECK(std::get<Scenario>(r).seed == 3);
}

TEST_CASE("a scenario file over 64 MiB is rejected with its size, unread") {
    const auto path = std::filesystem::temp_directory_path() / "tcpsim_loader_test_big.json";
    { std::ofstream out(path); }
    std::filesystem::resize_file(path, 64 * 1024 * 1024 + 1);  // sparse: nothing is written
    LoadResult r = load_scenario_file(path.string());
    std::filesystem::remove(path);
    REQUIRE(std::holds_alternative<UserError>(r));
    const UserError& e = std::get<UserError>(r);
    CHECK(e.pointer == "");
    CHECK(e.expected == "a scenario file of at most 64 MiB (67108864 bytes)");
    CHECK(e.found == "a file of 67108865 bytes");
}

TEST_CASE("a scenario stream without end is read only up to the 64 MiB cap") {
    // Regression: `tcpsim run /dev/zero` read forever.
    LoadResult r = load_scenario_file("/dev/zero");
    REQUIRE(std::holds_alternative<UserError>(r));
    const UserError& e = std::get<UserError>(r);
    CHECK(e.file == "/dev/zero");
    CHECK(e.expected == "a scenario file of at most 64 MiB (67108864 bytes)");
    CHECK(e.found == "more than 67108864 bytes");
}

TEST_CASE("a user error reads file, pointer, expected and found") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "msl": "soon"}}})");
    CHECK(e.message() ==
          "scenarios/test_case.json: /hosts/a/msl: "
          R"(expected a duration from 1ms to 60min, such as "30s", found "soon")");
}

TEST_CASE("the README's complete example loads") {
    std::ifstream in(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/README.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string readme = text.str();
    const std::size_t start = readme.find("```json\n");
    REQUIRE(start != std::string::npos);
    const std::size_t end = readme.find("```", start + 8);
    REQUIRE(end != std::string::npos);
    const Scenario s = load_ok(readme.substr(start + 8, end - start - 8));
    CHECK(s.hosts.size() == 2);
    CHECK_FALSE(s.expectations.empty());
}

// --- NATs ---

namespace {

// c1 and c2 behind the NAT "nat", and a server; `nats` is the "nats" object, `more` adds
// top-level members.
std::string behind_nat(std::string_view nats, std::string_view more = "") {
    return R"({"hosts": {"c1": {"address": "10.0.0.1"}, "c2": {"address": "10.0.0.2"},
                 "server": {"address": "203.0.113.9"}},
      "nats": )" +
           std::string(nats) + (more.empty() ? "" : ",\n" + std::string(more)) + "}";
}

const std::string kNat = R"({"nat": {"address": "198.51.100.1", "inside": ["c1", "c2"]}})";
const std::string kNatLinks =
    R"("links": [{"between": ["c1", "nat"]}, {"between": ["c2", "nat"]}, {"between": ["nat", "server"]}])";

}  // namespace

TEST_CASE("a NAT loads with its address, inside hosts, port pool and timeout, and links name it") {
    const Scenario s = load_ok(behind_nat(
        R"({"nat": {"address": "198.51.100.1", "inside": ["c1", "c2"], "ports": "20000  20100",
                    "timeout": "30s"}})",
        R"("links": [{"between": ["c1", "nat"]}, {"between": ["c2", "nat"]},
                     {"between": ["nat", "server"], "delay": "5ms", "server->nat": {"loss": 0.5}}])"));
    REQUIRE(s.nats.size() == 1);
    const NatConfig& nat = s.nats[0];
    CHECK(nat.name == "nat");
    CHECK(nat.address == Ipv4::parse("198.51.100.1").value());
    CHECK(nat.inside == std::vector<std::string>{"c1", "c2"});
    CHECK(nat.port_low == 20000);
    CHECK(nat.port_high == 20100);
    CHECK(nat.mapping_timeout == seconds(30));
    CHECK(nat.pointer == "/nats/nat");
    REQUIRE(s.links.size() == 3);
    CHECK(s.links[0].b == "nat");
    CHECK(s.links[2].a == "nat");
    CHECK(s.links[2].a_to_b.delay == milliseconds(5));
    CHECK(s.links[2].b_to_a.loss == 0.5);
}

TEST_CASE("a NAT without ports or timeout hands out 20000-65535 and forgets after 2min idle") {
    const NatConfig nat = load_ok(behind_nat(kNat, kNatLinks)).nats.at(0);
    CHECK(nat.port_low == 20000);
    CHECK(nat.port_high == 65535);
    CHECK(nat.mapping_timeout == minutes(2));
}

TEST_CASE("nats that is not an object is rejected") {
    const UserError e = load_error(behind_nat(R"(["nat"])"));
    CHECK(e.pointer == "/nats");
    CHECK(contains(e.expected, "an object of NATs"));
    CHECK(e.found == R"(["nat"])");
}

TEST_CASE("a NAT name outside letters, digits, '_' and '-' is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"my nat": {"address": "198.51.100.1", "inside": ["c1"]}})"));
    CHECK(e.pointer == "/nats/my nat");
    CHECK(contains(e.expected, "letters, digits"));
    CHECK(e.found == R"("my nat")");
}

TEST_CASE("a NAT named like a host is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"server": {"address": "198.51.100.1", "inside": ["c1"]}})"));
    CHECK(e.pointer == "/nats/server");
    CHECK(e.expected == R"(a name not already used by host "server")");
    CHECK(e.found == R"("server")");
}

TEST_CASE("an unknown key inside a NAT is rejected and the NAT keys are listed") {
    const UserError e = load_error(
        behind_nat(R"({"nat": {"address": "198.51.100.1", "inside": ["c1"], "pool": "1 2"}})"));
    CHECK(e.pointer == "/nats/nat/pool");
    CHECK(e.expected == "one of the keys address, inside, ports, timeout");
    CHECK(e.found == R"(unknown key "pool")");
}

TEST_CASE("a NAT without an address is rejected") {
    const UserError e = load_error(behind_nat(R"({"nat": {"inside": ["c1"]}})"));
    CHECK(e.pointer == "/nats/nat/address");
    CHECK(e.expected == R"(a dotted IPv4 address such as "10.0.0.1")");
    CHECK(e.found == "a missing field");
}

TEST_CASE("a NAT address that is not a dotted IPv4 address is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"nat": {"address": "198.51.100", "inside": ["c1"]}})"));
    CHECK(e.pointer == "/nats/nat/address");
    CHECK(e.expected == R"(a dotted IPv4 address such as "10.0.0.1")");
    CHECK(e.found == R"("198.51.100")");
}

TEST_CASE("a NAT address used by a host is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"nat": {"address": "203.0.113.9", "inside": ["c1"]}})"));
    CHECK(e.pointer == "/nats/nat/address");
    CHECK(e.expected == R"(an address not already used by host "server")");
    CHECK(e.found == R"("203.0.113.9")");
}

TEST_CASE("a NAT address used by another NAT is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"n1": {"address": "198.51.100.1", "inside": ["c1"]},
                                  "n2": {"address": "198.51.100.1", "inside": ["c2"]}})"));
    CHECK(e.pointer == "/nats/n2/address");
    CHECK(e.expected == R"(an address not already used by NAT "n1")");
    CHECK(e.found == R"("198.51.100.1")");
}

TEST_CASE("a loopback NAT address is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"nat": {"address": "127.0.0.2", "inside": ["c1"]}})"));
    CHECK(e.pointer == "/nats/nat/address");
    CHECK(e.expected == "an address outside 127.0.0.0/8 (loopback: a segment to it never leaves its host)");
    CHECK(e.found == R"("127.0.0.2")");
}

TEST_CASE("a NAT without inside hosts is rejected") {
    const UserError e = load_error(behind_nat(R"({"nat": {"address": "198.51.100.1"}})"));
    CHECK(e.pointer == "/nats/nat/inside");
    CHECK(e.expected == R"(a non-empty array of host names, such as ["client"])");
    CHECK(e.found == "a missing field");
}

TEST_CASE("a NAT with an empty inside list is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"nat": {"address": "198.51.100.1", "inside": []}})"));
    CHECK(e.pointer == "/nats/nat/inside");
    CHECK(e.expected == R"(a non-empty array of host names, such as ["client"])");
    CHECK(e.found == "[]");
}

TEST_CASE("a NAT inside list that is not an array is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"nat": {"address": "198.51.100.1", "inside": "c1"}})"));
    CHECK(e.pointer == "/nats/nat/inside");
    CHECK(e.expected == R"(a non-empty array of host names, such as ["client"])");
    CHECK(e.found == R"("c1")");
}

TEST_CASE("an unknown host inside a NAT is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"nat": {"address": "198.51.100.1", "inside": ["c1", "c3"]}})"));
    CHECK(e.pointer == "/nats/nat/inside/1");
    CHECK(e.expected == "one of the hosts c1, c2, server");
    CHECK(e.found == R"("c3")");
}

TEST_CASE("a host listed twice inside one NAT is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"nat": {"address": "198.51.100.1", "inside": ["c1", "c1"]}})"));
    CHECK(e.pointer == "/nats/nat/inside/1");
    CHECK(e.expected == "a host not already inside this NAT");
    CHECK(e.found == R"("c1")");
}

TEST_CASE("a host inside two NATs is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"n1": {"address": "198.51.100.1", "inside": ["c1"]},
                                  "n2": {"address": "198.51.100.2", "inside": ["c2", "c1"]}})"));
    CHECK(e.pointer == "/nats/n2/inside/1");
    CHECK(e.expected == R"(a host not already inside NAT "n1")");
    CHECK(e.found == R"("c1")");
}

TEST_CASE("a NAT port pool must be two ports LOW HIGH with 1 <= LOW <= HIGH <= 65535") {
    const std::string expected =
        R"(two ports "LOW HIGH" with 1 <= LOW <= HIGH <= 65535, such as "20000 20100")";
    for (const char* ports : {R"("20100 20000")", R"("0 100")", R"("1 65536")", R"("20000")",
                              R"("20000-20100")", R"("20000 20100 ")", R"("+1 2")", "20000"}) {
        CAPTURE(ports);
        const UserError e = load_error(behind_nat(
            R"({"nat": {"address": "198.51.100.1", "inside": ["c1"], "ports": )" +
            std::string(ports) + "}}"));
        CHECK(e.pointer == "/nats/nat/ports");
        CHECK(e.expected == expected);
        CHECK(e.found == ports);
    }
}

TEST_CASE("a NAT timeout must be a positive duration") {
    const UserError zero = load_error(
        behind_nat(R"({"nat": {"address": "198.51.100.1", "inside": ["c1"], "timeout": "0s"}})"));
    CHECK(zero.pointer == "/nats/nat/timeout");
    CHECK(zero.expected == R"(a positive duration, such as "200ms")");
    CHECK(zero.found == R"("0s")");
    CHECK(load_error(behind_nat(
                         R"({"nat": {"address": "198.51.100.1", "inside": ["c1"], "timeout": 60}})"))
              .pointer == "/nats/nat/timeout");
}

TEST_CASE("a link naming neither a host nor a NAT lists both") {
    const UserError e =
        load_error(behind_nat(kNat, R"("links": [{"between": ["c1", "router"]}])"));
    CHECK(e.pointer == "/links/0/between/1");
    CHECK(e.expected == "one of the hosts c1, c2, server or the NATs nat");
    CHECK(e.found == R"("router")");
}

TEST_CASE("a NAT without a link to one of its inside hosts is rejected at that host") {
    const UserError e = load_error(behind_nat(kNat, R"("links": [{"between": ["c1", "nat"]}, {"between": ["nat", "server"]}])"));
    CHECK(e.pointer == "/nats/nat/inside/1");
    CHECK(e.expected == R"(a host linked to NAT "nat" (a link {"between": ["c2", "nat"]}))");
    CHECK(e.found == R"("c2")");
}

TEST_CASE("a NAT linked to its inside hosts only is rejected") {
    const UserError e = load_error(behind_nat(kNat, R"("links": [{"between": ["c1", "nat"]}, {"between": ["c2", "nat"]}])"));
    CHECK(e.pointer == "/nats/nat");
    CHECK(e.expected == R"(a NAT linked to a host outside it: NAT "nat" has nowhere to send what its inside hosts send)");
}

TEST_CASE("a fault from a NAT is rejected: a NAT sends no segments of its own") {
    const UserError e =
        load_error(behind_nat(kNat, kNatLinks + R"(, "faults": [{"match": {"from": "nat"}, "action": "drop"}])"));
    CHECK(e.pointer == "/faults/0/match/from");
    CHECK(e.expected == "one of the hosts c1, c2, server (a fault sees a segment on its sender's first "
                        "link: name the host inside NAT \"nat\")");
    CHECK(e.found == R"("nat")");
}

TEST_CASE("a link between two NATs is rejected") {
    const UserError e =
        load_error(behind_nat(R"({"n1": {"address": "198.51.100.1", "inside": ["c1"]},
                                  "n2": {"address": "198.51.100.2", "inside": ["c2"]}})",
                              R"("links": [{"between": ["n1", "n2"]}])"));
    CHECK(e.pointer == "/links/0/between/1");
    CHECK(e.expected == "one of the hosts c1, c2, server (a NAT links to hosts only)");
    CHECK(e.found == R"("n2")");
}

TEST_CASE("a segments expectation reads seq and ack as 32-bit integers") {
    const Scenario s = load_ok(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "segments", "from": "a", "seq": 4294967295, "ack": 0, "count": 1}]})");
    CHECK(s.expectations[0].seq == 4294967295u);
    CHECK(s.expectations[0].ack == 0u);
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1"}},
      "expect": [{"type": "segments", "seq": 4294967296, "count": 1}]})");
    CHECK(e.pointer == "/expect/0/seq");
}

TEST_CASE("tcp_tw_recycle on the linux profile is an error that says it was removed in 4.12") {
    const UserError e = load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "profile": "linux",
      "sysctl": {"net.ipv4.tcp_tw_recycle": 0}}}})");
    CHECK(e.pointer == "/hosts/a/sysctl/net.ipv4.tcp_tw_recycle");
    CHECK(contains(e.expected, "removed in Linux 4.12"));
    CHECK(contains(e.expected, "linux-4.9"));
    const Scenario s = load_ok(R"({"hosts": {"a": {"address": "10.0.0.1", "profile": "linux-4.9",
      "sysctl": {"net.ipv4.tcp_tw_recycle": 1}}}})");
    CHECK(s.hosts.at(0).rules.tw_recycle);
}

TEST_CASE("linux-4.9 has no tcp_tw_reuse_delay and no loopback-only tw_reuse mode") {
    const UserError delay = load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "profile": "linux-4.9",
      "sysctl": {"net.ipv4.tcp_tw_reuse_delay": 1000}}}})");
    CHECK(delay.pointer == "/hosts/a/sysctl/net.ipv4.tcp_tw_reuse_delay");
    CHECK(contains(delay.expected, "Linux 4.9 has no net.ipv4.tcp_tw_reuse_delay"));
    const UserError mode = load_error(R"({"hosts": {"a": {"address": "10.0.0.1", "profile": "linux-4.9",
      "sysctl": {"net.ipv4.tcp_tw_reuse": 2}}}})");
    CHECK(contains(mode.expected, "0 or 1 (the loopback-only mode 2 came in 2018"));
    CHECK(mode.found == "2");
    const Scenario s = load_ok(R"({"hosts": {"a": {"address": "10.0.0.1", "profile": "linux",
      "sysctl": {"net.ipv4.tcp_tw_reuse": 2, "timestamp_clock": "address_pair"}}}})");
    CHECK(s.hosts.at(0).rules.tw_reuse == 2);
    CHECK(s.hosts.at(0).rules.timestamp_clock == TimestampClock::PerAddressPair);
}

TEST_CASE("send_segment loads every field of a crafted segment") {
    const Scenario s = load_ok(two_hosts(R"({"at": "2s", "call": "send_segment", "from_port": 40000,
        "to": "server:80", "flags": "SYN", "seq": "rcv_nxt-1000", "window": 1024, "len": 3,
        "options": {"mss": 536, "wscale": 7, "sack_permitted": true, "timestamp": {"val": "ts_recent+1", "ecr": 5}},
        "of": {"host": "server", "socket": "s"}, "stack_answers": true})"));
    const AppAction& a = s.apps.at(0).actions.at(1);
    REQUIRE(a.call == CallKind::SendSegment);
    REQUIRE(a.crafted);
    const CraftedSegment& c = *a.crafted;
    CHECK(c.from_port == 40000);
    CHECK(c.to_host == "server");
    CHECK(c.to_port == 80);
    CHECK(c.flags == Flags::Syn);
    CHECK(to_string(c.seq) == "rcv_nxt-1000");
    CHECK(c.window == 1024);
    CHECK(c.len == 3);
    CHECK(c.mss == 536);
    CHECK(c.wscale == 7);
    CHECK(c.sack_permitted);
    REQUIRE(c.timestamp);
    CHECK(to_string(c.timestamp->val) == "ts_recent+1");
    CHECK(to_string(c.timestamp->ecr) == "5");
    CHECK(c.of_host == "server");
    CHECK(c.of_socket == "s");
    CHECK(c.stack_answers);
}

TEST_CASE("send_segment without \"of\" takes only absolute values, and ACK needs \"ack\"") {
    const UserError rel = load_error(two_hosts(R"({"at": "2s", "call": "send_segment", "from_port": 40000,
        "to": "server:80", "flags": "RST", "seq": "rcv_nxt"})"));
    CHECK(rel.pointer == "/apps/client/1");
    CHECK(contains(rel.expected, "\"of\""));
    const UserError ack = load_error(two_hosts(R"({"at": "2s", "call": "send_segment", "from_port": 40000,
        "to": "server:80", "flags": "ACK", "seq": 1})"));
    CHECK(ack.pointer == "/apps/client/1/ack");
    const UserError no_flag = load_error(two_hosts(R"({"at": "2s", "call": "send_segment", "from_port": 40000,
        "to": "server:80", "flags": "RST", "seq": 1, "ack": 2})"));
    CHECK(no_flag.pointer == "/apps/client/1/ack");
    CHECK(contains(no_flag.expected, "without the ACK flag"));
    const UserError seq = load_error(two_hosts(R"({"at": "2s", "call": "send_segment", "from_port": 40000,
        "to": "server:80", "flags": "RST", "seq": "rcv_nxt*2", "of": {"host": "server", "socket": "s"}})"));
    CHECK(seq.pointer == "/apps/client/1/seq");
    CHECK(contains(seq.expected, "such as \"rcv_nxt-1\""));
}

TEST_CASE("send_segment's \"of\" names a socket of that host, accepted instances included") {
    const UserError e = load_error(two_hosts(R"({"at": "2s", "call": "send_segment", "from_port": 40000,
        "to": "server:80", "flags": "RST", "seq": "rcv_nxt", "of": {"host": "server", "socket": "c"}})"));
    CHECK(e.pointer == "/apps/client/1/of/socket");
    CHECK(contains(e.expected, "\"server\" (l, s)"));
    load_ok(two_hosts(R"({"at": "2s", "call": "send_segment", "from_port": 40000,
        "to": "server:80", "flags": "RST", "seq": "rcv_nxt", "of": {"host": "server", "socket": "s.2"}})"));
    const UserError socket = load_error(two_hosts(R"({"at": "2s", "call": "send_segment", "socket": "c",
        "from_port": 40000, "to": "server:80", "flags": "RST", "seq": 1})"));
    CHECK(socket.pointer == "/apps/client/1/socket");
}

TEST_CASE("connect takes its own isn and tcp_timestamps") {
    const Scenario s = load_ok(two_hosts(R"({"at": "1s", "call": "connect", "socket": "c2", "to": "server:80",
        "isn": 4294967295, "tcp_timestamps": false})"));
    const SocketSetup& c = *s.apps.at(0).actions.at(1).setup;
    CHECK(c.isn == 4294967295u);
    CHECK(c.tcp_timestamps == false);
    const UserError e = load_error(two_hosts(R"({"at": "1s", "call": "connect", "socket": "c2", "to": "server:80",
        "isn": 4294967296})"));
    CHECK(e.pointer == "/apps/client/1/isn");
}
