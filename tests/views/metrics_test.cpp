#include "tcpsim/views/metrics.hpp"

#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "svg_checks.hpp"
#include "trace_builders.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

std::string metrics_csv(const Trace& trace, MetricsOptions options = {}) {
    std::ostringstream out;
    MetricsView view(std::move(options), &out, false);
    replay(trace, view);
    return out.str();
}

// The CSV as rows keyed by column name, for the tests that read a few columns.
std::vector<std::map<std::string, std::string>> rows_of(const std::string& csv) {
    const std::vector<std::string> lines = split_lines(csv);
    const auto cells = [](const std::string& line) {
        std::vector<std::string> out;
        std::istringstream in(line);
        for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
        return out;
    };
    const std::vector<std::string> header = cells(lines.at(0));
    std::vector<std::map<std::string, std::string>> rows;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::vector<std::string> c = cells(lines[i]);
        REQUIRE(c.size() == header.size());
        std::map<std::string, std::string> row;
        for (std::size_t k = 0; k < c.size(); ++k) row[header[k]] = c[k];
        rows.push_back(row);
    }
    return rows;
}

// One column down the rows: "t=value" pairs, easy to compare and to read when they differ.
std::vector<std::string> column(const std::string& csv, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& row : rows_of(csv)) out.push_back(row.at("t_s") + "=" + row.at(name));
    return out;
}

MetricsOptions every(std::int64_t interval_ms) {
    MetricsOptions o;
    o.interval = milliseconds(interval_ms);
    return o;
}

FourTuple tuple(const char* local, std::uint16_t lport, const char* remote, std::uint16_t rport) {
    return {{Ipv4::parse(local).value(), lport}, {Ipv4::parse(remote).value(), rport}};
}

TraceEvent counter(std::int64_t t_ms, std::uint16_t host, Counter c, std::int64_t value) {
    TraceEvent e = event(TraceKind::Counter, t_ms, host, {});
    e.counter = c;
    e.value = value;
    return e;
}

}  // namespace

TEST_CASE("metrics CSV has a host.metric column per state, ports, connect errno and counter, a row per sample") {
    Trace trace;
    trace.set_hosts({{"client", Ipv4::parse("10.0.0.1").value(), "linux"}});
    const SocketRef c = sock(trace, "c");
    const FourTuple conn = client_side();
    trace.record(on(state(0, kClient, c, State::Closed, State::SynSent, Cause::Connect), conn));
    trace.record(on(call(0, kClient, c, CallKind::Connect, Errno::InProgress), conn));
    trace.record(on(state(500, kClient, c, State::SynSent, State::Established, Cause::RcvSynAck), conn));
    trace.record(on(state(1200, kClient, c, State::Established, State::FinWait1, Cause::Close), conn));
    trace.finish({RunEnd::Quiescent, ms(1500), 4});
    // clang-format off
    const std::vector<std::string> expected{
        "t_s,client.LISTEN,client.SYN_SENT,client.SYN_RECEIVED,client.ESTABLISHED,client.FIN_WAIT_1,"
        "client.FIN_WAIT_2,client.CLOSE_WAIT,client.CLOSING,client.LAST_ACK,client.TIME_WAIT,client.ports_in_use,"
        "client.connect_EADDRINUSE,client.connect_EADDRNOTAVAIL,client.connect_ECONNREFUSED,client.connect_ECONNRESET,"
        "client.connect_ETIMEDOUT,client.connect_EPIPE,client.connect_ENOTCONN,client.connect_EISCONN,"
        "client.connect_EALREADY,client.connect_EINVAL,client.connect_EBADF,client.connect_EAGAIN,"
        "client.TCPTimeWaitOverflow,client.TWRecycled,client.PAWSPassiveRejected",
        "0.000000000,0,1,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
        "1.000000000,0,0,0,1,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
        "1.500000000,0,0,0,0,1,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
    };
    // clang-format on
    CHECK(split_lines(metrics_csv(trace)) == expected);
}

