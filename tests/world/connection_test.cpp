#include <doctest/doctest.h>

#include "tcp_fixtures.hpp"

using namespace tcpsim;
using namespace tcpsim::test;
using V = std::vector<std::string>;

TEST_CASE("an active open sends a SYN with an MSS option, enters SYN_SENT and arms a 1 s RTO") {
    Connection c({{kLocal, kRemote}, &rfc793(), Seq{kIss}});
    Actions out;
    c.open_active(Time{}, out);
    CHECK(c.state() == State::SynSent);
    CHECK(transitions(out) == V{"CLOSED -> SYN_SENT"});
    CHECK(sent(out) == V{"SYN seq=1000 ack=0 len=0"});
    CHECK(std::get<Transmit>(out.list[1]).segment.options.mss == 1460);
    CHECK(timers(out) == V{"retransmit set 1000000000"});
}

TEST_CASE("SYN_SENT + SYN,ACK acknowledging our SYN -> ESTABLISHED and an ACK (RFC 9293 3.10.7.3)") {
    Connection c = syn_sent(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), at_ms(10), out);
    CHECK(c.state() == State::Established);
    CHECK(transitions(out) == V{"SYN_SENT -> ESTABLISHED"});
    CHECK(sent(out) == V{"ACK seq=1001 ack=5001 len=0"});
    CHECK(timers(out) == V{"retransmit cancel 1000000000"});
}

TEST_CASE("a lost SYN is retransmitted with exponential backoff until connect fails with ETIMEDOUT") {
    Connection c = syn_sent(linux_rules());
    std::vector<std::int64_t> retransmit_times;
    std::int64_t t_ms = 1000;
    Actions out;
    for (int i = 0; i < 7; ++i) {
        out.clear();
        c.on_timer(TimerKind::Retransmit, at_ms(t_ms), out);
        if (c.state() == State::Closed) break;
        CHECK(sent(out) == V{"SYN seq=1000 ack=0 len=0"});
        retransmit_times.push_back(t_ms);
        t_ms += c.rto().ns / 1'000'000;
    }
    // Linux tcp_syn_retries=6: 1, 3, 7, 15, 31, 63 s, then gives up at 127 s.
    CHECK(retransmit_times == std::vector<std::int64_t>{1000, 3000, 7000, 15000, 31000, 63000});
    CHECK(t_ms == 127000);
    CHECK(c.state() == State::Closed);
    CHECK(last_error(out) == Errno::TimedOut);
}

TEST_CASE("simultaneous open: a SYN in SYN_SENT -> SYN_RECEIVED with a SYN,ACK of the same ISS") {
    Connection c = syn_sent(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Syn, kIrs), at_ms(5), out);
    CHECK(transitions(out) == V{"SYN_SENT -> SYN_RECEIVED"});
    CHECK(sent(out) == V{"SYN|ACK seq=1000 ack=5001 len=0"});
    out.clear();
    // RFC 9293 Figure 8: the peer's SYN,ACK crossing ours completes the open, silently.
    c.on_segment(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), at_ms(6), out);
    CHECK(transitions(out) == V{"SYN_RECEIVED -> ESTABLISHED"});
    CHECK(sent(out).empty());
}

TEST_CASE("a RST with an acceptable ACK in SYN_SENT refuses the connection (ECONNREFUSED)") {
    Connection c = syn_sent(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Rst | Flags::Ack, 0, kIss + 1), at_ms(10), out);
    CHECK(transitions(out) == V{"SYN_SENT -> CLOSED"});
    CHECK(last_error(out) == Errno::ConnRefused);
    CHECK(sent(out).empty());
}

TEST_CASE("an unacceptable ACK in SYN_SENT is answered <SEQ=SEG.ACK><CTL=RST>") {
    Connection c = syn_sent(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Ack, kIrs, 777), at_ms(10), out);
    CHECK(sent(out) == V{"RST seq=777 ack=0 len=0"});
    CHECK(c.state() == State::SynSent);
}

