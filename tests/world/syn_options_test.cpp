// SYN options and receive windows as each profile sends them (BEHAVIOUR.md 1.14 L-SYN-*,
// 2.7 B-SYN-*), window scaling (RFC 7323 2), SACK-permitted (RFC 2018; the SACK blocks
// themselves are not modelled), and the window update a read sends (RFC 9293 3.8.6.2.2).
// The Linux numbers were measured on Linux 6.18 over a veth pair (MTU 1500) and loopback.
#include <doctest/doctest.h>

#include "tcp_fixtures.hpp"
#include "tcpsim/profile/profile.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

using V = std::vector<std::string>;

// A Linux peer's SYN options: mss 1460, sackOK, TS val 7000 ecr 0, wscale 10.
Segment with_linux_options(Segment s, std::uint32_t tsecr = 0) {
    s.options.mss = 1460;
    s.options.sack_permitted = true;
    s.options.timestamp = TimestampOption{7000, tsecr};
    s.options.wscale = 10;
    return s;
}

// "mss=1460 sackOK ts=..../0 wscale=10 win=64240" for the SYN-like segment `s`.
std::string syn_summary(const Segment& s) {
    std::string r = "win=" + std::to_string(s.window);
    if (s.options.mss) r += " mss=" + std::to_string(*s.options.mss);
    if (s.options.sack_permitted) r += " sackOK";
    if (s.options.timestamp) r += " tsecr=" + std::to_string(s.options.timestamp->ecr);
    if (s.options.wscale) r += " wscale=" + std::to_string(*s.options.wscale);
    return r;
}

// The window fields of every segment sent.
std::vector<std::uint16_t> windows(const Actions& out) {
    std::vector<std::uint16_t> v;
    for (const Action& a : out.list)
        if (const auto* t = std::get_if<Transmit>(&a)) v.push_back(t->segment.window);
    return v;
}

bool decided(const Actions& out, Cause cause) {
    for (const Action& a : out.list)
        if (const auto* d = std::get_if<Decision>(&a); d && d->cause == cause) return true;
    return false;
}

// An active open that the peer answers with its Linux options; the handshake's ACK in `out`.
Connection linux_client(const ProfileRules& rules, Actions& out) {
    Connection c({{kLocal, kRemote}, &rules, Seq{kIss}});
    c.open_active(Time{}, out);
    const std::uint32_t our_tsval =
        first_sent(out).options.timestamp ? first_sent(out).options.timestamp->val : 0;
    out.clear();
    c.on_segment(with_linux_options(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1, {}, 65160),
                                    our_tsval),
                 at_ms(10), out);
    return c;
}

// A passive open for a SYN with `syn`'s options; the SYN,ACK in `out`.
Connection server_for(const ProfileRules& rules, const Segment& syn, Actions& out) {
    Connection c({{kLocal, kRemote}, &rules, Seq{kIss}});
    c.open_passive(syn, Time{}, out);
    return c;
}

}  // namespace

TEST_CASE(
    "L-SYN-1, L-SYN-4: a Linux SYN offers mss 1460, sackOK, TS ecr 0, wscale 10 and window 64240") {
    Actions out;
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}});
    c.open_active(Time{}, out);
    const Segment& syn = first_sent(out);
    // 64240 = 44 * 1460: tcp_select_initial_window rounds the 65536-byte space down to the MSS.
    CHECK(syn_summary(syn) == "win=64240 mss=1460 sackOK tsecr=0 wscale=10");
    CHECK(syn.options.layout == OptionLayout::Linux);
}

TEST_CASE(
    "L-SYN-4: a Linux SYN,ACK to a SYN with timestamps offers 65160 = 45 * 1448, and echoes its "
    "TSval") {
    Actions out;
    Connection c = server_for(linux_rules(),
                              with_linux_options(from_peer(Flags::Syn, kIrs, 0, {}, 64240)), out);
    CHECK(syn_summary(first_sent(out)) == "win=65160 mss=1460 sackOK tsecr=7000 wscale=10");
    CHECK(c.sack_permitted());
    CHECK(c.window_scaling_on());
    CHECK(c.snd_wscale() == 10);
    CHECK(c.rcv_wscale() == 10);
}

TEST_CASE("L-SYN-4, RFC 7323 2.2: a SYN,ACK to a bare SYN offers 64240 and carries only the MSS") {
    // tcp_openreq_init_rwin: no timestamps, no 12 bytes off the MSS; no option the SYN lacked.
    Actions out;
    Segment syn = from_peer(Flags::Syn, kIrs, 0, {}, 65535);
    syn.options.mss = 1460;
    Connection c = server_for(linux_rules(), syn, out);
    CHECK(syn_summary(first_sent(out)) == "win=64240 mss=1460");
    CHECK_FALSE(c.sack_permitted());
    CHECK_FALSE(c.window_scaling_on());
}

