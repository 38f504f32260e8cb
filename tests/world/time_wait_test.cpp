#include <doctest/doctest.h>

#include "tcp_fixtures.hpp"
#include "tcpsim/tcp/time_wait.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

// The local side holds TIME-WAIT: it sent up to 1002 (FIN acked) and received up to 5002.
TimeWaitRecord record(bool with_timestamps = false) {
    TimeWaitRecord r;
    r.snd_nxt = Seq{kIss + 2};
    r.rcv_nxt = Seq{kIrs + 2};
    r.rcv_wnd = 65535;
    r.entered = at_ms(100);
    r.expires = at_ms(100) + seconds(60);
    r.length = seconds(60);
    if (with_timestamps) {
        r.ts_on = true;
        r.ts_recent = 700;
        r.ts_recent_stamp = at_ms(100);
    }
    return r;
}

const FourTuple kTuple{kLocal, kRemote};

Segment with_ts(Segment s, std::uint32_t val) {
    s.options.timestamp = TimestampOption{val, 0};
    return s;
}

std::string reply(const TimeWaitOutcome& o) {
    if (!o.reply) return "none";
    return to_string(o.reply->flags) + " seq=" + std::to_string(o.reply->seq.v) +
           " ack=" + std::to_string(o.reply->ack.v);
}

ProfileRules with(const ProfileRules& base, std::string_view knob, KnobValue v) {
    ProfileRules r = base;
    REQUIRE_FALSE(apply_knob(r, knob, v).has_value());
    return r;
}

}  // namespace

TEST_CASE("TIME_WAIT re-ACKs a retransmitted FIN and restarts 2MSL (RFC 9293 3.10.7.4)") {
    for (const ProfileRules* rules : {&rfc793(), &bsd(), &linux_rules()}) {
        CAPTURE(rules->name);
        const auto o = on_time_wait_segment(record(), kTuple, from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 2),
                                            *rules, at_ms(1000), true);
        CHECK(reply(o) == "ACK seq=1002 ack=5002");
        CHECK(o.restart_timer);
        CHECK_FALSE(o.close);
    }
}

TEST_CASE("an exact RST ends TIME_WAIT on rfc793 and linux (assassination), not on bsd or with tcp_rfc1337=1") {
    const Segment rst = from_peer(Flags::Rst, kIrs + 2);
    CHECK(on_time_wait_segment(record(), kTuple, rst, rfc793(), at_ms(1000), true).close);
    CHECK(on_time_wait_segment(record(), kTuple, rst, linux_rules(), at_ms(1000), true).close);
    CHECK_FALSE(on_time_wait_segment(record(), kTuple, rst, bsd(), at_ms(1000), true).close);  // B-TW-1
    const ProfileRules rfc1337 = with(linux_rules(), "net.ipv4.tcp_rfc1337", KnobValue::integer(1));
    CHECK_FALSE(on_time_wait_segment(record(), kTuple, rst, rfc1337, at_ms(1000), true).close);
    // L-TW-1: any other sequence number is ignored.
    const auto off = on_time_wait_segment(record(), kTuple, from_peer(Flags::Rst, kIrs + 50), linux_rules(),
                                          at_ms(1000), true);
    CHECK_FALSE(off.close);
    CHECK(reply(off) == "none");
}

TEST_CASE("linux TIME_WAIT restarts its timer silently on an in-window bare ACK (L-TW-2)") {
    const auto o = on_time_wait_segment(record(), kTuple, from_peer(Flags::Ack, kIrs + 2, kIss + 2), linux_rules(),
                                        at_ms(1000), true);
    CHECK(o.restart_timer);
    CHECK(reply(o) == "none");
    const auto rfc = on_time_wait_segment(record(), kTuple, from_peer(Flags::Ack, kIrs + 2, kIss + 2), rfc793(),
                                          at_ms(1000), true);
    CHECK_FALSE(rfc.restart_timer);
}

TEST_CASE("linux TIME_WAIT accepts a SYN with a higher sequence number, ISN = SND.NXT + 65537 (L-TW-3)") {
    const auto o = on_time_wait_segment(record(), kTuple, from_peer(Flags::Syn, kIrs + 100000), linux_rules(),
                                        at_ms(1000), true);
    CHECK(o.reopen);
    REQUIRE(o.reopen_isn);
    CHECK(o.reopen_isn->v == kIss + 2 + 65537);
}