TEST_CASE("active close: FIN_WAIT_1, FIN_WAIT_2 on the ACK, TIME_WAIT for 2MSL on the peer's FIN") {
    Connection c = established(rfc793());
    Actions out;
    c.close(at_ms(20), out);
    CHECK(transitions(out) == V{"ESTABLISHED -> FIN_WAIT_1"});
    CHECK(sent(out) == V{"FIN|ACK seq=1001 ack=5001 len=0"});
    out.clear();
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 2), at_ms(30), out);
    CHECK(transitions(out) == V{"FIN_WAIT_1 -> FIN_WAIT_2"});
    out.clear();
    c.on_segment(from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 2), at_ms(40), out);
    CHECK(transitions(out) == V{"FIN_WAIT_2 -> TIME_WAIT"});
    CHECK(sent(out) == V{"ACK seq=1002 ack=5002 len=0"});
    // RFC 9293 3.4.2: MSL 2 min, so TIME-WAIT ends 4 min after it began.
    CHECK(timers(out) == V{"time_wait set 240040000000"});
}

TEST_CASE("the linux profile holds TIME_WAIT a fixed 60 s whatever the MSL") {
    Connection c = fin_wait_2(linux_rules());
    Actions out;
    c.on_segment(from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 2), at_ms(40), out);
    CHECK(timers(out) == V{"time_wait set 60040000000"});
}

TEST_CASE("passive close: CLOSE_WAIT on the FIN, LAST_ACK on close, CLOSED on the final ACK") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 1), at_ms(20), out);
    CHECK(transitions(out) == V{"ESTABLISHED -> CLOSE_WAIT"});
    CHECK(sent(out) == V{"ACK seq=1001 ack=5002 len=0"});
    CHECK(read_all(c).eof);
    out.clear();
    c.close(at_ms(30), out);
    CHECK(transitions(out) == V{"CLOSE_WAIT -> LAST_ACK"});
    CHECK(sent(out) == V{"FIN|ACK seq=1001 ack=5002 len=0"});
    out.clear();
    c.on_segment(from_peer(Flags::Ack, kIrs + 2, kIss + 2), at_ms(40), out);
    CHECK(transitions(out) == V{"LAST_ACK -> CLOSED"});
    CHECK(last_error(out) == Errno::Ok);
}

TEST_CASE("LAST_ACK retransmits its FIN after the RTO when the final ACK is lost") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 1), at_ms(20), out);
    c.close(at_ms(30), out);
    out.clear();
    c.on_timer(TimerKind::Retransmit, at_ms(1030), out);
    CHECK(sent(out) == V{"FIN|ACK seq=1001 ack=5002 len=0"});
    CHECK(c.state() == State::LastAck);
}

TEST_CASE("simultaneous close passes CLOSING and reaches TIME_WAIT (RFC 9293 Figure 13)") {
    Connection c = established(rfc793());
    Actions out;
    c.close(at_ms(20), out);
    out.clear();
    c.on_segment(from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 1), at_ms(25), out);
    CHECK(transitions(out) == V{"FIN_WAIT_1 -> CLOSING"});
    CHECK(sent(out) == V{"ACK seq=1002 ack=5002 len=0"});
    out.clear();
    c.on_segment(from_peer(Flags::Ack, kIrs + 2, kIss + 2), at_ms(30), out);
    CHECK(transitions(out) == V{"CLOSING -> TIME_WAIT"});
}

TEST_CASE("unacknowledged data is retransmitted from SND.UNA when the RTO expires") {
    Connection c = established(rfc793());
    Actions out;
    CHECK(c.send({'a', 'b', 'c'}, at_ms(20), out) == Errno::Ok);
    CHECK(sent(out) == V{"PSH|ACK seq=1001 ack=5001 len=3"});
    out.clear();
    c.on_timer(TimerKind::Retransmit, at_ms(1020), out);
    CHECK(sent(out) == V{"PSH|ACK seq=1001 ack=5001 len=3"});
    // RFC 6298 5.5: the timer backs off to 2 s.
    CHECK(timers(out) == V{"retransmit expire 1020000000", "retransmit set 3020000000"});
    out.clear();
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 4), at_ms(1030), out);
    CHECK(timers(out) == V{"retransmit cancel 3020000000"});
}