TEST_CASE(
    "L-SYN-5: after the handshake Linux windows are scaled by 10: the client says 63, the server "
    "64") {
    // ALIGN(64240, 1024) >> 10 = 63; ALIGN(65160, 1024) >> 10 = 64 (measured on 6.18).
    Actions out;
    Connection client = linux_client(linux_rules(), out);
    CHECK(windows(out) == std::vector<std::uint16_t>{63});
    CHECK(client.receive_window() == 64512);

    Actions sout;
    Connection server = server_for(
        linux_rules(), with_linux_options(from_peer(Flags::Syn, kIrs, 0, {}, 64240)), sout);
    Segment ack = from_peer(Flags::Ack, kIrs + 1, kIss + 1, {}, 63);
    ack.options.timestamp = TimestampOption{7001, first_sent(sout).options.timestamp->val};
    sout.clear();
    server.on_segment(ack, at_ms(10), sout);
    REQUIRE(server.state() == State::Established);
    server.on_segment(
        [&] {
            Segment d = from_peer(Flags::Ack | Flags::Psh, kIrs + 1, kIss + 1, "hello", 63);
            d.options.timestamp = TimestampOption{7002, 0};
            return d;
        }(),
        at_ms(20), sout);
    CHECK(windows(sout) == std::vector<std::uint16_t>{64});
}

TEST_CASE("RFC 7323 2.3: the peer's window fields are scaled by its shift, a SYN's never") {
    Actions out;
    Connection c = linux_client(linux_rules(), out);
    CHECK(c.tcb().snd.wnd == 65160);  // the SYN,ACK's window, unscaled
    out.clear();
    Segment ack = from_peer(Flags::Ack, kIrs + 1, kIss + 1, {}, 100);
    ack.options.timestamp = TimestampOption{7001, 0};
    c.on_segment(ack, at_ms(20), out);
    CHECK(c.tcb().snd.wnd == 100u << 10);
}

TEST_CASE("RFC 7323 2.3: a window scale above 14 is taken as 14, with a decision saying so") {
    Actions out;
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}});
    c.open_active(Time{}, out);
    out.clear();
    Segment syn_ack = with_linux_options(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1));
    syn_ack.options.wscale = 15;
    c.on_segment(syn_ack, at_ms(10), out);
    CHECK(c.snd_wscale() == 14);
    CHECK(decided(out, Cause::WscaleClamped));
}

TEST_CASE(
    "RFC 7323 2.2: without the peer's window scale neither side scales, and Linux keeps 64240") {
    Actions out;
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}});
    c.open_active(Time{}, out);
    out.clear();
    Segment syn_ack = from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1, {}, 65535);
    syn_ack.options.mss = 1460;
    c.on_segment(syn_ack, at_ms(10), out);
    CHECK_FALSE(c.window_scaling_on());
    CHECK(c.rcv_wscale() == 0);
    CHECK(windows(out) == std::vector<std::uint16_t>{64240});
    CHECK_FALSE(c.sack_permitted());  // RFC 2018 2: only when both SYNs carried it
}

TEST_CASE(
    "L-SYN-6: the MSS comes from the MTU: 1500 -> 1460, loopback 65536 -> 65495, mss overrides") {
    // Measured on 6.18 over lo: SYN win 65495 mss 65495, SYN,ACK win 65483 (65495 - 12).
    auto syn_to = [](const ProfileRules& rules, Endpoint remote) {
        Actions out;
        Connection c({{kLocal, remote}, &rules, Seq{kIss}});
        c.open_active(Time{}, out);
        return syn_summary(first_sent(out));
    };
    const Endpoint loopback{Ipv4{0x7f000001}, 80};
    CHECK(syn_to(linux_rules(), loopback) == "win=65495 mss=65495 sackOK tsecr=0 wscale=10");
    CHECK(syn_to(linux_rules(), Endpoint{kLocal.ip, 80}) ==
          "win=65495 mss=65495 sackOK tsecr=0 wscale=10");
    ProfileRules jumbo = linux_rules();
    REQUIRE_FALSE(apply_knob(jumbo, "mtu", KnobValue::integer(9000)).has_value());
    // 65536 rounded down to 8960: 7 * 8960 = 62720.
    CHECK(syn_to(jumbo, kRemote) == "win=62720 mss=8960 sackOK tsecr=0 wscale=10");
    ProfileRules advmss = linux_rules();
    REQUIRE_FALSE(apply_knob(advmss, "mss", KnobValue::integer(536)).has_value());
    CHECK(syn_to(advmss, kRemote) == "win=65392 mss=536 sackOK tsecr=0 wscale=10");
    CHECK(knob_value(advmss, "mss") == "536");
    CHECK(knob_value(linux_rules(), "mss") == "none");
    CHECK(knob_value(linux_rules(), "mtu") == "1500");

    Actions out;
    Connection server({{Endpoint{Ipv4{0x7f000001}, 80}, Endpoint{Ipv4{0x7f000001}, 40000}},
                       &linux_rules(),
                       Seq{kIss}});
    Segment syn = with_linux_options(from_peer(Flags::Syn, kIrs, 0, {}, 65495));
    syn.src = Endpoint{Ipv4{0x7f000001}, 40000};
    syn.dst = Endpoint{Ipv4{0x7f000001}, 80};
    syn.options.mss = 65495;
    server.open_passive(syn, Time{}, out);
    CHECK(syn_summary(first_sent(out)) == "win=65483 mss=65495 sackOK tsecr=7000 wscale=10");
}

