#include "tcpsim/link/network.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "tcpsim/link/nat.hpp"
#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/views/verdict.hpp"
#include "tcpsim/world/world.hpp"

using namespace tcpsim;

namespace {

Ipv4 ip(const char* dotted) { return Ipv4::parse(dotted).value(); }
Endpoint ep(const char* dotted, std::uint16_t port) { return {ip(dotted), port}; }
Time at(Duration d) { return Time{} + d; }

Segment segment(Endpoint src, Endpoint dst, Flags flags) {
    Segment s;
    s.src = src;
    s.dst = dst;
    s.flags = flags;
    s.seq = Seq{1000};
    s.window = 4000;
    return s;
}

NatConfig nat_config(std::uint16_t port_low, std::uint16_t port_high, Duration timeout) {
    NatConfig c;
    c.name = "nat";
    c.address = ip("198.51.100.1");
    c.inside = {"c1"};
    c.port_low = port_low;
    c.port_high = port_high;
    c.mapping_timeout = timeout;
    return c;
}

// Hosts and a network without a world: segments are made by hand and handed to the
// network as a host's stack would.
struct Bench {
    Engine engine;
    Trace trace;
    StreamLedger ledger;
    Network network{engine, trace, 1};
    std::vector<std::unique_ptr<Host>> hosts;

    std::uint16_t add_host(const std::string& name, const char* address) {
        HostSetup setup;
        setup.index = static_cast<std::uint16_t>(hosts.size());
        setup.name = name;
        setup.ip = ip(address);
        setup.rules = *find_profile("rfc793");
        hosts.push_back(std::make_unique<Host>(setup, engine, trace, network, ledger));
        network.add_host(*hosts.back());
        return setup.index;
    }
    // Client c1 (0) behind the NAT, server (1) outside, 1ms links c1-nat and nat-server.
    explicit Bench(const NatConfig& nat) {
        add_host("c1", "10.0.0.1");
        add_host("server", "203.0.113.9");
        const NodeId n = network.add_nat(nat);
        network.add_link(NodeId::host(0), n, {}, {});
        network.add_link(n, NodeId::host(1), {}, {});
    }
    Bench() = default;

    void send(Duration when, std::uint16_t from, const Segment& s) {
        engine.schedule(at(when), [this, from, s] { network.transmit(from, s, {}); });
    }
    void run() { engine.run(at(minutes(10)), 100000); }

    std::vector<TraceEvent> segments(SegmentEvent what) const {
        std::vector<TraceEvent> out;
        for (const TraceEvent& e : trace.events())
            if (e.kind == TraceKind::Segment && e.segment_event == what) out.push_back(e);
        return out;
    }
    std::vector<std::string> nat_texts() const {
        std::vector<std::string> out;
        for (const TraceEvent& e : trace.events())
            if (e.kind == TraceKind::Link && e.link == LinkEvent::NatMapping)
                out.push_back(trace.names().nat_mapping(e));
        return out;
    }
};

Scenario load(const std::string& text) {
    LoadResult r = load_scenario_text(text, "test.json");
    if (auto* e = std::get_if<UserError>(&r)) FAIL(e->message());
    return std::get<Scenario>(std::move(r));
}

}  // namespace

TEST_CASE("a NAT rewrites only the source of an outgoing segment and keeps every option") {
    Nat nat(nat_config(20000, 20100, minutes(2)));
    Segment syn = segment(ep("10.0.0.1", 40000), ep("203.0.113.9", 80), Flags::Syn);
    syn.ack = Seq{7};
    syn.options.mss = 1460;
    syn.options.wscale = 7;
    syn.options.sack_permitted = true;
    syn.options.timestamp = TimestampOption{12345, 678};
    syn.payload =
        std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>{1, 2});

    const NatResult r = nat.outbound(syn, at(seconds(1)));
    REQUIRE(r.segment);
    const Segment& out = *r.segment;
    CHECK(out.src == ep("198.51.100.1", 20000));
    CHECK(out.dst == syn.dst);
    CHECK(out.seq == syn.seq);
    CHECK(out.ack == syn.ack);
    CHECK(out.flags == syn.flags);
    CHECK(out.window == syn.window);
    CHECK(out.options.mss == 1460);
    CHECK(out.options.wscale == 7);
    CHECK(out.options.sack_permitted);
    REQUIRE(out.options.timestamp);
    CHECK(out.options.timestamp->val == 12345);
    CHECK(out.options.timestamp->ecr == 678);
    CHECK(out.payload == syn.payload);
    REQUIRE(r.created);
    CHECK(r.created->inside == ep("10.0.0.1", 40000));
    CHECK(r.created->remote == ep("203.0.113.9", 80));
    CHECK(r.created->public_port == 20000);
}

