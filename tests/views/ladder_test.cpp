#include "tcpsim/views/ladder.hpp"

#include <doctest/doctest.h>

#include "ladder_builders.hpp"
#include "tcpsim/views/explanation.hpp"
#include "tcpsim/views/ladder_text.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

std::vector<std::string> text_lines(const Ladder& ladder, LadderTextOptions options = {}) {
    std::ostringstream out;
    write_ladder_text(out, ladder, options);
    return split_lines(out.str());
}

std::vector<std::uint64_t> ids(const Ladder& ladder) {
    std::vector<std::uint64_t> v;
    for (const LadderSegment& s : ladder.segments) v.push_back(s.id);
    return v;
}

const Ipv4 kNat = Ipv4::parse("198.51.100.1").value();

}  // namespace

TEST_CASE("ladder pairs each segment's send and arrival by its id, with relative sequence numbers") {
    const Ladder l = ladder_of(story());
    REQUIRE(l.segments.size() == 3);
    const LadderSegment& syn = l.segments[0];
    CHECK(syn.id == 1);
    CHECK(syn.from == kClient);
    CHECK(syn.to == kServer);
    CHECK(syn.sent == ms(0));
    REQUIRE(syn.arrivals.size() == 1);
    CHECK(syn.arrivals[0].t == ms(10));
    CHECK(l.names.socket_label(syn.arrivals[0].socket) == "l");
    CHECK(syn.fate == LadderFate::Delivered);
    CHECK(segment_label(syn) == "SYN seq 0 <mss 1460>");
    CHECK(fate_text(l, syn) == "arrives 0.010");
    const LadderSegment& synack = l.segments[1];
    CHECK(synack.from == kServer);
    CHECK(synack.to == kClient);
    CHECK(synack.seq == 0);
    CHECK(synack.ack == 1);  // the client's ISN 4294967295, plus one, wraps to 0
    CHECK(l.segments[2].seq == 1);
    CHECK(l.segments[2].ack == 1);
    CHECK(segment_label(l.segments[2]) == "ACK seq 1 ack 1");
    CHECK(l.hosts.size() == 2);
    CHECK(l.hosts[0].name == "client");
    CHECK(l.hosts[1].name == "server");
    CHECK(l.end == ms(61000));
    CHECK(l.capped.empty());
}

TEST_CASE("ladder: a dropped segment keeps why, the fault, and the host owning its destination") {
    const Ladder l = ladder_of(story());
    const LadderSegment& ack = l.segments[2];
    CHECK(ack.fate == LadderFate::Dropped);
    CHECK(ack.reason == LinkReason::Fault);
    CHECK(l.names.fault(ack.fault) == "lose the client's ACK");
    CHECK(ack.to == kServer);
    CHECK(ack.arrivals.empty());
    CHECK(ack.lost_at == ms(20));
    CHECK(fate_text(l, ack) == "lost (fault: lose the client's ACK)");
    REQUIRE(ack.lost_step != kNoStep);
    CHECK(l.steps[ack.lost_step].kind == LadderStepKind::Lose);
    CHECK(l.steps[ack.lost_step].why == "The scenario's fault \"lose the client's ACK\" dropped it.");

    // No host owns the destination: nobody to draw it to.
    Trace trace = two_hosts();
    const FourTuple nowhere{{Ipv4::parse("10.0.0.1").value(), 40000}, {Ipv4::parse("10.9.9.9").value(), 80}};
    trace.record(seg(SegmentEvent::Send, 0, kClient, {}, 1, Flags::Syn, 0, 0, nowhere));
    trace.record(link_drop(0, kClient, {}, 1, Flags::Syn, 0, 0, nowhere, LinkReason::NoRoute));
    trace.finish({RunEnd::Quiescent, ms(0), 2});
    const Ladder lost = ladder_of(trace);
    REQUIRE(lost.segments.size() == 1);
    CHECK_FALSE(lost.segments[0].to.has_value());
    CHECK(fate_text(lost, lost.segments[0]) == "lost (no route)");
}