TEST_CASE("metrics count each host's connections per state at every sample boundary") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const SocketRef l = sock(trace, "l");
    const SocketRef s = sock(trace, "s", 1);
    const FourTuple conn = client_side();
    trace.record(state(0, kServer, l, State::Closed, State::Listen, Cause::Listen));
    trace.record(on(state(0, kClient, c, State::Closed, State::SynSent, Cause::Connect), conn));
    // A passive open makes a new connection; the listener stays in LISTEN.
    trace.record(on(state(10, kServer, s, State::Listen, State::SynReceived, Cause::RcvSyn), conn.reversed()));
    trace.record(on(state(20, kClient, c, State::SynSent, State::Established, Cause::RcvSynAck), conn));
    trace.record(
        on(state(30, kServer, s, State::SynReceived, State::Established, Cause::RcvAckOfSyn), conn.reversed()));
    trace.record(on(state(250, kServer, s, State::Established, State::FinWait1, Cause::Close), conn.reversed()));
    trace.record(on(state(260, kClient, c, State::Established, State::CloseWait, Cause::RcvFin), conn));
    trace.record(on(state(270, kServer, s, State::FinWait1, State::FinWait2, Cause::RcvAckOfFin), conn.reversed()));
    trace.record(on(state(280, kClient, c, State::CloseWait, State::LastAck, Cause::Close), conn));
    trace.record(on(state(290, kServer, s, State::FinWait2, State::TimeWait, Cause::RcvFin), conn.reversed()));
    trace.record(on(state(300, kClient, c, State::LastAck, State::Closed, Cause::RcvAckOfFin), conn));
    trace.record(on(state(350, kServer, s, State::TimeWait, State::Closed, Cause::TimeWaitLinux), conn.reversed()));
    trace.record(state(400, kServer, l, State::Listen, State::Closed, Cause::CloseListener));
    trace.finish({RunEnd::Quiescent, ms(400), 13});
    const std::string csv = metrics_csv(trace, every(100));
    const std::vector<std::string> t{"0.000000000", "0.100000000", "0.200000000", "0.300000000", "0.400000000"};
    const auto at = [&](std::vector<std::string> v) {
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = t[i] + "=" + v[i];
        return v;
    };
    CHECK(column(csv, "server.LISTEN") == at({"1", "1", "1", "1", "0"}));
    CHECK(column(csv, "server.ESTABLISHED") == at({"0", "1", "1", "0", "0"}));
    CHECK(column(csv, "server.TIME_WAIT") == at({"0", "0", "0", "1", "0"}));
    CHECK(column(csv, "server.SYN_RECEIVED") == at({"0", "0", "0", "0", "0"}));
    CHECK(column(csv, "client.SYN_SENT") == at({"1", "0", "0", "0", "0"}));
    CHECK(column(csv, "client.ESTABLISHED") == at({"0", "1", "1", "0", "0"}));
    CHECK(column(csv, "client.LAST_ACK") == at({"0", "0", "0", "0", "0"}));
    CHECK(column(csv, "client.LISTEN") == at({"0", "0", "0", "0", "0"}));
}

TEST_CASE("a metrics row at an event's exact time counts that event, one a nanosecond later does not") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const SocketRef d = sock(trace, "d");
    const FourTuple first = client_side();
    const FourTuple second = tuple("10.0.0.1", 49153, "10.0.0.2", 80);
    trace.record(on(state(1000, kClient, c, State::Closed, State::SynSent, Cause::Connect), first));
    TraceEvent late = on(state(1000, kClient, d, State::Closed, State::SynSent, Cause::Connect), second);
    late.t = late.t + nanoseconds(1);
    trace.record(late);
    trace.finish({RunEnd::Quiescent, ms(2000), 2});
    CHECK(column(metrics_csv(trace), "client.SYN_SENT") ==
          std::vector<std::string>{"0.000000000=0", "1.000000000=1", "2.000000000=2"});
}

TEST_CASE("metrics count failed connect() calls by errno, cumulatively; EINPROGRESS is no failure") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    trace.record(call(0, kClient, c, CallKind::Connect, Errno::InProgress));
    trace.record(call(100, kClient, c, CallKind::Connect, Errno::AddrNotAvail));
    trace.record(call(150, kClient, c, CallKind::Connect, Errno::AddrNotAvail));
    trace.record(call(200, kClient, c, CallKind::Connect, Errno::ConnRefused));
    trace.record(call(250, kClient, c, CallKind::Bind, Errno::AddrInUse));  // not a connect
    trace.record(call(300, kClient, c, CallKind::Connect, Errno::TimedOut));
    trace.record(call(300, kClient, c, CallKind::Send, Errno::TimedOut));  // not a connect
    trace.finish({RunEnd::Quiescent, ms(300), 7});
    const std::string csv = metrics_csv(trace, every(100));
    CHECK(column(csv, "client.connect_EADDRNOTAVAIL") ==
          std::vector<std::string>{"0.000000000=0", "0.100000000=1", "0.200000000=2", "0.300000000=2"});
    CHECK(column(csv, "client.connect_ECONNREFUSED") ==
          std::vector<std::string>{"0.000000000=0", "0.100000000=0", "0.200000000=1", "0.300000000=1"});
    CHECK(column(csv, "client.connect_ETIMEDOUT") ==
          std::vector<std::string>{"0.000000000=0", "0.100000000=0", "0.200000000=0", "0.300000000=1"});
    CHECK(column(csv, "client.connect_EADDRINUSE") ==
          std::vector<std::string>{"0.000000000=0", "0.100000000=0", "0.200000000=0", "0.300000000=0"});
    CHECK(column(csv, "server.connect_EADDRNOTAVAIL").back() == "0.300000000=0");
}