TEST_CASE("a NAT maps a reply back to the inside host and admits only the mapped remote") {
    Nat nat(nat_config(20000, 20100, minutes(2)));
    nat.outbound(segment(ep("10.0.0.1", 40000), ep("203.0.113.9", 80), Flags::Syn), at({}));

    const NatResult reply = nat.inbound(
        segment(ep("203.0.113.9", 80), ep("198.51.100.1", 20000), Flags::Syn | Flags::Ack), at({}));
    REQUIRE(reply.segment);
    CHECK(reply.segment->src == ep("203.0.113.9", 80));
    CHECK(reply.segment->dst == ep("10.0.0.1", 40000));
    CHECK_FALSE(reply.created);

    const NatResult stranger =
        nat.inbound(segment(ep("203.0.113.7", 80), ep("198.51.100.1", 20000), Flags::Syn), at({}));
    CHECK_FALSE(stranger.segment);
    CHECK(stranger.drop_reason == LinkReason::NatNoMapping);
}

TEST_CASE(
    "two clients behind a NAT reach the server from the NAT's address on distinct pool ports") {
    const Scenario sc = load(R"({
      "hosts": {"c1": {"address": "10.0.0.1"}, "c2": {"address": "10.0.0.2"},
                "server": {"address": "203.0.113.9"}},
      "nats": {"nat": {"address": "198.51.100.1", "inside": ["c1", "c2"], "ports": "20000 20100"}},
      "links": [{"between": ["c1", "nat"]}, {"between": ["c2", "nat"]},
                {"between": ["nat", "server"], "delay": "5ms"}],
      "apps": {
        "c1": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80", "from_port": 40000},
               {"on": "connected", "socket": "c", "call": "send", "bytes": 100}],
        "c2": [{"at": "1ms", "call": "connect", "socket": "c", "to": "server:80", "from_port": 40000},
               {"on": "connected", "socket": "c", "call": "send", "bytes": 300}],
        "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                   {"on": "data", "socket": "s", "call": "send", "bytes": 200}]
      }
    })");
    Trace trace;
    World world(sc, trace);
    world.run();

    // The server's connections, by their peer as it sees them.
    std::vector<Endpoint> syn_from;
    std::vector<Time> syn_at;
    std::int64_t read_by_s = 0;
    std::int64_t read_by_s2 = 0;
    std::int64_t read_by[2] = {0, 0};
    std::size_t sends = 0;
    std::size_t delivers = 0;
    for (const TraceEvent& e : trace.events()) {
        if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Send) ++sends;
        if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Deliver) {
            ++delivers;
            if (e.host == 2 && e.flags == Flags::Syn) {
                CHECK(e.conn.local == ep("203.0.113.9", 80));
                syn_from.push_back(e.conn.remote);
                syn_at.push_back(e.t);
            }
        }
        if (e.kind == TraceKind::Call && e.call == CallKind::Recv) {
            if (e.host == 2 && trace.names().socket_label(e.socket) == "s") read_by_s += e.value;
            if (e.host == 2 && trace.names().socket_label(e.socket) == "s.2") read_by_s2 += e.value;
            if (e.host < 2) read_by[e.host] += e.value;
        }
    }
    CHECK(syn_from == std::vector<Endpoint>{ep("198.51.100.1", 20000), ep("198.51.100.1", 20001)});
    // Two hops: 1ms to the NAT, 5ms on to the server.
    CHECK(syn_at == std::vector<Time>{at(milliseconds(6)), at(milliseconds(7))});
    CHECK(read_by_s == 100);
    CHECK(read_by_s2 == 300);
    CHECK(read_by[0] == 200);
    CHECK(read_by[1] == 200);
    // Only the receiving host records a delivery: nothing is lost, so one per send.
    CHECK(delivers == sends);
    CHECK(socket_state_at(trace, "c1", "c", at(seconds(1))) == State::Established);
    CHECK(socket_state_at(trace, "c2", "c", at(seconds(1))) == State::Established);

    std::vector<std::string> mappings;
    for (const TraceEvent& e : trace.events())
        if (e.kind == TraceKind::Link) mappings.push_back(trace.names().nat_mapping(e));
    CHECK(mappings == std::vector<std::string>{
                          "nat nat: 10.0.0.1:40000 -> 198.51.100.1:20000 for 203.0.113.9:80",
                          "nat nat: 10.0.0.2:40000 -> 198.51.100.1:20001 for 203.0.113.9:80"});
}

