#include "tcpsim/views/verdict.hpp"

#include <doctest/doctest.h>

using namespace tcpsim;

namespace {

constexpr std::uint16_t kClient = 0;
constexpr std::uint16_t kServer = 1;

Time ms(std::int64_t n) { return Time{} + milliseconds(n); }

// Writes a trace the way the world would, one call per event.
struct Recorder {
    Trace trace;
    SocketRef c;
    SocketRef s;

    Recorder() {
        trace.set_hosts({{"client", Ipv4::parse("10.0.0.1").value(), "linux"},
                         {"server", Ipv4::parse("10.0.0.2").value(), "linux"}});
        c = {trace.intern_socket("c"), 0};
        s = {trace.intern_socket("s"), 1};
    }
    void state(std::int64_t t, std::uint16_t host, State from, State to) {
        TraceEvent e = event(TraceKind::State, t, host);
        e.from = from;
        e.to = to;
        trace.record(e);
    }
    void segment(std::int64_t t, std::uint16_t host, Flags flags, std::uint32_t len = 0,
                 SegmentEvent what = SegmentEvent::Send) {
        TraceEvent e = event(TraceKind::Segment, t, host);
        e.segment_event = what;
        e.flags = flags;
        e.len = len;
        trace.record(e);
    }
    void call(std::int64_t t, std::uint16_t host, CallKind kind, Errno error,
              std::int64_t value = 0) {
        TraceEvent e = event(TraceKind::Call, t, host);
        e.call = kind;
        e.error = error;
        e.value = value;
        trace.record(e);
    }
    void timer(std::int64_t t, std::uint16_t host, TimerKind kind, TimerAction action) {
        TraceEvent e = event(TraceKind::Timer, t, host);
        e.timer = kind;
        e.action = action;
        trace.record(e);
    }
    TraceEvent event(TraceKind kind, std::int64_t t, std::uint16_t host) const {
        TraceEvent e;
        e.kind = kind;
        e.t = ms(t);
        e.host = host;
        e.socket = host == kClient ? c : s;
        return e;
    }
};

// A connection opened, used once and closed by the client, whose last ACK is lost once.
Trace close_with_lost_ack() {
    const Flags ack = Flags::Ack;
    const Flags fin_ack = Flags::Fin | Flags::Ack;
    Recorder r;
    r.call(0, kClient, CallKind::Connect, Errno::InProgress);
    r.state(0, kClient, State::Closed, State::SynSent);
    r.segment(0, kClient, Flags::Syn);
    r.state(10, kServer, State::Listen, State::SynReceived);
    r.segment(10, kServer, Flags::Syn | Flags::Ack);
    r.state(20, kClient, State::SynSent, State::Established);
    r.call(20, kClient, CallKind::Connect, Errno::Ok);
    r.segment(20, kClient, ack);
    r.state(30, kServer, State::SynReceived, State::Established);
    r.call(1000, kClient, CallKind::Send, Errno::Ok, 100);
    r.segment(1000, kClient, Flags::Psh | Flags::Ack, 100);
    r.call(1010, kServer, CallKind::Recv, Errno::Ok, 100);
    r.state(2000, kClient, State::Established, State::FinWait1);
    r.segment(2000, kClient, fin_ack);
    r.state(2010, kServer, State::Established, State::CloseWait);
    r.segment(2010, kServer, ack);
    r.state(2020, kClient, State::FinWait1, State::FinWait2);
    r.state(3000, kServer, State::CloseWait, State::LastAck);
    r.segment(3000, kServer, fin_ack);
    r.state(3010, kClient, State::FinWait2, State::TimeWait);
    r.timer(3010, kClient, TimerKind::TimeWait, TimerAction::Set);
    r.segment(3010, kClient, ack);
    r.segment(3010, kClient, ack, 0, SegmentEvent::Drop);
    r.timer(4000, kServer, TimerKind::Retransmit, TimerAction::Expire);
    r.segment(4000, kServer, fin_ack);
    r.segment(4010, kClient, ack);
    r.timer(4010, kClient, TimerKind::TimeWait, TimerAction::Restart);
    r.state(4020, kServer, State::LastAck, State::Closed);
    r.timer(64010, kClient, TimerKind::TimeWait, TimerAction::Expire);
    r.state(64010, kClient, State::TimeWait, State::Closed);
    r.trace.finish({RunEnd::Quiescent, ms(64010), 99});
    return r.trace;
}

Expectation expect(ExpectKind kind, std::string host = {}, std::string socket = {}) {
    Expectation x;
    x.kind = kind;
    x.host = std::move(host);
    x.socket = std::move(socket);
    return x;
}

ExpectationResult check(const Trace& trace, const Expectation& x) {
    Scenario scenario;
    scenario.expectations.push_back(x);
    auto results = check_expectations(scenario, trace);
    REQUIRE(results.size() == 1);
    return results[0];
}

}  // namespace