TEST_CASE("ports in use rise with active opens, stay through TIME_WAIT and fall when it ends") {
    Trace trace = two_hosts();
    trace.set_hosts({{"client", Ipv4::parse("10.0.0.1").value(), "linux"},
                     {"server", Ipv4::parse("10.0.0.2").value(), "linux"},
                     {"other", Ipv4::parse("10.0.0.3").value(), "linux"}});
    const SocketRef a = sock(trace, "a");
    const SocketRef b = sock(trace, "b");
    const SocketRef s = sock(trace, "s", 1);
    const FourTuple to_server = tuple("10.0.0.1", 40000, "10.0.0.2", 80);
    const FourTuple to_other = tuple("10.0.0.1", 40000, "10.0.0.3", 80);  // the same port, another peer
    trace.record(on(state(0, kClient, a, State::Closed, State::SynSent, Cause::Connect), to_server));
    trace.record(on(state(0, kServer, s, State::Listen, State::SynReceived, Cause::RcvSyn), to_server.reversed()));
    trace.record(on(state(50, kClient, a, State::SynSent, State::Established, Cause::RcvSynAck), to_server));
    trace.record(on(state(150, kClient, b, State::Closed, State::SynSent, Cause::Connect), to_other));
    trace.record(on(state(200, kClient, a, State::Established, State::FinWait1, Cause::Close), to_server));
    trace.record(on(state(210, kClient, a, State::FinWait1, State::TimeWait, Cause::RcvFin), to_server));
    trace.record(on(state(250, kClient, b, State::SynSent, State::Closed, Cause::RcvRstRefused), to_other));
    trace.record(on(state(400, kClient, a, State::TimeWait, State::Closed, Cause::TimeWaitLinux), to_server));
    // tw_reuse: a connect() takes the TIME-WAIT 4-tuple over; the port is held throughout.
    trace.record(on(state(500, kClient, a, State::Closed, State::SynSent, Cause::Connect), to_server));
    trace.record(on(state(550, kClient, a, State::SynSent, State::Established, Cause::RcvSynAck), to_server));
    trace.record(on(state(560, kClient, a, State::Established, State::FinWait1, Cause::Close), to_server));
    trace.record(on(state(570, kClient, a, State::FinWait1, State::TimeWait, Cause::RcvFin), to_server));
    trace.record(on(state(600, kClient, a, State::TimeWait, State::Closed, Cause::TwTakenByReuse), to_server));
    trace.record(on(state(600, kClient, a, State::Closed, State::SynSent, Cause::Connect), to_server));
    trace.finish({RunEnd::Quiescent, ms(700), 14});
    const std::string csv = metrics_csv(trace, every(100));
    CHECK(column(csv, "client.ports_in_use") ==
          std::vector<std::string>{"0.000000000=1", "0.100000000=1", "0.200000000=1", "0.300000000=1", "0.400000000=0",
                                   "0.500000000=1", "0.600000000=1", "0.700000000=1"});
    CHECK(column(csv, "client.TIME_WAIT") == std::vector<std::string>{"0.000000000=0", "0.100000000=0", "0.200000000=0",
                                                                      "0.300000000=1", "0.400000000=0", "0.500000000=0",
                                                                      "0.600000000=0", "0.700000000=0"});
    CHECK(column(csv, "client.SYN_SENT") == std::vector<std::string>{"0.000000000=1", "0.100000000=0", "0.200000000=1",
                                                                     "0.300000000=0", "0.400000000=0", "0.500000000=1",
                                                                     "0.600000000=1", "0.700000000=1"});
    CHECK(column(csv, "server.ports_in_use").back() == "0.700000000=0");  // passive opens hold no port
}

TEST_CASE("metrics report each host counter's latest value") {
    Trace trace = two_hosts();
    trace.record(counter(100, kServer, Counter::TwRecycled, 1));
    trace.record(counter(150, kServer, Counter::TwRecycled, 2));
    trace.record(counter(150, kServer, Counter::TimeWaitOverflow, 7));
    trace.finish({RunEnd::Quiescent, ms(200), 3});
    const std::string csv = metrics_csv(trace, every(100));
    CHECK(column(csv, "server.TWRecycled") ==
          std::vector<std::string>{"0.000000000=0", "0.100000000=1", "0.200000000=2"});
    CHECK(column(csv, "server.TCPTimeWaitOverflow") ==
          std::vector<std::string>{"0.000000000=0", "0.100000000=0", "0.200000000=7"});
    CHECK(column(csv, "client.TWRecycled").back() == "0.200000000=0");
}

