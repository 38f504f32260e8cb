#include <doctest/doctest.h>

#include <set>
#include <variant>

#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/views/verdict.hpp"
#include "tcpsim/world/world.hpp"

using namespace tcpsim;

namespace {

Trace run(const std::string& text) {
    LoadResult r = load_scenario_text(text, "host_test.json");
    if (auto* e = std::get_if<UserError>(&r)) FAIL(e->message());
    Trace trace;
    World world(std::get<Scenario>(r), trace);
    world.run();
    return trace;
}

std::vector<const TraceEvent*> calls(const Trace& t, CallKind kind, std::uint16_t host) {
    std::vector<const TraceEvent*> out;
    for (const TraceEvent& e : t.events())
        if (e.kind == TraceKind::Call && e.call == kind && e.host == host) out.push_back(&e);
    return out;
}

}  // namespace

TEST_CASE("linux connect() picks ports of the range's low parity first (L-PORT-1)") {
    // 20 connections to one server from a 10-port range: the even ports go first.
    std::string apps;
    for (int i = 0; i < 10; ++i)
        apps += R"({"at": ")" + std::to_string(i) + R"(ms", "call": "connect", "socket": "c)" +
                std::to_string(i) + R"(", "to": "b:80"},)";
    const Trace t = run(R"({
      "hosts": {"a": {"address": "10.0.0.1", "profile": "linux",
                      "sysctl": {"net.ipv4.ip_local_port_range": "40000 40009"}},
                "b": {"address": "10.0.0.2", "profile": "linux"}},
      "links": [{"between": ["a", "b"]}],
      "apps": {"a": [)" + apps.substr(0, apps.size() - 1) + R"(],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"}]}
    })");
    std::vector<int> ports;
    for (const TraceEvent* e : calls(t, CallKind::Connect, 0))
        if (e->error == Errno::InProgress) ports.push_back(e->conn.local.port);
    REQUIRE(ports.size() == 10);
    for (int i = 0; i < 5; ++i) CHECK(ports[static_cast<std::size_t>(i)] % 2 == 0);
    for (int i = 5; i < 10; ++i) CHECK(ports[static_cast<std::size_t>(i)] % 2 == 1);
    CHECK(std::set<int>(ports.begin(), ports.end()).size() == 10);
}

TEST_CASE("beyond tcp_max_tw_buckets a closing connection gets no TIME_WAIT and TCPTimeWaitOverflow counts") {
    const Trace t = run(R"({
      "hosts": {"a": {"address": "10.0.0.1", "profile": "linux", "sysctl": {"net.ipv4.tcp_max_tw_buckets": 1}},
                "b": {"address": "10.0.0.2", "profile": "linux"}},
      "links": [{"between": ["a", "b"]}],
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c1", "to": "b:80"},
                     {"at": "0s", "call": "connect", "socket": "c2", "to": "b:80"},
                     {"on": "connected", "socket": "c1", "call": "close"},
                     {"on": "connected", "socket": "c2", "after": "10ms", "call": "close"}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                     {"on": "peer_closed", "socket": "s", "call": "close"}]},
      "expect": [{"type": "counter", "host": "a", "counter": "TCPTimeWaitOverflow", "count": 1},
                 {"type": "state", "host": "a", "socket": "c1", "at": "1s", "is": "TIME_WAIT"},
                 {"type": "state", "host": "a", "socket": "c2", "at": "1s", "is": "CLOSED"}]
    })");
    bool overflowed = false;
    for (const TraceEvent& e : t.events())
        if (e.kind == TraceKind::Counter && e.counter == Counter::TimeWaitOverflow) overflowed = e.value == 1;
    CHECK(overflowed);
    CHECK(socket_state_at(t, "a", "c1", Time{} + seconds(1)) == State::TimeWait);
    CHECK(socket_state_at(t, "a", "c2", Time{} + seconds(1)) == State::Closed);
}