TEST_CASE("state expectation sees a transition that happens exactly at the asked time") {
    Expectation x = expect(ExpectKind::StateAt, "client", "c");
    x.at = ms(3010);
    x.state = State::TimeWait;
    const auto r = check(close_with_lost_ack(), x);
    CHECK(r.passed);
    CHECK(r.expected == "client c in TIME_WAIT at 3010ms");
    CHECK(r.actual == "TIME_WAIT since 3.010000000");
}

TEST_CASE("state expectation just before a transition sees the state before it") {
    Expectation x = expect(ExpectKind::StateAt, "client", "c");
    x.at = ms(3009);
    x.state = State::TimeWait;
    const auto r = check(close_with_lost_ack(), x);
    CHECK_FALSE(r.passed);
    CHECK(r.actual == "FIN_WAIT_2 since 2.020000000");
}

TEST_CASE("a socket is CLOSED before its first state change and unknown where it never was") {
    const Trace trace = close_with_lost_ack();
    CHECK(socket_state_at(trace, "server", "s", ms(5)) == State::Closed);
    CHECK(socket_state_at(trace, "client", "c", ms(0)) == State::SynSent);
    CHECK(socket_state_at(trace, "server", "s", ms(3500)) == State::LastAck);
    CHECK(socket_state_at(trace, "server", "s", std::nullopt) == State::Closed);
    CHECK_FALSE(socket_state_at(trace, "client", "s", std::nullopt).has_value());
    CHECK_FALSE(socket_state_at(trace, "client", "ghost", std::nullopt).has_value());
    CHECK_FALSE(socket_state_at(trace, "router", "c", std::nullopt).has_value());

    Expectation x = expect(ExpectKind::StateAt, "server", "s");
    x.at = ms(5);
    x.state = State::Listen;
    const auto r = check(trace, x);
    CHECK_FALSE(r.passed);
    CHECK(r.actual == "CLOSED, no state change by then");
}

TEST_CASE("final state expectation reports the state the socket ended in") {
    Expectation x = expect(ExpectKind::FinalState, "client", "c");
    x.state = State::TimeWait;
    const auto r = check(close_with_lost_ack(), x);
    CHECK_FALSE(r.passed);
    CHECK(r.expected == "client c in TIME_WAIT at the end");
    CHECK(r.actual == "CLOSED since 64.010000000");
}

TEST_CASE("an expectation about a socket or host the run never saw fails and says so") {
    const Trace trace = close_with_lost_ack();
    Expectation other_host = expect(ExpectKind::FinalState, "client", "s");
    other_host.state = State::Closed;
    const auto on_other_host = check(trace, other_host);
    CHECK_FALSE(on_other_host.passed);
    CHECK(on_other_host.actual == "socket s never appeared on client");

    const auto never_named = check(trace, expect(ExpectKind::Transition, "client", "ghost"));
    CHECK_FALSE(never_named.passed);
    CHECK(never_named.actual == "socket ghost never appeared on client");

    Expectation router = expect(ExpectKind::CallResult, "router", "c");
    router.call = CallKind::Connect;
    const auto no_host = check(trace, router);
    CHECK_FALSE(no_host.passed);
    CHECK(no_host.actual == "no host named router in the run");
}