TEST_CASE("out-of-order data is held and delivered once the gap is filled") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Ack, kIrs + 4, kIss + 1, "def"), at_ms(20), out);
    CHECK(sent(out) == V{"ACK seq=1001 ack=5001 len=0"});
    CHECK(c.readable_bytes() == 0);
    out.clear();
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, "abc"), at_ms(21), out);
    CHECK(sent(out) == V{"ACK seq=1001 ack=5007 len=0"});
    const RecvResult r = read_all(c);
    CHECK(std::string(r.bytes.begin(), r.bytes.end()) == "abcdef");
}

TEST_CASE("an old duplicate segment is answered <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, "abc"), at_ms(20), out);
    out.clear();
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, "abc"), at_ms(21), out);
    CHECK(sent(out) == V{"ACK seq=1001 ack=5004 len=0"});
    CHECK(c.readable_bytes() == 3);
}

TEST_CASE("a RST at RCV.NXT resets an established connection (ECONNRESET)") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Rst, kIrs + 1), at_ms(20), out);
    CHECK(transitions(out) == V{"ESTABLISHED -> CLOSED"});
    CHECK(last_error(out) == Errno::ConnReset);
    CHECK(read_all(c).error == Errno::ConnReset);
}

TEST_CASE("RFC 5961 3.2: an in-window RST off RCV.NXT gets a challenge ACK on linux, resets on rfc793") {
    Connection l = established(linux_rules());
    Actions out;
    l.on_segment(from_peer(Flags::Rst, kIrs + 100), at_ms(20), out);
    CHECK(sent(out) == V{"ACK seq=1001 ack=5001 len=0"});
    CHECK(l.state() == State::Established);
    Connection r = established(rfc793());
    out.clear();
    r.on_segment(from_peer(Flags::Rst, kIrs + 100), at_ms(20), out);
    CHECK(r.state() == State::Closed);
}

TEST_CASE("RFC 5961 4.2: a SYN in ESTABLISHED gets a challenge ACK on linux; rfc793 resets") {
    Connection l = established(linux_rules());
    Actions out;
    l.on_segment(from_peer(Flags::Syn, kIrs + 10), at_ms(20), out);
    CHECK(sent(out) == V{"ACK seq=1001 ack=5001 len=0"});
    Connection r = established(rfc793());
    out.clear();
    r.on_segment(from_peer(Flags::Syn, kIrs + 10), at_ms(20), out);
    // The reset takes the RFC 9293 3.5.2 form for a segment without ACK (4.4BSD dropwithreset).
    CHECK(sent(out) == V{"RST|ACK seq=0 ack=5011 len=0"});
    CHECK(r.state() == State::Closed);
}

TEST_CASE("half-close: after shutdown(SHUT_WR) the peer's data is still received in FIN_WAIT_2") {
    Connection c = fin_wait_2(rfc793());
    CHECK(c.state() == State::FinWait2);
    Actions out;
    c.on_segment(from_peer(Flags::Ack | Flags::Psh, kIrs + 1, kIss + 2, "late"), at_ms(40), out);
    CHECK(sent(out) == V{"ACK seq=1002 ack=5005 len=0"});
    CHECK(c.readable_bytes() == 4);
    CHECK(c.send({'x'}, at_ms(41), out) == Errno::Pipe);
}

TEST_CASE("close with unread data sends RST instead of FIN (RFC 9293 3.6.1)") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, "unread"), at_ms(20), out);
    out.clear();
    c.close(at_ms(30), out);
    CHECK(sent(out) == V{"RST seq=1001 ack=0 len=0"});
    CHECK(transitions(out) == V{"ESTABLISHED -> CLOSED"});
}

TEST_CASE("data and FIN are sent in one segment when close follows a send") {
    Connection c = established(rfc793());
    Actions out;
    c.send({'h', 'i'}, at_ms(20), out);
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 3), at_ms(21), out);
    out.clear();
    c.send({'!'}, at_ms(22), out);
    out.clear();
    c.close(at_ms(22), out);
    CHECK(sent(out) == V{"FIN|ACK seq=1004 ack=5001 len=0"});
}