TEST_CASE("metrics rows stop at the cap, and the message names the interval that fits") {
    Trace trace = two_hosts();
    trace.finish({RunEnd::Quiescent, ms(1000), 0});
    MetricsOptions o = every(100);
    o.max_rows = 5;
    std::ostringstream out;
    MetricsView view(o, &out, false);
    replay(trace, view);
    CHECK(rows_of(out.str()).size() == 5);
    CHECK(view.cap_problem() ==
          "--metrics-interval 100ms gives 11 rows from 0.000000000 s to 1.000000000 s, more than the cap of 5: "
          "the metrics stop at 0.400000000 s; raise --metrics-interval to 500ms or more (or narrow the rows with "
          "--from/--until)");
}

TEST_CASE("a run that fits the cap has no cap problem, and the end row is the last") {
    Trace trace = two_hosts();
    trace.finish({RunEnd::Quiescent, ms(1050), 0});
    MetricsOptions o = every(100);
    o.max_rows = 12;
    std::ostringstream out;
    MetricsView view(o, &out, false);
    replay(trace, view);
    CHECK(view.cap_problem().empty());
    const auto rows = rows_of(out.str());
    REQUIRE(rows.size() == 12);
    CHECK(rows.back().at("t_s") == "1.050000000");
}

TEST_CASE("--host keeps one host's columns; --from and --until keep the rows in the window") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    trace.record(on(state(120, kClient, c, State::Closed, State::SynSent, Cause::Connect), client_side()));
    trace.finish({RunEnd::Quiescent, ms(1000), 1});
    MetricsOptions o = every(100);
    o.host = "client";
    o.from = ms(250);
    o.until = ms(700);
    const std::string csv = metrics_csv(trace, o);
    CHECK(split_lines(csv).at(0).find("server.") == std::string::npos);
    CHECK(column(csv, "client.SYN_SENT") == std::vector<std::string>{"0.300000000=1", "0.400000000=1", "0.500000000=1",
                                                                     "0.600000000=1", "0.700000000=1"});
}

TEST_CASE("--host naming no host of the run is a filter problem") {
    Trace trace = two_hosts();
    trace.finish({RunEnd::Quiescent, ms(0), 0});
    MetricsOptions o;
    o.host = "nobody";
    std::ostringstream out;
    MetricsView view(o, &out, false);
    replay(trace, view);
    CHECK(view.filter_problem() == "--host nobody: no host of that name in the run");
}

TEST_CASE("metrics SVG is well-formed, with a line per host state that was ever non-zero and an escaped title") {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const SocketRef l = sock(trace, "l");
    const FourTuple conn = client_side();
    trace.record(state(0, kServer, l, State::Closed, State::Listen, Cause::Listen));
    trace.record(on(state(0, kClient, c, State::Closed, State::SynSent, Cause::Connect), conn));
    trace.record(on(state(500, kClient, c, State::SynSent, State::Established, Cause::RcvSynAck), conn));
    trace.record(on(state(600, kClient, c, State::Established, State::FinWait1, Cause::Close), conn));
    trace.record(on(state(700, kClient, c, State::FinWait1, State::Closed, Cause::RcvAckOfFin), conn));
    trace.finish({RunEnd::Quiescent, ms(1500), 5});
    MetricsView view({}, nullptr, true);
    replay(trace, view);
    std::ostringstream out;
    view.write_svg(out, "<script>alert(1)</script> & co");
    const std::string svg = out.str();
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find("<script>") == std::string::npos);
    CHECK(svg.find("<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>") != std::string::npos);
    // Rows at 0, 1 and 1.5 s: server LISTEN, client SYN_SENT and its port were non-zero in
    // some row; ESTABLISHED and FIN_WAIT_1 came and went between samples: no line.
    CHECK(occurrences(svg, "<polyline") == 3);
    CHECK(points_of(svg, "server LISTEN") == "80.0,282.0 546.7,282.0 780.0,282.0");
    CHECK(points_of(svg, "client SYN_SENT") == "80.0,282.0 546.7,500.0 780.0,500.0");
    CHECK(points_of(svg, "client ESTABLISHED") == "");
    CHECK(points_of(svg, "client ports in use") == "80.0,282.0 546.7,500.0 780.0,500.0");
    CHECK(points_of(svg, "client FIN_WAIT_1") == "");
    CHECK(occurrences(svg, "stroke-dasharray") == 2);  // the ports line and its legend entry
    CHECK(svg.find(">simulated time (s)</text>") != std::string::npos);
    CHECK(svg.find(">1.4</text>") != std::string::npos);  // ticks every 0.2 s
}