TEST_CASE("segments are counted by event, sending host, exact flags and length") {
    const Trace trace = close_with_lost_ack();
    Expectation fins = expect(ExpectKind::Segments, "server");
    fins.flags = Flags::Fin | Flags::Ack;
    fins.count.equals = 2;
    const auto server_fins = check(trace, fins);
    CHECK(server_fins.passed);
    CHECK(server_fins.expected == "exactly 2 FIN|ACK segments sent by server");
    CHECK(server_fins.actual == "2 at 3.000000000, 4.000000000");

    Expectation lost = expect(ExpectKind::Segments, "client");
    lost.segment_event = SegmentEvent::Drop;
    lost.flags = Flags::Ack;
    lost.count.equals = 1;
    const auto lost_ack = check(trace, lost);
    CHECK(lost_ack.passed);
    CHECK(lost_ack.expected == "exactly 1 ACK segment dropped from client");
    CHECK(lost_ack.actual == "1 at 3.010000000");

    // The data went out as PSH|ACK, which is not ACK: flags match exactly.
    Expectation data = expect(ExpectKind::Segments, "client");
    data.flags = Flags::Ack;
    data.len = 100;
    const auto plain_ack_data = check(trace, data);
    CHECK_FALSE(plain_ack_data.passed);
    CHECK(plain_ack_data.expected == "at least 1 ACK segment sent by client with len 100");
    CHECK(plain_ack_data.actual == "0");
}

TEST_CASE("a segment count out of bounds lists when the first matching segments were seen") {
    Expectation x = expect(ExpectKind::Segments, "client");
    x.count.min = 1;
    x.count.max = 3;
    const auto r = check(close_with_lost_ack(), x);
    CHECK_FALSE(r.passed);
    CHECK(r.expected == "between 1 and 3 segments sent by client");
    CHECK(r.actual == "6 at 0.000000000, 0.020000000, 1.000000000, 2.000000000, 3.010000000, ...");
}

TEST_CASE("call expectation skips the interim EINPROGRESS and finds the completion") {
    const Trace trace = close_with_lost_ack();
    Expectation connect = expect(ExpectKind::CallResult, "client", "c");
    connect.call = CallKind::Connect;

    connect.error = Errno::Ok;
    const auto ok = check(trace, connect);
    CHECK(ok.passed);
    CHECK(ok.expected == "client c connect -> 0");
    CHECK(ok.actual == "connect -> 0 at 0.020000000");

    connect.error = Errno::ConnRefused;
    const auto refused = check(trace, connect);
    CHECK_FALSE(refused.passed);
    CHECK(refused.expected == "client c connect -> ECONNREFUSED");
    CHECK(refused.actual == "connect -> 0 at 0.020000000");

    connect.error = Errno::InProgress;
    connect.at = ms(0);
    const auto started = check(trace, connect);
    CHECK(started.passed);
    CHECK(started.expected == "client c connect -> EINPROGRESS at 0s");
    CHECK(started.actual == "connect -> EINPROGRESS at 0.000000000");
}

TEST_CASE("call expectation compares byte counts and times, and names a missing call") {
    const Trace trace = close_with_lost_ack();
    Expectation send = expect(ExpectKind::CallResult, "client", "c");
    send.call = CallKind::Send;
    send.value = 100;
    const auto sent = check(trace, send);
    CHECK(sent.passed);
    CHECK(sent.expected == "client c send -> 100");

    send.value = 50;
    const auto short_send = check(trace, send);
    CHECK_FALSE(short_send.passed);
    CHECK(short_send.actual == "send -> 100 at 1.000000000");

    Expectation connect = expect(ExpectKind::CallResult, "client", "c");
    connect.call = CallKind::Connect;
    connect.at = ms(10);
    const auto early = check(trace, connect);
    CHECK_FALSE(early.passed);
    CHECK(early.expected == "client c connect succeeds at 10ms");
    CHECK(early.actual == "connect -> 0 at 0.020000000");

    Expectation close = expect(ExpectKind::CallResult, "client", "c");
    close.call = CallKind::Close;
    const auto never = check(trace, close);
    CHECK_FALSE(never.passed);
    CHECK(never.actual == "no close call");
}