TEST_CASE("TCP options pass a NAT unchanged in both directions") {
    Bench b(nat_config(20000, 20100, minutes(2)));
    Segment syn = segment(ep("10.0.0.1", 40000), ep("203.0.113.9", 80), Flags::Syn);
    syn.options.mss = 1460;
    syn.options.timestamp = TimestampOption{12345, 0};
    b.send({}, 0, syn);
    // Inbound, a RST (which nobody answers) carrying timestamps.
    Segment rst = segment(ep("203.0.113.9", 80), ep("198.51.100.1", 20000), Flags::Rst);
    rst.options.timestamp = TimestampOption{555, 12345};
    b.send(milliseconds(10), 1, rst);
    b.run();

    // The SYN reaches the closed port as the NAT sent it; the server's RST,ACK finds c1.
    const auto delivered = b.segments(SegmentEvent::Deliver);
    REQUIRE(delivered.size() == 3);
    const TraceEvent& at_server = delivered[0];
    CHECK(at_server.host == 1);
    CHECK(at_server.t == at(milliseconds(2)));
    CHECK(at_server.conn.remote == ep("198.51.100.1", 20000));
    CHECK(at_server.seq == Seq{1000});
    CHECK(at_server.options.mss == 1460);
    REQUIRE(at_server.options.timestamp);
    CHECK(at_server.options.timestamp->val == 12345);
    CHECK(at_server.options.timestamp->ecr == 0);
    const TraceEvent& at_client = delivered[1];
    CHECK(at_client.host == 0);
    CHECK(at_client.t == at(milliseconds(4)));
    CHECK(at_client.flags == (Flags::Rst | Flags::Ack));
    CHECK(at_client.conn.local == ep("10.0.0.1", 40000));
    CHECK(at_client.conn.remote == ep("203.0.113.9", 80));
    CHECK(at_client.ack == Seq{1001});
    const TraceEvent& probe = delivered[2];
    CHECK(probe.host == 0);
    CHECK(probe.t == at(milliseconds(12)));
    CHECK(probe.conn.local == ep("10.0.0.1", 40000));
    REQUIRE(probe.options.timestamp);
    CHECK(probe.options.timestamp->val == 555);
    CHECK(probe.options.timestamp->ecr == 12345);
    CHECK(b.nat_texts() == std::vector<std::string>{
                               "nat nat: 10.0.0.1:40000 -> 198.51.100.1:20000 for 203.0.113.9:80"});
}

TEST_CASE("a NAT mapping idle for its timeout is removed and a later reply is dropped") {
    Bench b(nat_config(20000, 20100, seconds(10)));
    // RSTs: neither host answers them, so only these segments travel.
    b.send({}, 0, segment(ep("10.0.0.1", 40000), ep("203.0.113.9", 80), Flags::Rst));
    const Segment reply = segment(ep("203.0.113.9", 80), ep("198.51.100.1", 20000), Flags::Rst);
    b.send(seconds(9), 1, reply);   // reaches the NAT at 9.001s: refreshes the mapping
    b.send(seconds(19), 1, reply);  // reaches it at 19.001s, idle for exactly 10s
    b.send(seconds(20), 0, segment(ep("10.0.0.1", 40001), ep("203.0.113.9", 80), Flags::Rst));
    b.run();

    const auto delivered = b.segments(SegmentEvent::Deliver);
    REQUIRE(delivered.size() == 3);
    CHECK(delivered[1].host == 0);
    CHECK(delivered[1].t == at(seconds(9) + milliseconds(2)));
    const auto dropped = b.segments(SegmentEvent::Drop);
    REQUIRE(dropped.size() == 1);
    CHECK(dropped[0].host == 1);
    CHECK(dropped[0].t == at(seconds(19) + milliseconds(1)));
    CHECK(dropped[0].reason == LinkReason::NatNoMapping);
    CHECK(dropped[0].conn.remote == ep("198.51.100.1", 20000));
    // The expired mapping's port is the lowest free one again.
    CHECK(b.nat_texts() == std::vector<std::string>{
                               "nat nat: 10.0.0.1:40000 -> 198.51.100.1:20000 for 203.0.113.9:80",
                               "nat nat: 10.0.0.1:40001 -> 198.51.100.1:20000 for 203.0.113.9:80"});
}