TEST_CASE("ladder: a duplicated segment arrives twice and a delayed one says how late") {
    const Ladder l = ladder_of(story());
    const LadderSegment& synack = l.segments[1];
    CHECK(synack.fate == LadderFate::Duplicated);
    REQUIRE(synack.arrivals.size() == 2);
    CHECK(synack.arrivals[0].t == ms(20));
    CHECK(synack.arrivals[1].t == ms(21));
    CHECK(fate_text(l, synack) == "arrives 0.020, copy 0.021 (duplicate)");
    CHECK(l.steps[synack.arrivals[1].step].text ==
          "client c receives a second copy of SYN|ACK seq 0 ack 1 from server (sent at 0.010)");
    CHECK(l.steps[synack.arrivals[1].step].why == "The link duplicated it: this is the second copy.");

    Trace trace = two_hosts();
    const FourTuple conn = client_side();
    trace.record(seg(SegmentEvent::Send, 2, kClient, {}, 7, Flags::Psh | Flags::Ack, 1, 1, conn, 100));
    TraceEvent held = seg(SegmentEvent::Delay, 2, kClient, {}, 7, Flags::Psh | Flags::Ack, 1, 1, conn, 100);
    held.reason = LinkReason::Reorder;
    held.delay = seconds(5);
    trace.record(held);
    trace.record(seg(SegmentEvent::Deliver, 5003, kServer, {}, 7, Flags::Psh | Flags::Ack, 1, 1, conn.reversed(), 100));
    trace.finish({RunEnd::Quiescent, ms(5003), 3});
    const Ladder late = ladder_of(trace);
    REQUIRE(late.segments.size() == 1);
    CHECK(late.segments[0].fate == LadderFate::Delayed);
    CHECK(late.segments[0].delay == seconds(5));
    CHECK(fate_text(late, late.segments[0]) == "held 5s (reorder), arrives 5.003");
}

TEST_CASE("ladder steps follow the trace, each item naming its step and each step its item") {
    const Ladder l = ladder_of(story());
    std::vector<LadderStepKind> kinds;
    for (const LadderStep& s : l.steps) kinds.push_back(s.kind);
    using K = LadderStepKind;
    const std::vector<LadderStepKind> expected{K::Call,   K::State,    K::Call,   K::State, K::Send,  K::Arrive,
                                               K::State,  K::Send,     K::Arrive, K::State, K::Send,  K::Lose,
                                               K::Arrive, K::Decision, K::State,  K::Timer, K::Timer, K::State};
    CHECK(kinds == expected);
    for (std::size_t i = 0; i + 1 < l.steps.size(); ++i) CHECK(l.steps[i].event < l.steps[i + 1].event);
    for (std::size_t i = 0; i < l.segments.size(); ++i) {
        CHECK(l.steps[l.segments[i].step].item == i);
        for (const LadderArrival& a : l.segments[i].arrivals) CHECK(l.steps[a.step].item == i);
    }
    for (std::size_t i = 0; i < l.states.size(); ++i) CHECK(l.steps[l.states[i].step].item == i);
    // Sends say what went where; states and decisions say why, in the explanation view's words.
    CHECK(l.steps[4].text == "client c sends SYN seq 0 <mss 1460> to server");
    CHECK(l.steps[1].text == "server l: CLOSED -> LISTEN (listen)");
    TraceEvent listen = state(0, kServer, {}, State::Closed, State::Listen, Cause::Listen);
    CHECK(l.steps[1].why == explain(listen));
    CHECK(l.steps[1].why.ends_with("[RFC 9293 3.10.1]"));
    CHECK(l.steps[13].why.starts_with(std::string(explanation(Cause::Unacceptable))));
}

TEST_CASE("ladder attaches a receiver's decision to the segment it is about") {
    const Ladder l = ladder_of(story());
    REQUIRE(l.decisions.size() == 1);
    const LadderDecision& d = l.decisions[0];
    CHECK(d.cause == Cause::Unacceptable);
    CHECK(d.host == kClient);
    CHECK(d.segment == std::optional<std::size_t>(1));
    CHECK(l.segments[1].decisions == std::vector<std::size_t>{0});
    CHECK(decision_label(d) == "segment fails the sequence test: ACK, dropped");
}