TEST_CASE("linux TIME_WAIT answers a lower-sequence SYN with an ACK and keeps its timer (L-TW-4)") {
    const auto o = on_time_wait_segment(record(), kTuple, from_peer(Flags::Syn, kIrs - 1000), linux_rules(),
                                        at_ms(1000), true);
    CHECK_FALSE(o.reopen);
    CHECK(reply(o) == "ACK seq=1002 ack=5002");
    CHECK_FALSE(o.restart_timer);
    // With no listener even a higher SYN falls through to the ACK.
    const auto no_listener = on_time_wait_segment(record(), kTuple, from_peer(Flags::Syn, kIrs + 100000),
                                                  linux_rules(), at_ms(1000), false);
    CHECK_FALSE(no_listener.reopen);
    CHECK(reply(no_listener) == "ACK seq=1002 ack=5002");
}

TEST_CASE("linux TIME_WAIT accepts a lower-sequence SYN whose TSval is newer (L-TW-3, RFC 6191 A.1)") {
    const auto o = on_time_wait_segment(record(true), kTuple, with_ts(from_peer(Flags::Syn, kIrs - 1000), 701),
                                        linux_rules(), at_ms(1000), true);
    CHECK(o.reopen);
    const auto old = on_time_wait_segment(record(true), kTuple, with_ts(from_peer(Flags::Syn, kIrs - 1000), 600),
                                          linux_rules(), at_ms(1000), true);
    CHECK_FALSE(old.reopen);
    CHECK(old.reply.has_value());
}

TEST_CASE("linux TIME_WAIT rate-limits its ACKs to pure ACKs and SYNs (tcp_invalid_ratelimit)") {
    TimeWaitRecord r = record();
    r.last_ratelimited_ack = at_ms(800);
    const auto syn = on_time_wait_segment(r, kTuple, from_peer(Flags::Syn, kIrs - 1000), linux_rules(), at_ms(1000), true);
    CHECK(reply(syn) == "none");
    const auto later = on_time_wait_segment(r, kTuple, from_peer(Flags::Syn, kIrs - 1000), linux_rules(), at_ms(1301), true);
    CHECK(later.reply.has_value());
    // A FIN is never rate-limited.
    const auto fin = on_time_wait_segment(r, kTuple, from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 2),
                                          linux_rules(), at_ms(1000), true);
    CHECK(fin.reply.has_value());
}

TEST_CASE("linux TIME_WAIT answers a PAWS-failing segment with an ACK and restarts its timer") {
    const auto o = on_time_wait_segment(record(true), kTuple,
                                        with_ts(from_peer(Flags::Ack | Flags::Psh, kIrs + 2, kIss + 2, "old"), 600),
                                        linux_rules(), at_ms(1000), true);
    CHECK(reply(o) == "ACK seq=1002 ack=5002");
    CHECK(o.restart_timer);
}

TEST_CASE("bsd TIME_WAIT drops a SYN that is not above RCV.NXT and reopens on a higher one (B-TW-3/5)") {
    const auto low = on_time_wait_segment(record(), kTuple, from_peer(Flags::Syn, kIrs - 1000), bsd(), at_ms(1000), true);
    CHECK(reply(low) == "none");
    CHECK_FALSE(low.reopen);
    const auto high = on_time_wait_segment(record(), kTuple, from_peer(Flags::Syn, kIrs + 10), bsd(), at_ms(1000), true);
    CHECK(high.reopen);
    CHECK_FALSE(high.reopen_isn.has_value());  // tcp_new_isn() picks it
}

TEST_CASE("rfc793 TIME_WAIT resets on an in-window SYN; rfc1122 reopens on a higher sequence number") {
    const Segment syn = from_peer(Flags::Syn, kIrs + 10);
    const auto rfc = on_time_wait_segment(record(), kTuple, syn, rfc793(), at_ms(1000), true);
    CHECK(rfc.close);
    // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>: a SYN carries no ACK to take SEQ from.
    CHECK(reply(rfc) == "RST|ACK seq=0 ack=5011");
    const auto rfc1122 = on_time_wait_segment(record(), kTuple, syn, *find_profile("rfc1122"), at_ms(1000), true);
    CHECK(rfc1122.reopen);
    CHECK(rfc1122.reopen_isn->v == kIss + 2 + 65537);
    const auto out_of_window = on_time_wait_segment(record(), kTuple, from_peer(Flags::Syn, kIrs - 1000), rfc793(),
                                                    at_ms(1000), true);
    CHECK(reply(out_of_window) == "ACK seq=1002 ack=5002");
}