TEST_CASE("a zero window is probed with SEQ=SND.UNA-1 until it opens") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, {}, 0), at_ms(20), out);
    out.clear();
    c.send({'z'}, at_ms(21), out);
    CHECK(sent(out).empty());
    CHECK(timers(out) == V{"persist set 1021000000"});
    out.clear();
    c.on_timer(TimerKind::Persist, at_ms(1021), out);
    CHECK(sent(out) == V{"ACK seq=1000 ack=5001 len=0"});
    out.clear();
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, {}, 1000), at_ms(1030), out);
    CHECK(sent(out) == V{"PSH|ACK seq=1001 ack=5001 len=1"});
}

TEST_CASE("zero-window probes back off exponentially to RTO max and start over once the window opens (RFC 1122 4.2.2.17, L-ZWP-2)") {
    Connection c = established(rfc793());
    Actions out;
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, {}, 0), at_ms(20), out);
    c.send({'z'}, at_ms(21), out);
    out.clear();
    std::vector<std::string> next;
    Time t = at_ms(1021);
    for (int i = 0; i < 8; ++i) {
        c.on_timer(TimerKind::Persist, t, out);
        for (const std::string& s : timers(out))
            if (s.starts_with("persist set")) next.push_back(s);
        t = Time{std::stoll(next.back().substr(12))};
        out.clear();
    }
    // 1 s RTO: probes at 1.021, then 2, 4, 8, 16, 32 s apart, then RTO max (60 s).
    CHECK(next == V{"persist set 3021000000", "persist set 7021000000", "persist set 15021000000",
                    "persist set 31021000000", "persist set 63021000000", "persist set 123021000000",
                    "persist set 183021000000", "persist set 243021000000"});
    // The window opens and closes again: the first probe is one RTO away again.
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1, {}, 1), t, out);
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 2, {}, 0), t + milliseconds(1), out);
    c.send({'y'}, t + milliseconds(2), out);
    out.clear();
    c.on_timer(TimerKind::Persist, t + milliseconds(1002), out);
    CHECK(timers(out) == V{"persist expire " + std::to_string((t + milliseconds(1002)).ns), "persist set " + std::to_string((t + milliseconds(3002)).ns)});
}

TEST_CASE("a retransmitted SYN arms the retransmission timer once, with the backed-off RTO") {
    Connection c = syn_sent(rfc793());
    Actions out;
    c.on_timer(TimerKind::Retransmit, at_ms(1000), out);
    CHECK(timers(out) == V{"retransmit expire 1000000000", "retransmit set 3000000000"});
}

namespace {

Segment ts(Segment s, std::uint32_t val, std::uint32_t ecr) {
    s.options.timestamp = TimestampOption{val, ecr};
    return s;
}

}  // namespace

TEST_CASE("timestamps are on when both SYNs carry TSopt, and every later segment carries TSval/TSecr") {
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}, 100, {}, {}, {}});
    Actions out;
    c.open_active(Time{}, out);
    const Segment& syn = first_sent(out);
    REQUIRE(syn.options.timestamp);
    CHECK(syn.options.timestamp->val == 100);
    out.clear();
    c.on_segment(ts(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), 9000, 100), at_ms(10), out);
    CHECK(c.timestamps_on());
    const Segment& ack = first_sent(out);
    REQUIRE(ack.options.timestamp);
    CHECK(ack.options.timestamp->val == 110);  // 1 ms ticks
    CHECK(ack.options.timestamp->ecr == 9000);
}

TEST_CASE("PAWS: a segment whose TSval is older than TS.Recent is ACKed and dropped (RFC 7323 5.3 R1)") {
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}, 100, {}, {}, {}});
    Actions out;
    c.open_active(Time{}, out);
    c.on_segment(ts(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), 9000, 100), at_ms(10), out);
    out.clear();
    c.on_segment(ts(from_peer(Flags::Ack | Flags::Psh, kIrs + 1, kIss + 1, "old"), 8000, 100), at_ms(20), out);
    CHECK(sent(out) == V{"ACK seq=1001 ack=5001 len=0"});
    CHECK(c.readable_bytes() == 0);
    out.clear();
    c.on_segment(ts(from_peer(Flags::Ack | Flags::Psh, kIrs + 1, kIss + 1, "new"), 9001, 100), at_ms(30), out);
    CHECK(c.readable_bytes() == 3);
    CHECK(c.ts_recent() == 9001);
}