TEST_CASE("ladder keeps TIME_WAIT with its restarts, and other timers only when they expire") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const SocketRef s = sock(trace, "s", 1);
    const FourTuple conn = client_side();
    trace.record(on(timer(1010, kServer, s, TimerKind::Retransmit, TimerAction::Set, 1020), conn.reversed()));
    trace.record(on(timer(1015, kServer, s, TimerKind::Retransmit, TimerAction::Cancel), conn.reversed()));
    trace.record(on(timer(1015, kServer, s, TimerKind::Retransmit, TimerAction::Set, 2015), conn.reversed()));
    trace.record(on(timer(1020, kClient, c, TimerKind::TimeWait, TimerAction::Set, 61020), conn));
    trace.record(on(timer(1030, kClient, c, TimerKind::Keepalive, TimerAction::Set, 3000), conn));
    trace.record(on(timer(2015, kServer, s, TimerKind::Retransmit, TimerAction::Expire), conn.reversed()));
    trace.record(on(timer(2020, kClient, c, TimerKind::TimeWait, TimerAction::Restart, 62020), conn));
    trace.record(on(timer(2020, kClient, c, TimerKind::Keepalive, TimerAction::Cancel), conn));
    trace.record(on(timer(62020, kClient, c, TimerKind::TimeWait, TimerAction::Expire), conn));
    trace.finish({RunEnd::Quiescent, ms(62020), 9});
    const Ladder l = ladder_of(trace);
    REQUIRE(l.timers.size() == 2);
    const LadderTimer& rto = l.timers[0];
    CHECK(rto.kind == TimerKind::Retransmit);
    CHECK(rto.start == ms(1015));
    CHECK(rto.end == LadderTimerEnd::Expired);
    CHECK(rto.length() == seconds(1));
    CHECK(timer_note(l, rto, rto.step) == "RTO 1s until 2.015");
    CHECK(timer_note(l, rto, rto.end_step) == "RTO 1s expired");
    const LadderTimer& tw = l.timers[1];
    CHECK(tw.kind == TimerKind::TimeWait);
    CHECK(tw.start == ms(1020));
    REQUIRE(tw.restarts.size() == 1);
    CHECK(tw.restarts[0].t == ms(2020));
    CHECK(tw.last_start() == ms(2020));
    CHECK(tw.length() == seconds(60));
    CHECK(tw.end == LadderTimerEnd::Expired);
    CHECK(tw.ended == ms(62020));
    CHECK(timer_note(l, tw, tw.step) == "TIME_WAIT 60s until 61.020");
    CHECK(timer_note(l, tw, tw.restarts[0].step) == "TIME_WAIT restarted: 60s until 62.020");
    CHECK(timer_note(l, tw, tw.end_step).empty());  // the state change says it
    CHECK(l.steps[tw.restarts[0].step].why == "A segment arrived in TIME-WAIT and started its timer again.");
}

TEST_CASE("ladder draws a TIME_WAIT still running to the end of the picture") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    trace.record(on(timer(1020, kClient, c, TimerKind::TimeWait, TimerAction::Set, 61020), client_side()));
    trace.finish({RunEnd::DurationReached, ms(5000), 1});
    const Ladder l = ladder_of(trace);
    REQUIRE(l.timers.size() == 1);
    CHECK(l.timers[0].end == LadderTimerEnd::Running);
    CHECK(l.timers[0].ended == ms(5000));
    CHECK(l.end == ms(5000));
}

