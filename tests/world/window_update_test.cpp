// The window update a receiver sends when its application drains a closed window (RFC 9293
// 3.8.6.2.2; Linux tcp_cleanup_rbuf, FreeBSD tcp_output), so a sender does not wait for its
// persist timer. Measured on Linux 6.18: the update leaves within 0.3 ms of the read.
#include <doctest/doctest.h>

#include "tcp_fixtures.hpp"
#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/trace/trace.hpp"
#include "tcpsim/world/world.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

using V = std::vector<std::string>;

std::vector<std::uint16_t> windows(const Actions& out) {
    std::vector<std::uint16_t> v;
    for (const Action& a : out.list)
        if (const auto* t = std::get_if<Transmit>(&a)) v.push_back(t->segment.window);
    return v;
}

// Established at 10 ms with a peer offering timestamps and window scale 10 (as Linux does).
Connection scaled_client(const ProfileRules& rules) {
    Actions out;
    Connection c({{kLocal, kRemote}, &rules, Seq{kIss}});
    c.open_active(Time{}, out);
    Segment syn_ack = from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1, {}, 65160);
    syn_ack.options.mss = 1460;
    syn_ack.options.sack_permitted = true;
    syn_ack.options.wscale = 10;
    syn_ack.options.timestamp = TimestampOption{7000, first_sent(out).options.timestamp->val};
    c.on_segment(syn_ack, at_ms(10), out);
    return c;
}

// The peer sends 1448-byte segments at 20 ms up to the right edge each ACK offers (the
// field shifted by `shift`), until the window is closed; nobody reads. Returns the bytes sent.
std::uint32_t fill_window(Connection& c, std::uint8_t shift) {
    Actions out;
    const Seq first{kIrs + 1};
    Seq seq = first;
    Seq edge = seq + c.receive_window();
    while (seq_lt(seq, edge)) {
        const std::uint32_t n = std::min<std::uint32_t>(edge - seq, 1448);
        Segment d = from_peer(Flags::Ack, seq.v, kIss + 1, std::string(n, 'd'), 64);
        d.options.timestamp = TimestampOption{7001, 0};
        out.clear();
        c.on_segment(d, at_ms(20), out);
        seq = seq + n;
        const Segment& ack = first_sent(out);
        edge = ack.ack + (std::uint32_t{ack.window} << shift);
    }
    return seq - first;
}

}  // namespace

TEST_CASE(
    "Linux tcp_cleanup_rbuf: reading a closed window sends an ACK with the reopened window at "
    "once") {
    Connection c = scaled_client(linux_rules());
    REQUIRE(c.receive_window() == 64512);  // field 63
    // The window shrinks by less than each segment: every ACK rounds what is left up to the
    // 1024-byte granule (tcp_select_window never shrinks), so the peer sends past 64512.
    const std::uint32_t filled = fill_window(c, 10);
    CHECK(filled == 92248);
    Actions out;
    // 1000 bytes read: still under 1/16 of the space free, nothing to tell.
    CHECK(c.recv(1000, at_ms(500), out).bytes.size() == 1000);
    CHECK(out.empty());
    CHECK(c.recv(0, at_ms(1000), out).bytes.size() == filled - 1000);
    CHECK(sent(out) == V{"ACK seq=1001 ack=" + std::to_string(kIrs + 1 + filled) + " len=0"});
    CHECK(windows(out) ==
          std::vector<std::uint16_t>{63});  // ALIGN(min(65536, rcv_ssthresh 64240), 1024)
    // Nothing left to read, nothing more to say.
    out.clear();
    c.recv(0, at_ms(1001), out);
    CHECK(out.empty());
}

TEST_CASE("Linux tcp_cleanup_rbuf: no update while more than half the window is still open") {
    Connection c = scaled_client(linux_rules());
    Actions out;
    for (std::uint32_t i = 0; i < 10; ++i) {
        Segment d =
            from_peer(Flags::Ack, kIrs + 1 + i * 1448, kIss + 1, std::string(1448, 'd'), 64);
        d.options.timestamp = TimestampOption{7001, 0};
        c.on_segment(d, at_ms(20), out);
    }
    out.clear();
    c.recv(0, at_ms(30), out);
    CHECK(out.empty());  // the next data segment's ACK carries the window
}