TEST_CASE("keepalive probes at idle, idle+intvl, ... then RST and ETIMEDOUT (L-KA-5)") {
    SocketOptions o;
    o.keepalive = true;
    o.keep_idle = seconds(3);
    o.keep_interval = seconds(2);
    o.keep_count = 4;
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}, 0, o, {}, {}});
    Actions out;
    c.open_active(Time{}, out);
    out.clear();
    c.on_segment(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), Time{}, out);
    CHECK(timers(out).back() == "keepalive set 3000000000");
    std::vector<std::string> probes;
    for (std::int64_t t : {3000, 5000, 7000, 9000}) {
        out.clear();
        c.on_timer(TimerKind::Keepalive, at_ms(t), out);
        CHECK(sent(out) == V{"ACK seq=1000 ack=5001 len=0"});  // SEQ = SND.UNA - 1
    }
    out.clear();
    c.on_timer(TimerKind::Keepalive, at_ms(11000), out);
    CHECK(sent(out) == V{"RST|ACK seq=1001 ack=5001 len=0"});
    CHECK(c.state() == State::Closed);
    CHECK(last_error(out) == Errno::TimedOut);
}

TEST_CASE("an answered keepalive probe resets the count and waits a full idle period again") {
    SocketOptions o;
    o.keepalive = true;
    o.keep_idle = seconds(3);
    o.keep_interval = seconds(2);
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}, 0, o, {}, {}});
    Actions out;
    c.open_active(Time{}, out);
    c.on_segment(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), Time{}, out);
    out.clear();
    c.on_timer(TimerKind::Keepalive, at_ms(3000), out);
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 1), at_ms(3010), out);
    out.clear();
    c.on_timer(TimerKind::Keepalive, at_ms(5000), out);
    CHECK(sent(out).empty());
    CHECK(timers(out).back() == "keepalive set 6010000000");
}

TEST_CASE("an orphaned FIN_WAIT_2 closes silently after tcp_fin_timeout; one still owned waits (L-ORPHAN-1, L-HALF-2)") {
    Connection owned = fin_wait_2(linux_rules());
    CHECK(owned.state() == State::FinWait2);
    Connection orphan = established(linux_rules());
    Actions out;
    orphan.close(at_ms(20), out);
    out.clear();
    orphan.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 2), at_ms(30), out);
    // Linux RTO after a 10 ms handshake: SRTT + max(4*RTTVAR, 200 ms) = 210 ms.
    CHECK(timers(out) == V{"retransmit cancel 230000000", "fin_wait_2 set 60030000000"});
    out.clear();
    orphan.on_timer(TimerKind::FinWait2, at_ms(60030), out);
    CHECK(transitions(out) == V{"FIN_WAIT_2 -> CLOSED"});
    CHECK(sent(out).empty());
}

TEST_CASE("close with SO_LINGER{1,0} sends RST|ACK on linux, RST on rfc793, and never TIME_WAIT") {
    SocketOptions o;
    o.linger = Duration{};
    for (const ProfileRules* rules : {&linux_rules(), &rfc793()}) {
        Connection c({{kLocal, kRemote}, rules, Seq{kIss}, 0, o, {}, {}});
        Actions out;
        c.open_active(Time{}, out);
        c.on_segment(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), at_ms(10), out);
        out.clear();
        c.close(at_ms(20), out);
        CHECK(sent(out) == V{rules == &rfc793() ? "RST seq=1001 ack=0 len=0" : "RST|ACK seq=1001 ack=5001 len=0"});
        CHECK(transitions(out) == V{"ESTABLISHED -> CLOSED"});
    }
}

TEST_CASE("a RST in CLOSE_WAIT reports EPIPE on linux and ECONNRESET on rfc793") {
    for (const ProfileRules* rules : {&linux_rules(), &rfc793()}) {
        Connection c = established(*rules);
        Actions out;
        c.on_segment(from_peer(Flags::Fin | Flags::Ack, kIrs + 1, kIss + 1), at_ms(20), out);
        out.clear();
        c.on_segment(from_peer(Flags::Rst, kIrs + 2), at_ms(30), out);
        CHECK(last_error(out) == (rules == &rfc793() ? Errno::ConnReset : Errno::Pipe));
    }
}