TEST_CASE("transition expectation defaults to at least once and honours from and at") {
    const Trace trace = close_with_lost_ack();
    Expectation x = expect(ExpectKind::Transition, "client", "c");
    x.state = State::TimeWait;
    const auto any = check(trace, x);
    CHECK(any.passed);
    CHECK(any.expected == "client c -> TIME_WAIT");
    CHECK(any.actual == "1 at 3.010000000");
    x.count.min = 1;  // the loader's spelling of the default
    CHECK(check(trace, x).expected == "client c -> TIME_WAIT");

    Expectation exact = x;
    exact.from_state = State::FinWait2;
    exact.at = ms(3010);
    const auto from_fin_wait_2 = check(trace, exact);
    CHECK(from_fin_wait_2.passed);
    CHECK(from_fin_wait_2.expected == "client c FIN_WAIT_2 -> TIME_WAIT at 3010ms");

    Expectation twice = x;
    twice.count.equals = 2;
    const auto only_once = check(trace, twice);
    CHECK_FALSE(only_once.passed);
    CHECK(only_once.expected == "client c -> TIME_WAIT, exactly 2 times");
    CHECK(only_once.actual == "1 at 3.010000000");
}

TEST_CASE("a transition that never happened shows the socket's own changes") {
    const Trace trace = close_with_lost_ack();
    Expectation server_tw = expect(ExpectKind::Transition, "server", "s");
    server_tw.state = State::TimeWait;
    const auto server = check(trace, server_tw);
    CHECK_FALSE(server.passed);
    CHECK(server.actual ==
          "0 (its changes: LISTEN -> SYN_RECEIVED at 0.010000000, SYN_RECEIVED -> ESTABLISHED at "
          "0.030000000, ESTABLISHED -> CLOSE_WAIT at 2.010000000, CLOSE_WAIT -> LAST_ACK at "
          "3.000000000, LAST_ACK -> CLOSED at 4.020000000)");

    Expectation client_cw = expect(ExpectKind::Transition, "client", "c");
    client_cw.state = State::CloseWait;
    const auto client = check(trace, client_cw);
    CHECK_FALSE(client.passed);
    CHECK(client.actual.ends_with("FIN_WAIT_2 -> TIME_WAIT at 3.010000000, ...)"));
}

TEST_CASE("timer expectation counts one timer's actions on a host") {
    const Trace trace = close_with_lost_ack();
    Expectation restart = expect(ExpectKind::Timer, "client", "c");
    restart.timer = TimerKind::TimeWait;
    restart.timer_action = TimerAction::Restart;
    restart.count.equals = 1;
    const auto restarted = check(trace, restart);
    CHECK(restarted.passed);
    CHECK(restarted.expected == "time_wait timer restart on client c: exactly 1 time");
    CHECK(restarted.actual == "1 at 4.010000000");

    Expectation rto = expect(ExpectKind::Timer, "client");
    rto.timer = TimerKind::Retransmit;
    rto.timer_action = TimerAction::Expire;
    const auto client_rto = check(trace, rto);
    CHECK_FALSE(client_rto.passed);
    CHECK(client_rto.expected == "retransmit timer expire on client: at least 1 time");
    CHECK(client_rto.actual == "0");
}