TEST_CASE("rfc6191 TIME_WAIT follows the RFC 6191 decision table") {
    const ProfileRules& r = *find_profile("rfc6191");
    auto reopens = [&](const TimeWaitRecord& rec, const Segment& s) {
        return on_time_wait_segment(rec, kTuple, s, r, at_ms(1000), true).reopen;
    };
    CHECK(reopens(record(true), with_ts(from_peer(Flags::Syn, kIrs - 1000), 701)));     // A.1
    CHECK(reopens(record(true), with_ts(from_peer(Flags::Syn, kIrs + 10), 700)));       // A.2
    CHECK(reopens(record(true), from_peer(Flags::Syn, kIrs + 10)));                     // A.3
    CHECK_FALSE(reopens(record(true), with_ts(from_peer(Flags::Syn, kIrs + 10), 600))); // A.4
    CHECK(reopens(record(false), with_ts(from_peer(Flags::Syn, kIrs - 1000), 5)));      // B.1
    CHECK(reopens(record(false), from_peer(Flags::Syn, kIrs + 10)));                    // B.2
    const auto b3 = on_time_wait_segment(record(false), kTuple, from_peer(Flags::Syn, kIrs - 10), r, at_ms(1000), true);
    CHECK_FALSE(b3.reopen);
    CHECK(reply(b3) == "none");  // B.3: silently dropped
}

TEST_CASE("tw_reuse takes a TIME_WAIT 4-tuple only with timestamps, after the delay (L-REUSE-1..3)") {
    const ProfileRules on = with(linux_rules(), "net.ipv4.tcp_tw_reuse", KnobValue::integer(1));
    CHECK_FALSE(time_wait_reusable(record(false), kTuple, on, at_ms(5000), false));  // no timestamps
    CHECK_FALSE(time_wait_reusable(record(true), kTuple, on, at_ms(1099), false));   // 999 ms after entry
    CHECK_FALSE(time_wait_reusable(record(true), kTuple, on, at_ms(1100), false));  // strictly after
    CHECK(time_wait_reusable(record(true), kTuple, on, at_ms(1101), false));
    // tcp_clock_ms(): Linux compares whole milliseconds, so 1000.5 ms is still too early.
    CHECK_FALSE(time_wait_reusable(record(true), kTuple, on, at_ms(1100) + microseconds(500), false));
    const ProfileRules off = with(linux_rules(), "net.ipv4.tcp_tw_reuse", KnobValue::integer(0));
    CHECK_FALSE(time_wait_reusable(record(true), kTuple, off, at_ms(5000), false));
    // An explicit bind() pins the port: timestamps alone decide, at once.
    CHECK(time_wait_reusable(record(true), kTuple, off, at_ms(101), true));
    // Mode 2 (the default): loopback only.
    CHECK_FALSE(time_wait_reusable(record(true), kTuple, linux_rules(), at_ms(5000), false));
    const FourTuple loopback{{Ipv4{0x7f000001}, 40000}, {Ipv4{0x7f000001}, 80}};
    CHECK(time_wait_reusable(record(true), loopback, linux_rules(), at_ms(5000), false));
}

TEST_CASE("linux-4.9 tw_reuse waits until the last TSval's whole second is more than 1 s old (4.x tcp_twsk_unique)") {
    const ProfileRules on = with(*find_profile("linux-4.9"), "net.ipv4.tcp_tw_reuse", KnobValue::integer(1));
    TimeWaitRecord r = record(true);
    r.ts_recent_stamp = at_ms(1900);                                      // second 1
    CHECK_FALSE(time_wait_reusable(r, kTuple, on, at_ms(2999), false));  // second 2: 1.099 s later
    CHECK(time_wait_reusable(r, kTuple, on, at_ms(3000), false));        // second 3: 1.1 s later
    CHECK_FALSE(time_wait_reusable(record(false), kTuple, on, at_ms(10000), false));  // no timestamps
    CHECK_FALSE(time_wait_reusable(r, kTuple, *find_profile("linux-4.9"), at_ms(10000), false));  // off by default
}

TEST_CASE("PAWS in TIME_WAIT forgets TS.Recent after 24 days on linux-4.9, after 2147 s on linux (TCP_PAWS_WRAP)") {
    auto rejects = [](const ProfileRules& rules, Time now) {
        const auto o = on_time_wait_segment(record(true), kTuple, with_ts(from_peer(Flags::Ack, kIrs + 2, kIss + 2), 600),
                                            rules, now, true);
        return o.cause == Cause::TwPawsReject;
    };
    CHECK(rejects(linux_rules(), at_ms(100) + seconds(2146)));
    CHECK_FALSE(rejects(linux_rules(), at_ms(100) + seconds(2147)));
    CHECK(rejects(*find_profile("linux-4.9"), at_ms(100) + seconds(2147)));
    CHECK_FALSE(rejects(*find_profile("linux-4.9"), at_ms(100) + seconds(24 * 24 * 3600)));
}