TEST_CASE("the TSval clock runs at the profile's timestamp_tick from the connection's offset") {
    ProfileRules rules = linux_rules();
    REQUIRE_FALSE(apply_knob(rules, "timestamp_tick", KnobValue::text("10ms")).has_value());
    Connection c({{kLocal, kRemote}, &rules, Seq{kIss}, 500, {}, {}, {}});
    Actions out;
    c.open_active(at_ms(2000), out);
    REQUIRE(first_sent(out).options.timestamp);
    CHECK(first_sent(out).options.timestamp->val == 500 + 200);
}

TEST_CASE("after a retransmitted SYN and no RTT sample, data starts with a 3 s RTO (RFC 6298 5.7)") {
    Connection c = syn_sent(rfc793());
    Actions out;
    c.on_timer(TimerKind::Retransmit, at_ms(1000), out);  // RTO backs off to 2 s
    c.on_segment(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), at_ms(1010), out);
    CHECK(c.rto() == seconds(3));
}

TEST_CASE("with timestamps, the ACK of a retransmitted segment still gives an RTT sample from TSecr") {
    Connection c({{kLocal, kRemote}, &linux_rules(), Seq{kIss}, 0, {}, {}, {}});
    Actions out;
    c.open_active(Time{}, out);
    c.on_timer(TimerKind::Retransmit, at_ms(1000), out);  // Karn: no sample from the seq
    // The SYN,ACK echoes the retransmitted SYN's TSval (1000): RTT = 1010 - 1000 ms.
    c.on_segment(ts(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), 7, 1000), at_ms(1010), out);
    // Linux: SRTT 10 ms + max(4 * 5 ms, 200 ms).
    CHECK(c.rto() == milliseconds(210));
}

TEST_CASE("unacknowledged data is retransmitted tcp_retries2 times, then the connection fails with ETIMEDOUT") {
    ProfileRules rules = rfc793();
    REQUIRE_FALSE(apply_knob(rules, "net.ipv4.tcp_retries2", KnobValue::integer(3)).has_value());
    Connection c = established(rules);
    Actions out;
    c.send({'x'}, at_ms(20), out);
    std::int64_t t = 20;
    int retransmissions = 0;
    for (int i = 0; i < 10 && c.state() == State::Established; ++i) {
        t += c.rto().ns / 1'000'000;
        out.clear();
        c.on_timer(TimerKind::Retransmit, at_ms(t), out);
        if (!sent(out).empty()) ++retransmissions;
    }
    CHECK(retransmissions == 3);
    CHECK(c.state() == State::Closed);
    CHECK(last_error(out) == Errno::TimedOut);
    CHECK(t == 20 + 1000 + 2000 + 4000 + 8000);  // RTO 1 s doubling (RFC 6298 5.5)
}

namespace {

// The lengths of the data segments sent, in order.
std::vector<std::uint32_t> data_lengths(const Actions& out) {
    std::vector<std::uint32_t> v;
    for (const Action& a : out.list)
        if (const auto* t = std::get_if<Transmit>(&a); t && t->segment.len() > 0) v.push_back(t->segment.len());
    return v;
}

// Data queued in SYN_SENT, then the SYN,ACK arrives with `mss` in its MSS option.
Actions handshake_with_queued_data(const ProfileRules& rules, std::uint16_t mss, std::size_t bytes) {
    Connection c = syn_sent(rules);
    Actions out;
    c.send(std::vector<std::uint8_t>(bytes, 'x'), at_ms(1), out);
    out.clear();
    Segment syn_ack = from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1);
    syn_ack.options.mss = mss;
    c.on_segment(syn_ack, at_ms(10), out);
    return out;
}

}  // namespace

TEST_CASE("an MSS option of 0 counts as none: queued data goes in 536-byte segments (Linux, FreeBSD)") {
    // Regression: effective MSS 0 made output() emit zero-length segments forever.
    using L = std::vector<std::uint32_t>;
    CHECK(data_lengths(handshake_with_queued_data(rfc793(), 0, 2000)) == L{536, 536, 536, 392});
    CHECK(data_lengths(handshake_with_queued_data(linux_rules(), 0, 1000)) == L{536, 464});
    CHECK(data_lengths(handshake_with_queued_data(bsd(), 0, 1000)) == L{536, 464});
}