TEST_CASE(
    "FreeBSD tcp_output: an update once the window can grow by half the buffer, not for two "
    "segments' worth") {
    Actions out;
    Connection c({{kLocal, kRemote}, &bsd(), Seq{kIss}});
    c.open_active(Time{}, out);
    Segment syn_ack = from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1, {}, 65535);
    syn_ack.options.mss = 1460;
    syn_ack.options.wscale = 6;
    syn_ack.options.timestamp = TimestampOption{7000, first_sent(out).options.timestamp->val};
    c.on_segment(syn_ack, at_ms(10), out);
    REQUIRE(c.receive_window() == 65728);
    const std::uint32_t filled =
        fill_window(c, 6);  // 65700, and the rounding up to 64-byte granules
    CHECK(filled == 67568);
    out.clear();
    // 2000 bytes: less than two segments (2 * 1460) and a quarter of the buffer.
    c.recv(2000, at_ms(500), out);
    CHECK(out.empty());
    // 40000 bytes more: the window grows by more than two segments and a quarter of the buffer.
    c.recv(40000, at_ms(600), out);
    CHECK(sent(out) == V{"ACK seq=1001 ack=" + std::to_string(kIrs + 1 + filled) + " len=0"});
    CHECK(windows(out) == std::vector<std::uint16_t>{628});  // roundup2(65700 - 25568, 64) >> 6
}

TEST_CASE("RFC 9293 3.8.6.2.2: rfc793 sends an update once the window can move by an MSS") {
    Actions out;
    Connection c = established(rfc793());  // no MSS option: 536; window 65535
    std::uint32_t seq = kIrs + 1;
    for (std::uint32_t left = 65535; left > 0;) {
        const std::uint32_t n = std::min<std::uint32_t>(left, 536);
        c.on_segment(from_peer(Flags::Ack, seq, kIss + 1, std::string(n, 'd')), at_ms(20), out);
        seq += n;
        left -= n;
    }
    CHECK(windows(out).back() == 0);
    out.clear();
    c.recv(535, at_ms(100), out);
    CHECK(out.empty());
    c.recv(1, at_ms(200), out);
    CHECK(windows(out) == std::vector<std::uint16_t>{536});
}

TEST_CASE(
    "a bulk transfer into a slow reader resumes at the read, not at the sender's persist timer") {
    // The server reads nothing for 1 s; its read sends the window update at 1 s, and the
    // client's next data segment leaves when the update arrives (1 s + 1 ms).
    LoadResult r = load_scenario_text(R"({
      "hosts": {"client": {"address": "10.0.0.1", "profile": "linux"},
                "server": {"address": "10.0.0.2", "profile": "linux"}},
      "links": [{"between": ["client", "server"], "delay": "1ms"}],
      "apps": {
        "client": [{"at": "0s", "call": "connect", "socket": "c", "to": "server:80"},
                   {"on": "connected", "socket": "c", "call": "send", "bytes": 200000}],
        "server": [{"at": "0s", "call": "listen", "socket": "l", "port": 80, "accept_as": "s", "autoread": false},
                   {"at": "1s", "call": "recv", "socket": "s"}]
      }
    })",
                                      "slow_reader.json", {});
    REQUIRE(std::holds_alternative<Scenario>(r));
    Trace trace;
    World world(std::get<Scenario>(r), trace);
    world.run();
    const Time read_at = Time{} + seconds(1);
    std::optional<Time> update, resumed, zero_window;
    for (const TraceEvent& e : trace.events()) {
        if (e.kind != TraceKind::Segment || e.segment_event != SegmentEvent::Send) continue;
        if (e.host == 1 && e.win == 0 && !zero_window) zero_window = e.t;
        if (e.host == 1 && e.t >= read_at && e.win > 0 && !update) {
            update = e.t;
            CHECK(e.win == 64);  // the server's: ALIGN(65160, 1024) >> 10 (L-SYN-5)
        }
        if (e.host == 0 && e.t > read_at && e.len > 0 && !resumed) resumed = e.t;
    }
    // The window closes before the read (at 213 ms: the persist timer sent what the last
    // 1024 bytes of window allowed, as tcp_write_wakeup does).
    REQUIRE(zero_window);
    CHECK(*zero_window == Time{} + milliseconds(213));
    REQUIRE(update);
    CHECK(*update == read_at);
    REQUIRE(resumed);
    CHECK(*resumed == read_at + milliseconds(1));
}