TEST_CASE("ladder caps itself at max_segments, keeps the kept segments' fates, and names the total") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const FourTuple conn = client_side();
    for (std::uint32_t i = 0; i < 2500; ++i) {
        trace.record(seg(SegmentEvent::Send, i, kClient, c, i + 1, Flags::Ack, i, 1, conn));
        if (i != 1) trace.record(seg(SegmentEvent::Deliver, i, kServer, {}, i + 1, Flags::Ack, i, 1, conn.reversed()));
    }
    trace.record(seg(SegmentEvent::Deliver, 3000, kServer, {}, 2, Flags::Ack, 1, 1, conn.reversed()));
    trace.record(on(state(3000, kClient, c, State::Established, State::FinWait1, Cause::Close), conn));
    trace.finish({RunEnd::Quiescent, ms(3000), 5000});
    const Ladder l = ladder_of(trace);
    CHECK(l.segments.size() == 2000);
    CHECK(l.total_segments == 2500);
    CHECK(l.capped == "ladder: 2,500 segments, showing the first 2,000; narrow it with --socket/--from/--until");
    REQUIRE(l.segments[1].arrivals.size() == 1);
    CHECK(l.segments[1].arrivals[0].t == ms(3000));
    CHECK(l.states.empty());
    CHECK(l.end == ms(3000));

    LadderOptions small;
    small.max_segments = 10;
    CHECK(ladder_of(trace, small).capped ==
          "ladder: 2,500 segments, showing the first 10; narrow it with --socket/--from/--until");
}

TEST_CASE("ladder caps its steps at ten per allowed segment") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    for (int i = 0; i < 15; ++i) trace.record(call(i, kClient, c, CallKind::Connect, Errno::AddrNotAvail));
    trace.finish({RunEnd::Quiescent, ms(15), 15});
    LadderOptions one;
    one.max_segments = 1;
    const Ladder l = ladder_of(trace, one);
    CHECK(l.calls.size() == 10);
    CHECK(l.capped == "ladder: 15 steps, showing the first 10; narrow it with --socket/--from/--until");
    CHECK(call_label(l.calls[0]) == "connect() EADDRNOTAVAIL");
}

TEST_CASE("ladder --host keeps the arrows touching that host, also one it reaches through a NAT") {
    Trace trace;
    trace.set_hosts({{"c1", Ipv4::parse("10.0.0.1").value(), "linux"},
                     {"c2", Ipv4::parse("10.0.0.2").value(), "linux"},
                     {"server", Ipv4::parse("10.0.0.9").value(), "linux"}});
    const Endpoint c1{Ipv4::parse("10.0.0.1").value(), 40000};
    const Endpoint c2{Ipv4::parse("10.0.0.2").value(), 40000};
    const Endpoint server{Ipv4::parse("10.0.0.9").value(), 80};
    const Endpoint public1{kNat, 20000};
    const Endpoint public2{kNat, 20001};
    trace.record(seg(SegmentEvent::Send, 0, 0, {}, 1, Flags::Syn, 0, 0, {c1, server}));
    trace.record(seg(SegmentEvent::Send, 0, 1, {}, 2, Flags::Syn, 0, 0, {c2, server}));
    trace.record(seg(SegmentEvent::Deliver, 10, 2, {}, 1, Flags::Syn, 0, 0, {server, public1}));
    trace.record(seg(SegmentEvent::Deliver, 10, 2, {}, 2, Flags::Syn, 0, 0, {server, public2}));
    // Back through the NAT: at the send, only the NAT's address is known.
    trace.record(seg(SegmentEvent::Send, 10, 2, {}, 3, Flags::Syn | Flags::Ack, 0, 1, {server, public1}));
    trace.record(seg(SegmentEvent::Send, 10, 2, {}, 4, Flags::Syn | Flags::Ack, 0, 1, {server, public2}));
    trace.record(seg(SegmentEvent::Deliver, 20, 0, {}, 3, Flags::Syn | Flags::Ack, 0, 1, {c1, server}));
    trace.record(link_drop(15, 2, {}, 4, Flags::Syn | Flags::Ack, 0, 1, {server, public2}, LinkReason::NatNoMapping));
    trace.finish({RunEnd::Quiescent, ms(20), 8});

    const Ladder all = ladder_of(trace);
    CHECK(ids(all) == std::vector<std::uint64_t>{1, 2, 3, 4});
    CHECK(all.segments[2].to == std::optional<std::uint16_t>(0));
    CHECK_FALSE(all.segments[3].to.has_value());
    CHECK(fate_text(all, all.segments[3]) == "lost at 0.015 (nat: no mapping)");

    LadderOptions only_c1;
    only_c1.host = "c1";
    const Ladder l = ladder_of(trace, only_c1);
    CHECK(ids(l) == std::vector<std::uint64_t>{1, 3});
    REQUIRE(l.hosts.size() == 2);
    CHECK(l.hosts[0].name == "c1");
    CHECK(l.hosts[1].name == "server");
}