TEST_CASE("a NAT whose port pool is used up drops a new flow") {
    Bench b(nat_config(20000, 20001, minutes(2)));
    for (std::uint16_t port : {40000, 40001, 40002})
        b.send({}, 0, segment(ep("10.0.0.1", port), ep("203.0.113.9", 80), Flags::Rst));
    // A known flow still passes.
    b.send(milliseconds(5), 0, segment(ep("10.0.0.1", 40000), ep("203.0.113.9", 80), Flags::Rst));
    b.run();

    const auto dropped = b.segments(SegmentEvent::Drop);
    REQUIRE(dropped.size() == 1);
    CHECK(dropped[0].host == 0);
    CHECK(dropped[0].t == at(milliseconds(1)));
    CHECK(dropped[0].reason == LinkReason::NatNoFreePort);
    CHECK(dropped[0].conn.local == ep("10.0.0.1", 40002));
    std::vector<Endpoint> seen_by_server;
    for (const TraceEvent& e : b.segments(SegmentEvent::Deliver))
        seen_by_server.push_back(e.conn.remote);
    CHECK(seen_by_server == std::vector<Endpoint>{ep("198.51.100.1", 20000),
                                                  ep("198.51.100.1", 20001),
                                                  ep("198.51.100.1", 20000)});
}

TEST_CASE("a segment to no linked node and from no NAT's inside is dropped with no route") {
    Bench b;
    b.add_host("a", "10.0.0.1");
    b.add_host("b", "10.0.0.2");
    b.send(milliseconds(3), 0, segment(ep("10.0.0.1", 40000), ep("10.0.0.2", 80), Flags::Syn));
    b.run();
    const auto dropped = b.segments(SegmentEvent::Drop);
    REQUIRE(dropped.size() == 1);
    CHECK(dropped[0].host == 0);
    CHECK(dropped[0].t == at(milliseconds(3)));
    CHECK(dropped[0].reason == LinkReason::NoRoute);
    CHECK(b.segments(SegmentEvent::Deliver).empty());
}

TEST_CASE("a segment to 127.0.0.0/8 or the host's own address comes back at once, fault-free") {
    Bench b;
    b.add_host("a", "10.0.0.1");
    FaultConfig drop_all;
    drop_all.description = "drop everything";
    b.network.add_fault(drop_all);
    b.send(seconds(1), 0, segment(ep("10.0.0.1", 40000), ep("127.0.0.1", 80), Flags::Rst));
    b.send(seconds(2), 0, segment(ep("10.0.0.1", 40000), ep("127.9.9.9", 80), Flags::Rst));
    b.send(seconds(3), 0, segment(ep("10.0.0.1", 40000), ep("10.0.0.1", 80), Flags::Rst));
    b.run();
    const auto delivered = b.segments(SegmentEvent::Deliver);
    REQUIRE(delivered.size() == 3);
    CHECK(delivered[0].t == at(seconds(1)));
    CHECK(delivered[0].conn.local == ep("127.0.0.1", 80));
    CHECK(delivered[1].t == at(seconds(2)));
    CHECK(delivered[2].t == at(seconds(3)));
    for (const TraceEvent& e : delivered) CHECK(e.host == 0);
    CHECK(b.segments(SegmentEvent::Drop).empty());
}

TEST_CASE("a host connecting to its own address or to 127.0.0.1 completes the handshake with zero delay") {
    for (const char* to : {"a:80", "127.0.0.1:80"}) {
        CAPTURE(to);
        const Scenario sc = load(std::string(R"({
          "hosts": {"a": {"address": "10.0.0.1"}},
          "apps": {"a": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s"},
                         {"at": "1s", "call": "connect", "socket": "c", "to": ")") + to + R"("}]}
        })");
        Trace trace;
        World world(sc, trace);
        world.run();
        CHECK(socket_state_at(trace, "a", "c", at(seconds(1))) == State::Established);
        CHECK(socket_state_at(trace, "a", "s", at(seconds(1))) == State::Established);
    }
}