TEST_CASE("a rebooted host forgets its connections silently and answers their next segment with RST") {
    const Trace t = run(R"({
      "hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}},
      "links": [{"between": ["a", "b"], "delay": "10ms"}],
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "b:80"},
                     {"at": "2s", "call": "send", "socket": "c", "bytes": 10}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                     {"at": "1s", "call": "reboot"}]}
    })");
    CHECK(socket_state_at(t, "b", "s", Time{} + seconds(1)) == State::Closed);
    CHECK(socket_state_at(t, "b", "l", Time{} + seconds(1)) == State::Closed);
    int segments_at_reboot = 0;
    for (const TraceEvent& e : t.events())
        if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Send && e.t == Time{} + seconds(1))
            ++segments_at_reboot;
    CHECK(segments_at_reboot == 0);
    // The client's data at 2 s meets no connection: RST (RFC 9293 3.10.7.1) -> ECONNRESET.
    CHECK(socket_state_at(t, "a", "c", Time{} + milliseconds(2020)) == State::Closed);
}

TEST_CASE("ISN generators: rfc793's 4 us clock grows with time; linux adds a 64 ns clock to a per-tuple hash") {
    auto isns = [](const std::string& generator) {
        const Trace t = run(R"({
          "hosts": {"a": {"address": "10.0.0.1", "sysctl": {"isn": ")" + generator + R"("}},
                    "b": {"address": "10.0.0.2"}},
          "links": [{"between": ["a", "b"]}],
          "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c1", "to": "b:80", "from_port": 5000},
                         {"at": "1s", "call": "connect", "socket": "c2", "to": "b:80", "from_port": 5001}]}
        })");
        std::vector<std::uint32_t> out;
        for (const TraceEvent& e : t.events())
            if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Send && e.host == 0 &&
                e.flags == Flags::Syn && out.size() < 2 && (out.empty() || e.t > Time{}))
                out.push_back(e.seq.v);
        return out;
    };
    const auto rfc = isns("rfc793");
    REQUIRE(rfc.size() == 2);
    CHECK(rfc[1] - rfc[0] == 250000u);  // 1 s / 4 us
    const auto lin = isns("linux");
    REQUIRE(lin.size() == 2);
    CHECK(lin[1] - lin[0] != 15625000u);  // different tuples hash differently
}

TEST_CASE("setsockopt(SO_KEEPALIVE) starts keepalive; an answered probe is followed after keepintvl (L-KA-3)") {
    auto probe_times = [](const std::string& interval) {
        const Trace t = run(R"({
          "hosts": {"a": {"address": "10.0.0.1", "profile": "linux"}, "b": {"address": "10.0.0.2", "profile": "linux"}},
          "links": [{"between": ["a", "b"], "delay": "10ms"}],
          "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "b:80"},
                         {"at": "1s", "call": "setsockopt", "socket": "c",
                          "options": {"SO_KEEPALIVE": true, "TCP_KEEPIDLE": "5s", "TCP_KEEPINTVL": ")" + interval + R"("}}],
                   "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"}]},
          "duration": "100s"
        })");
        std::vector<std::int64_t> probes;
        for (const TraceEvent& e : t.events())
            if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Send && e.host == 0 &&
                e.t > Time{} + seconds(1))
                probes.push_back(e.t.ns / 1'000'000);
        return probes;
    };
    // Idle since the SYN,ACK at 20 ms: the first probe at 5.02 s is answered at 5.04 s.
    // tcp_keepalive_timer looks again after keepintvl: with 75 s it finds 74.98 s of
    // silence and probes; with 2 s it waits until 5 s after the answer.
    const auto slow = probe_times("75s");
    REQUIRE(slow.size() >= 2);
    CHECK(slow[0] == 5020);
    CHECK(slow[1] == 80020);
    const auto fast = probe_times("2s");
    REQUIRE(fast.size() >= 2);
    CHECK(fast[0] == 5020);
    CHECK(fast[1] == 10040);
}