TEST_CASE("L-SYN-7: a SYN that takes over a TIME-WAIT echoes the old TS.Recent and offers 65160") {
    // Measured on 6.18 (tcp_tw_reuse=1, same port 1.5 s later): SYN win 65160, TSecr = the
    // old peer's last TSval; the connection after it says 64.
    Actions out;
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}, 0, {}, 4242u, at_ms(0)});
    c.open_active(at_ms(1500), out);
    CHECK(syn_summary(first_sent(out)) == "win=65160 mss=1460 sackOK tsecr=4242 wscale=10");
    out.clear();
    c.on_segment(with_linux_options(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1, {}, 65160)),
                 at_ms(1510), out);
    CHECK(windows(out) == std::vector<std::uint16_t>{64});
}

TEST_CASE(
    "B-SYN-1, B-SYN-2: a FreeBSD SYN offers 65535 with mss 1460, wscale 6, sackOK, TS in "
    "tcp_addoptions order") {
    Actions out;
    Connection c({{kLocal, kRemote}, &bsd(), Seq{kIss}});
    c.open_active(Time{}, out);
    const Segment& syn = first_sent(out);
    CHECK(syn_summary(syn) == "win=65535 mss=1460 sackOK tsecr=0 wscale=6");
    CHECK(syn.options.layout == OptionLayout::FreeBsd);
}

TEST_CASE(
    "B-SYN-3: FreeBSD rounds its 65536-byte buffer up to 45 * 1460 = 65700, window field 1027") {
    Actions out;
    Connection c({{kLocal, kRemote}, &bsd(), Seq{kIss}});
    c.open_active(Time{}, out);
    out.clear();
    c.on_segment(with_linux_options(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1, {}, 65160)),
                 at_ms(10), out);
    // tcp_output rounds the window up to the scale's granule ("avoid shrinking window with
    // window scaling"): roundup2(65700, 64) = 65728, field 1027 (BEHAVIOUR.md's 1026 omits it).
    CHECK(c.receive_window() == 65728);
    CHECK(windows(out) == std::vector<std::uint16_t>{1027});
}

TEST_CASE("rfc793 sends the MSS alone and an unscaled window of 65535") {
    Actions out;
    Connection c({{kLocal, kRemote}, &rfc793(), Seq{kIss}});
    c.open_active(Time{}, out);
    CHECK(syn_summary(first_sent(out)) == "win=65535 mss=1460");
}

TEST_CASE("the window knobs: receive_buffer, tcp_window_scaling, window_scale, tcp_sack, rfc1323") {
    ProfileRules r = linux_rules();
    CHECK(knob_value(r, "window_scale") == "10");
    REQUIRE_FALSE(apply_knob(r, "net.ipv4.tcp_window_scaling", KnobValue::integer(0)).has_value());
    REQUIRE_FALSE(apply_knob(r, "net.ipv4.tcp_sack", KnobValue::integer(0)).has_value());
    Actions out;
    Connection c({{kLocal, kRemote}, &r, Seq{kIss}});
    c.open_active(Time{}, out);
    CHECK(syn_summary(first_sent(out)) == "win=64240 mss=1460 tsecr=0");
    ProfileRules b = bsd();
    REQUIRE_FALSE(apply_knob(b, "net.inet.tcp.rfc1323", KnobValue::integer(3)).has_value());
    CHECK(knob_value(b, "net.inet.tcp.rfc1323") == "3");
    CHECK_FALSE(b.window_scaling);
    CHECK(b.timestamps);
    CHECK(apply_knob(r, "window_scale", KnobValue::integer(15)) == "an integer from 0 to 14");
}