TEST_CASE("ladder --socket keeps the socket's connection, with the SYN its listener took") {
    Trace trace;
    trace.set_hosts({{"client", Ipv4::parse("10.0.0.1").value(), "linux"},
                     {"server", Ipv4::parse("10.0.0.2").value(), "linux"},
                     {"other", Ipv4::parse("10.0.0.3").value(), "linux"}});
    const SocketRef c = sock(trace, "c");
    const SocketRef l = sock(trace, "l");
    const SocketRef s = sock(trace, "s", 1);
    const SocketRef s2 = sock(trace, "s", 2);
    const FourTuple conn = client_side();
    const FourTuple other{{Ipv4::parse("10.0.0.3").value(), 50000}, {Ipv4::parse("10.0.0.2").value(), 80}};
    trace.record(seg(SegmentEvent::Send, 0, 0, c, 1, Flags::Syn, 0, 0, conn));
    trace.record(seg(SegmentEvent::Send, 0, 2, c, 5, Flags::Syn, 0, 0, other));
    trace.record(seg(SegmentEvent::Deliver, 10, 1, l, 1, Flags::Syn, 0, 0, conn.reversed()));
    trace.record(on(state(10, 1, s, State::Listen, State::SynReceived, Cause::RcvSyn), conn.reversed()));
    trace.record(seg(SegmentEvent::Send, 10, 1, s, 2, Flags::Syn | Flags::Ack, 0, 1, conn.reversed()));
    trace.record(seg(SegmentEvent::Deliver, 10, 1, l, 5, Flags::Syn, 0, 0, other.reversed()));
    trace.record(on(state(10, 1, s2, State::Listen, State::SynReceived, Cause::RcvSyn), other.reversed()));
    trace.record(seg(SegmentEvent::Deliver, 20, 0, c, 2, Flags::Syn | Flags::Ack, 0, 1, conn));
    trace.record(seg(SegmentEvent::Send, 20, 0, c, 3, Flags::Ack, 1, 1, conn));
    trace.finish({RunEnd::Quiescent, ms(20), 9});

    LadderOptions just_s;
    just_s.socket = "s";
    const Ladder one = ladder_of(trace, just_s);
    CHECK(ids(one) == std::vector<std::uint64_t>{1, 2, 3});
    REQUIRE(one.states.size() == 1);
    CHECK(one.names.socket_label(one.states[0].socket) == "s");
    REQUIRE(one.steps.size() == 6);  // 3 sends, 2 arrivals (the ACK has none yet), 1 state
    for (std::size_t i = 0; i + 1 < one.steps.size(); ++i) CHECK(one.steps[i].event < one.steps[i + 1].event);

    LadderOptions every_s;
    every_s.socket = "s.*";
    CHECK(ids(ladder_of(trace, every_s)) == std::vector<std::uint64_t>{1, 5, 2, 3});

    LadderOptions window;
    window.from = ms(5);
    window.until = ms(15);
    const Ladder w = ladder_of(trace, window);
    // The SYNs were sent before the window but arrive in it; the ACK is sent after it.
    CHECK(ids(w) == std::vector<std::uint64_t>{1, 5, 2});
    CHECK(w.states.size() == 2);
    window.from = ms(15);
    window.until.reset();
    CHECK(ids(ladder_of(trace, window)) == std::vector<std::uint64_t>{2, 3});

    LadderOptions nobody;
    nobody.socket = "zz";
    const Ladder none = ladder_of(trace, nobody);
    CHECK(none.segments.empty());
    CHECK(none.filter_problem == "--socket zz: no socket of that name in the scenario");
}