TEST_CASE("a tiny MSS is raised to the profile's floor: tcp_min_snd_mss 48 on linux, minmss 216 on bsd") {
    using L = std::vector<std::uint32_t>;
    CHECK(data_lengths(handshake_with_queued_data(linux_rules(), 1, 100)) == L{48, 48, 4});
    CHECK(data_lengths(handshake_with_queued_data(rfc793(), 20, 100)) == L{48, 48, 4});
    CHECK(data_lengths(handshake_with_queued_data(bsd(), 100, 500)) == L{216, 216, 68});
    ProfileRules floor_100 = linux_rules();
    REQUIRE_FALSE(apply_knob(floor_100, "net.ipv4.tcp_min_snd_mss", KnobValue::integer(100)).has_value());
    CHECK(data_lengths(handshake_with_queued_data(floor_100, 1, 250)) == L{100, 100, 50});
    ProfileRules bsd_64 = bsd();
    REQUIRE_FALSE(apply_knob(bsd_64, "net.inet.tcp.minmss", KnobValue::integer(64)).has_value());
    CHECK(data_lengths(handshake_with_queued_data(bsd_64, 1, 100)) == L{64, 36});
}

TEST_CASE("the MSS floor knobs take the sysctls' own ranges and show in the profiles") {
    ProfileRules r = linux_rules();
    CHECK(knob_value(r, "net.ipv4.tcp_min_snd_mss") == "48");
    CHECK(knob_value(bsd(), "net.inet.tcp.minmss") == "216");
    CHECK(apply_knob(r, "net.ipv4.tcp_min_snd_mss", KnobValue::integer(47)) == "an integer from 48 to 65535");
    CHECK(apply_knob(r, "net.inet.tcp.minmss", KnobValue::integer(63)) ==
          "an integer from 64 to 65535 (FreeBSD's tcp_mss_update raises anything lower to 64)");
    CHECK_FALSE(apply_knob(r, "net.ipv4.tcp_min_snd_mss", KnobValue::integer(65535)).has_value());
}

TEST_CASE("an RTT sample from a TSecr INT32_MAX us or more back is ignored, as Linux tcp_rtt_tsopt_us does") {
    // Regression: with a 1 s tick a forged TSecr gave an RTT of up to 2^31 s, and
    // SRTT * 7 + RTT overflowed.
    ProfileRules rules = linux_rules();
    REQUIRE_FALSE(apply_knob(rules, "timestamp_tick", KnobValue::text("1s")).has_value());
    constexpr std::uint32_t kOffset = 0x80000000;  // our TSval all along (the clock stays below 1 s)
    Connection c({{kLocal, kRemote}, &rules, Seq{kIss}, kOffset, {}, {}, {}});
    Actions out;
    c.open_active(Time{}, out);
    c.on_segment(ts(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), 7, kOffset), at_ms(10), out);
    REQUIRE(c.rto() == milliseconds(210));  // SRTT 10 ms + tcp_rto_min
    constexpr std::uint32_t kSeg = 536 - 12;  // no MSS option: 536, less the timestamps
    c.send(std::vector<std::uint8_t>(4 * kSeg, 'x'), at_ms(20), out);
    auto ack = [&](std::uint32_t segments, std::uint32_t val, std::uint32_t ecr, std::int64_t ms) {
        c.on_segment(ts(from_peer(Flags::Ack, kIrs + 1, kIss + 1 + segments * kSeg), val, ecr), at_ms(ms), out);
    };
    ack(1, 8, kOffset, 30);  // the timed first segment: a 10 ms sample
    REQUIRE(c.rto() == milliseconds(210));
    ack(2, 9, kOffset - 2148, 40);  // 2148 s: past INT32_MAX us
    CHECK(c.rto() == milliseconds(210));
    ack(3, 10, kOffset - 0x7fffffff, 50);  // forged: 2^31 - 1 ticks back
    CHECK(c.rto() == milliseconds(210));
    ack(4, 11, kOffset - 2147, 60);  // 2147 s is a sample (it pushes the RTO to tcp_rto_max)
    CHECK(c.rto() == seconds(120));
}