TEST_CASE("stream integrity names the first recv that read bytes the peer never wrote") {
    Trace trace = close_with_lost_ack();
    const auto intact = check(trace, expect(ExpectKind::StreamIntegrity));
    CHECK(intact.passed);
    CHECK(intact.expected == "every recv reads what the peer wrote");
    CHECK(intact.actual == "1 recv call, all intact");

    const auto client_only = check(trace, expect(ExpectKind::StreamIntegrity, "client"));
    CHECK(client_only.passed);
    CHECK(client_only.actual == "no recv calls");

    TraceEvent bad_read;
    bad_read.t = ms(1500);
    bad_read.kind = TraceKind::Call;
    bad_read.host = kServer;
    bad_read.socket = {trace.intern_socket("s"), 1};
    bad_read.call = CallKind::Recv;
    bad_read.value = 50;
    bad_read.integrity_ok = false;
    trace.record(bad_read);
    const auto broken = check(trace, expect(ExpectKind::StreamIntegrity, "server", "s"));
    CHECK_FALSE(broken.passed);
    CHECK(broken.expected == "every recv on server s reads what the peer wrote");
    CHECK(broken.actual == "recv -> 50 at 1.500000000 on server s: integrity FAILED");

    Expectation corruption = expect(ExpectKind::StreamIntegrity);
    corruption.integrity_ok = false;
    const auto corruption_expected = check(trace, corruption);
    CHECK(corruption_expected.passed);
    CHECK(corruption_expected.expected == "some recv reads bytes the peer did not write");
}

TEST_CASE("run end expectation compares how the run ended") {
    const Trace trace = close_with_lost_ack();
    Expectation x = expect(ExpectKind::RunEnd);
    const auto quiet = check(trace, x);
    CHECK(quiet.passed);
    CHECK(quiet.expected == "run ends quiescent");
    CHECK(quiet.actual == "quiescent at 64.010000000 after 99 events");

    x.run_end = RunEnd::TimeCap;
    const auto capped = check(trace, x);
    CHECK_FALSE(capped.passed);
    CHECK(capped.expected == "run ends time_cap");
}

TEST_CASE("verdicts come back in the scenario's order, each pointing at its expectation") {
    Scenario scenario;
    scenario.expectations.push_back(expect(ExpectKind::RunEnd));
    scenario.expectations.back().run_end = RunEnd::EventCap;
    scenario.expectations.push_back(expect(ExpectKind::FinalState, "client", "c"));
    scenario.expectations.back().state = State::Closed;
    const auto results = check_expectations(scenario, close_with_lost_ack());
    REQUIRE(results.size() == 2);
    CHECK(results[0].expectation == &scenario.expectations[0]);
    CHECK_FALSE(results[0].passed);
    CHECK(results[1].expectation == &scenario.expectations[1]);
    CHECK(results[1].passed);
}

TEST_CASE("a deliver expectation names the segments' sender, not the host that received them") {
    Recorder r;
    TraceEvent e = r.event(TraceKind::Segment, 10, kServer);
    e.segment_event = SegmentEvent::Deliver;
    e.flags = Flags::Syn;
    e.has_conn = true;
    e.conn = {{Ipv4::parse("10.0.0.2").value(), 80}, {Ipv4::parse("10.0.0.1").value(), 40000}};
    r.trace.record(e);
    Scenario sc;
    Expectation x;
    x.kind = ExpectKind::Segments;
    x.segment_event = SegmentEvent::Deliver;
    x.host = "client";
    x.count.equals = 1;
    sc.expectations.push_back(x);
    x.host = "server";
    sc.expectations.push_back(x);
    const auto results = check_expectations(sc, r.trace);
    CHECK(results[0].passed);
    CHECK(results[0].expected == "exactly 1 segment delivered from client");
    CHECK_FALSE(results[1].passed);
}

TEST_CASE("a segments expectation can pin exact sequence and acknowledgment numbers") {
    Recorder r;
    TraceEvent e = r.event(TraceKind::Segment, 10, kServer);
    e.flags = Flags::Syn | Flags::Ack;
    e.seq = Seq{70739};
    e.ack = Seq{1001};
    r.trace.record(e);
    Scenario sc;
    Expectation x;
    x.kind = ExpectKind::Segments;
    x.host = "server";
    x.seq = 70739;
    x.ack = 1001;
    x.count.equals = 1;
    sc.expectations.push_back(x);
    x.seq = 70740;
    sc.expectations.push_back(x);
    const auto results = check_expectations(sc, r.trace);
    CHECK(results[0].passed);
    CHECK(results[0].expected == "exactly 1 segment sent by server with seq 70739 with ack 1001");
    CHECK_FALSE(results[1].passed);
}