TEST_CASE("ladder names the socket in state labels only on a host showing several connections") {
    Trace trace = two_hosts();
    const SocketRef c0 = sock(trace, "c0");
    const SocketRef c1 = sock(trace, "c1");
    const SocketRef l = sock(trace, "l");
    trace.record(state(0, kClient, c0, State::Closed, State::SynSent, Cause::Connect));
    trace.record(state(0, kClient, c1, State::Closed, State::SynSent, Cause::Connect));
    trace.record(state(0, kServer, l, State::Closed, State::Listen, Cause::Listen));
    trace.finish({RunEnd::Quiescent, ms(0), 3});
    const Ladder lad = ladder_of(trace);
    CHECK(state_label(lad, lad.states[0]) == "c0 SYN_SENT");
    CHECK(state_label(lad, lad.states[1]) == "c1 SYN_SENT");
    CHECK(state_label(lad, lad.states[2]) == "LISTEN");
}

TEST_CASE("ladder marks a segment carrying sequence space already sent as a retransmission") {
    Trace trace = two_hosts();
    const FourTuple conn = client_side();
    trace.record(seg(SegmentEvent::Send, 0, kClient, {}, 1, Flags::Fin | Flags::Ack, 7, 9, conn));
    trace.record(seg(SegmentEvent::Send, 1000, kClient, {}, 2, Flags::Fin | Flags::Ack, 7, 9, conn));
    trace.record(seg(SegmentEvent::Send, 1000, kClient, {}, 3, Flags::Ack, 8, 9, conn));
    trace.record(seg(SegmentEvent::Send, 1000, kClient, {}, 4, Flags::Ack, 8, 9, conn));
    trace.finish({RunEnd::Quiescent, ms(1000), 4});
    const Ladder l = ladder_of(trace);
    CHECK_FALSE(l.segments[0].retransmission);
    CHECK(l.segments[1].retransmission);
    CHECK(segment_label(l.segments[1]) == "FIN|ACK seq 0 ack 9 (retransmission)");
    CHECK_FALSE(l.segments[3].retransmission);  // a bare ACK carries nothing
}

TEST_CASE("ladder helpers: durations, thousands, times with the digits the run needs") {
    CHECK(short_duration(seconds(60)) == "60s");
    CHECK(short_duration(milliseconds(59990)) == "59.99s");
    CHECK(short_duration(milliseconds(1500)) == "1.5s");
    CHECK(short_duration(milliseconds(220)) == "220ms");
    CHECK(short_duration(microseconds(500)) == "500us");
    CHECK(short_duration(nanoseconds(5)) == "5ns");
    CHECK(with_commas(0) == "0");
    CHECK(with_commas(999) == "999");
    CHECK(with_commas(20000) == "20,000");
    CHECK(with_commas(1234567) == "1,234,567");
    Ladder l;
    CHECK(l.time_text(ms(61020)) == "61.020");
    l.decimals = 6;
    CHECK(l.time_text(Time{} + microseconds(250)) == "0.000250");
}

TEST_CASE("ladder text: a column per host, arrows with labels and fates, states and timers beside the columns") {
    // clang-format off
    const std::vector<std::string> expected{
        "  time  client                                            server",
        " 0.000  |                                                 | listen()",
        "        |                                                 | LISTEN",
        "        | connect()                                       |",
        "        | SYN_SENT                                        |",
        "        |------------- SYN seq 0 <mss 1460> ------------->|  arrives 0.010",
        " 0.010  |                                                 | SYN_RECEIVED",
        "        |<------------- SYN|ACK seq 0 ack 1 --------------|  arrives 0.020",
        "        |< - - - - - - - - - -  copy - - - - - - - - - - -|  copy arrives 0.021 (duplicate)",
        " 0.020  | ESTABLISHED                                     |",
        "        |-- ACK seq 1 ack 1 --x                           |  lost (fault: lose the client's ACK)",
        " 0.021  | * segment fails the sequence test: ACK, dropped |",
        "        : (979ms later)                                   :",
        " 1.000  | TIME_WAIT 60s until 61.000                      |",
        "        : (60s later)                                     :",
        "61.000  | CLOSED                                          |",
        "(--> delivered  --x lost  - - > second copy of a duplicate  : a quiet stretch  * a decision; sequence numbers relative)",
    };
    // clang-format on
    CHECK(text_lines(ladder_of(story())) == expected);
}