TEST_CASE("after a RST in CLOSE_WAIT, recv returns end-of-stream and send fails with EPIPE (Linux)") {
    // tcp_recvmsg checks SOCK_DONE (the FIN) before sk_err; only writes see EPIPE.
    const Trace t = run(R"({
      "hosts": {"a": {"address": "10.0.0.1", "profile": "linux"}, "b": {"address": "10.0.0.2", "profile": "linux"}},
      "links": [{"between": ["a", "b"], "delay": "10ms"}],
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c", "to": "b:80", "autoread": false},
                     {"at": "500ms", "call": "shutdown", "socket": "c", "how": "wr"},
                     {"at": "1s", "call": "abort", "socket": "c"}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s", "autoread": false},
                     {"at": "700ms", "call": "recv", "socket": "s"},
                     {"at": "2s", "call": "recv", "socket": "s"},
                     {"at": "3s", "call": "send", "socket": "s", "bytes": 10}]}
    })");
    const auto recvs = calls(t, CallKind::Recv, 1);
    const auto sends = calls(t, CallKind::Send, 1);
    REQUIRE(recvs.size() == 2);
    REQUIRE(sends.size() == 1);
    CHECK(recvs[1]->error == Errno::Ok);
    CHECK(recvs[1]->value == 0);
    CHECK(sends[0]->error == Errno::Pipe);
}

TEST_CASE("two incarnations on one 4-tuple with the same fixed ISN write different generated bytes") {
    // Otherwise a wandering duplicate from the old incarnation would pass as intact: here
    // it lands (3.03 s) after the new incarnation wrote its 100 bytes (2.5 s) but before
    // they arrive (3.51 s), in the very sequence space they occupy.
    const Trace t = run(R"({
      "hosts": {"a": {"address": "10.0.0.1", "isn": 1000, "sysctl": {"time_wait": "0s"}},
                "b": {"address": "10.0.0.2", "isn": 5000}},
      "links": [{"between": ["a", "b"], "delay": "10ms"}],
      "faults": [{"match": {"from": "a", "len": 100, "nth": 1}, "action": "delay", "delay": "3s"},
                 {"match": {"from": "a", "len": 100, "nth": 2}, "action": "delay", "delay": "1s"}],
      "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c1", "to": "b:80", "from_port": 4000},
                     {"on": "connected", "socket": "c1", "call": "send", "bytes": 100},
                     {"at": "1s", "call": "abort", "socket": "c1"},
                     {"at": "2s", "call": "connect", "socket": "c2", "to": "b:80", "from_port": 4000},
                     {"at": "2.5s", "call": "send", "socket": "c2", "bytes": 100}],
               "b": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"}]},
      "expect": [{"type": "stream_integrity", "ok": false}]
    })");
    bool corrupt = false;
    for (const TraceEvent* e : calls(t, CallKind::Recv, 1)) corrupt = corrupt || !e->integrity_ok;
    CHECK(corrupt);
}

TEST_CASE("TSval clocks: one per host (Linux 4.9), per address pair (4.11 to 2026), per 4-tuple (6.18.y)") {
    // The first SYN's TSval of three connections made at once: two to b, one to c.
    auto tsvals = [](const std::string& profile, const std::string& clock) {
        const std::string sysctl = clock.empty() ? "" : R"(, "sysctl": {"timestamp_clock": ")" + clock + R"("})";
        const Trace t = run(R"({
          "hosts": {"a": {"address": "10.0.0.1", "profile": ")" + profile + R"(")" + sysctl + R"(},
                    "b": {"address": "10.0.0.2"}, "c": {"address": "10.0.0.3"}},
          "links": [{"between": ["a", "b"]}, {"between": ["a", "c"]}],
          "apps": {"a": [{"at": "0s", "call": "connect", "socket": "c1", "to": "b:80", "from_port": 5000},
                         {"at": "0s", "call": "connect", "socket": "c2", "to": "b:80", "from_port": 5001},
                         {"at": "0s", "call": "connect", "socket": "c3", "to": "c:80", "from_port": 5002}]}
        })");
        std::vector<std::uint32_t> out;
        for (const TraceEvent& e : t.events())
            if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Send && e.host == 0 &&
                e.flags == Flags::Syn && e.t == Time{} && e.options.timestamp)
                out.push_back(e.options.timestamp->val);
        return out;
    };
    const auto host = tsvals("linux-4.9", "");
    REQUIRE(host.size() == 3);
    CHECK(host[0] == host[1]);
    CHECK(host[0] == host[2]);
    const auto pair = tsvals("linux", "address_pair");
    REQUIRE(pair.size() == 3);
    CHECK(pair[0] == pair[1]);
    CHECK(pair[0] != pair[2]);
    const auto tuple = tsvals("linux", "");
    REQUIRE(tuple.size() == 3);
    CHECK(tuple[0] != tuple[1]);
    CHECK(tuple[0] != tuple[2]);
}