TEST_CASE("ladder text draws with box-drawing characters when asked") {
    const auto lines = text_lines(ladder_of(story()), {.unicode = true});
    CHECK(lines[5] == "        │───────────── SYN seq 0 <mss 1460> ─────────────▶│  arrives 0.010");
    CHECK(lines[10] ==
          "        │── ACK seq 1 ack 1 ──✕                           │  lost (fault: lose the client's ACK)");
    CHECK(lines[12] == "        ┆ (979ms later)                                   ┆");
}

TEST_CASE("ladder text crosses a middle column and escapes scenario text") {
    Trace trace;
    trace.set_hosts({{"a", Ipv4::parse("10.0.0.1").value(), "linux"},
                     {"b", Ipv4::parse("10.0.0.2").value(), "linux"},
                     {"c", Ipv4::parse("10.0.0.3").value(), "linux"}});
    const FourTuple ac{{Ipv4::parse("10.0.0.1").value(), 1}, {Ipv4::parse("10.0.0.3").value(), 2}};
    const FourTuple ab{{Ipv4::parse("10.0.0.1").value(), 1}, {Ipv4::parse("10.0.0.2").value(), 2}};
    const std::int32_t fault = trace.add_fault("x\n\x1b[31mPASS");
    trace.record(seg(SegmentEvent::Send, 0, 0, {}, 1, Flags::Ack, 0, 0, ac));
    trace.record(seg(SegmentEvent::Deliver, 10, 2, {}, 1, Flags::Ack, 0, 0, ac.reversed()));
    trace.record(seg(SegmentEvent::Send, 10, 0, {}, 2, Flags::Ack, 0, 0, ab));
    TraceEvent hit = seg(SegmentEvent::Send, 10, 0, {}, 2, Flags::Ack, 0, 0, ab);
    hit.kind = TraceKind::Link;
    hit.fault = fault;
    trace.record(hit);
    trace.record(link_drop(10, 0, {}, 2, Flags::Ack, 0, 0, ab, LinkReason::Fault));
    trace.finish({RunEnd::Quiescent, ms(10), 5});
    const auto lines = text_lines(ladder_of(trace));
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == " time  a                        b               c");
    CHECK(lines[1] == "0.000  |--- ACK seq 0 ack 0 ----+-------------->|  arrives 0.010");
    CHECK(lines[2] == "0.010  |-- ACK seq 0 ack 0 --x  |               |  lost (fault: x\\n\\x1b[31mPASS)");
}

TEST_CASE("ladder text draws a segment a host sends itself as a loop beside its line") {
    Trace trace = two_hosts();
    const FourTuple self{{Ipv4::parse("10.0.0.1").value(), 40000}, {Ipv4::parse("10.0.0.1").value(), 80}};
    trace.record(seg(SegmentEvent::Send, 0, kClient, {}, 1, Flags::Syn, 0, 0, self));
    trace.record(seg(SegmentEvent::Deliver, 0, kClient, {}, 1, Flags::Syn, 0, 0, self.reversed()));
    trace.finish({RunEnd::Quiescent, ms(0), 2});
    const Ladder l = ladder_of(trace);
    REQUIRE(l.segments.size() == 1);
    CHECK(l.segments[0].to == std::optional<std::uint16_t>(kClient));
    REQUIRE(l.hosts.size() == 1);
    const auto lines = text_lines(l);
    CHECK(lines[1] == "0.000  |<-+ SYN seq 0  arrives 0.000");
}
