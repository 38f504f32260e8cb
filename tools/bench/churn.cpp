// Churn benchmark: N connections opened at 1,000 per simulated second, each a handshake,
// a 100-byte request, a 200-byte response and a server-side close, over 1 ms links.
// Run once with TIME_WAIT effectively zero and once with a 60 s TIME_WAIT (up to 60,000
// live TIME_WAIT entries on the server), the trace only counted; then with a 60 s
// TIME_WAIT through the views `tcpsim check` streams the trace into (expectation checks
// and state-graph coverage), whose memory must not grow with N. Prints figures; asserts
// nothing about speed.
//
// Usage: tcpsim-bench-churn [N ...]   (default: 1000 10000 100000)
// Each configuration runs in its own child process so peak RSS is its own.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/graph/state_graph.hpp"
#include "tcpsim/host/host.hpp"
#include "tcpsim/link/network.hpp"
#include "tcpsim/scenario/scenario.hpp"
#include "tcpsim/trace/sink.hpp"
#include "tcpsim/views/verdict.hpp"

using namespace tcpsim;

namespace {

constexpr int kClients = 8;  // 125 connections/s each: ports never wrap within 60 s
constexpr std::uint16_t kPort = 80;

// Server: answers each 100-byte request with 200 bytes and closes first.
class Server final : public SocketEvents {
public:
    explicit Server(Host& h) : host_(h) {}
    void on_connected(SocketId) override {}
    void on_accepted(SocketId, SocketId s) override { received_[s] = 0; }
    void on_readable(SocketId s) override {
        for (;;) {
            const RecvResult r = host_.recv(s, 0);
            if (r.bytes.empty()) break;
            auto& got = received_[s];
            got += r.bytes.size();
            if (got >= 100) {
                host_.send(s, host_.pattern_bytes(s, 200));
                host_.close(s);
                received_.erase(s);
                return;
            }
        }
    }
    void on_error(SocketId s, Errno) override { received_.erase(s); }

private:
    Host& host_;
    std::map<SocketId, std::size_t> received_;
};

// Client: sends the request once connected, closes after the server's FIN.
class Client final : public SocketEvents {
public:
    explicit Client(Host& h) : host_(h) {}
    void on_connected(SocketId s) override { host_.send(s, host_.pattern_bytes(s, 100)); }
    void on_accepted(SocketId, SocketId) override {}
    void on_readable(SocketId s) override {
        for (;;) {
            const RecvResult r = host_.recv(s, 0);
            if (!r.bytes.empty()) continue;
            if (r.eof) {
                host_.close(s);
                ++completed;
            }
            return;
        }
    }
    void on_error(SocketId s, Errno) override {
        ++failed;
        host_.close(s);
    }
    std::uint64_t completed = 0;
    std::uint64_t failed = 0;

private:
    Host& host_;
};

struct Figures {
    double wall_s = 0;
    std::uint64_t events = 0;
    std::uint64_t completed = 0;
    std::uint64_t failed = 0;
    std::size_t peak_tw = 0;
    std::size_t heap_at_59s = 0;
    std::size_t tw_at_59s = 0;
};

// What check asks of every churn run: no RST from the server, every byte intact.
Scenario churn_expectations() {
    Scenario s;
    Expectation no_rst;
    no_rst.kind = ExpectKind::Segments;
    no_rst.host = "server";
    no_rst.flags = Flags::Rst;
    no_rst.count.equals = 0;
    Expectation intact;
    intact.kind = ExpectKind::StreamIntegrity;
    s.expectations = {no_rst, intact};
    return s;
}

// How the trace is consumed: counted, or streamed through check's views.
enum class Sink { Count, Check };

Figures run_churn(std::uint64_t n, Duration time_wait, Sink sink) {
    Engine engine;
    CountingSink counting;
    TraceStream stream;
    const Scenario expectations = churn_expectations();
    ExpectationsView verdict(expectations);
    EdgeCoverage coverage;
    CoverageView graph(StateGraph::rfc9293(), coverage);
    stream.add(verdict);
    stream.add(graph);
    TraceSink& trace = sink == Sink::Count ? static_cast<TraceSink&>(counting) : stream;
    StreamLedger ledger;
    Network net(engine, trace, 1);
    ProfileRules rules = *find_profile("linux");
    rules.time_wait_source = TimeWaitLength::Configured;
    rules.time_wait_fixed = time_wait;
    std::vector<std::unique_ptr<Host>> hosts;
    hosts.push_back(std::make_unique<Host>(HostSetup{0, "server", Ipv4{0x0a000001}, rules, {}, 1},
                                           engine, trace, net, ledger));
    for (int i = 0; i < kClients; ++i) {
        hosts.push_back(std::make_unique<Host>(
            HostSetup{static_cast<std::uint16_t>(i + 1), "client" + std::to_string(i),
                      Ipv4{0x0a000100u + static_cast<std::uint32_t>(i)}, rules, {}, 1},
            engine, trace, net, ledger));
    }
    LinkDirectionConfig link;
    link.delay = milliseconds(1);
    for (auto& h : hosts) net.add_host(*h);
    for (int i = 1; i <= kClients; ++i) net.add_link(0, static_cast<std::uint16_t>(i), link, link);
    std::vector<TraceHost> names;
    for (auto& h : hosts) names.push_back({h->name(), h->ip(), rules.name});
    trace.set_hosts(std::move(names));

    Server server(*hosts[0]);
    hosts[0]->set_app(&server);
    Errno err;
    hosts[0]->listen("l", kPort, "s", false, {}, err);
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 1; i <= kClients; ++i) {
        clients.push_back(std::make_unique<Client>(*hosts[static_cast<std::size_t>(i)]));
        hosts[static_cast<std::size_t>(i)]->set_app(clients.back().get());
    }

    Figures f;
    // Opens one connection per simulated millisecond, round-robin over the clients.
    std::uint64_t opened = 0;
    std::function<void()> open_next = [&] {
        Host& c = *hosts[1 + opened % kClients];
        Errno e;
        c.connect("c", {hosts[0]->ip(), kPort}, std::nullopt, false, {}, e);
        if (++opened < n) engine.schedule(engine.now() + milliseconds(1), open_next);
    };
    engine.schedule(Time{}, open_next);
    // Samples the TIME_WAIT table once a simulated second.
    std::function<void()> sample = [&] {
        const std::size_t tw = hosts[0]->time_wait_count();
        if (tw > f.peak_tw) f.peak_tw = tw;
        if (engine.now() == Time{} + seconds(59)) {
            f.heap_at_59s = mallinfo2().uordblks;
            f.tw_at_59s = tw;
        }
        if (opened < n || tw > 0) engine.schedule(engine.now() + seconds(1), sample);
    };
    engine.schedule(Time{} + seconds(1), sample);

    const auto start = std::chrono::steady_clock::now();
    trace.begin();
    engine.run(Time{} + minutes(60 * 24), UINT64_MAX);
    trace.finish({RunEnd::Quiescent, engine.now(), engine.events_run()});
    f.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    f.events = engine.events_run();
    if (sink == Sink::Check)
        for (const ExpectationResult& r : verdict.results()) f.failed += r.passed ? 0 : 1;
    for (auto& c : clients) {
        f.completed += c->completed;
        f.failed += c->failed;
    }
    return f;
}

void child(std::uint64_t n, int tw_s, Sink sink, int fd) {
    const Figures f = run_churn(n, seconds(tw_s), sink);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const std::string line = std::to_string(f.wall_s) + " " + std::to_string(f.events) + " " +
                             std::to_string(f.completed) + " " + std::to_string(f.failed) + " " +
                             std::to_string(f.peak_tw) + " " + std::to_string(f.heap_at_59s) + " " +
                             std::to_string(f.tw_at_59s) + " " + std::to_string(ru.ru_maxrss) + "\n";
    if (write(fd, line.data(), line.size()) < 0) std::_Exit(3);
    std::_Exit(0);
}

struct Result {
    Figures f;
    long rss_kb = 0;
};

Result measure(std::uint64_t n, int tw_s, Sink sink) {
    int fds[2];
    if (pipe(fds) != 0) std::exit(2);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(n, tw_s, sink, fds[1]);
    }
    close(fds[1]);
    char buf[512] = {};
    std::size_t got = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0) got += static_cast<std::size_t>(r);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    Result res;
    unsigned long long events, completed, failed, peak, heap, tw59;
    if (std::sscanf(buf, "%lf %llu %llu %llu %llu %llu %llu %ld", &res.f.wall_s, &events, &completed,
                    &failed, &peak, &heap, &tw59, &res.rss_kb) != 8) {
        std::fprintf(stderr, "benchmark child failed (status %d)\n", status);
        std::exit(2);
    }
    res.f.events = events;
    res.f.completed = completed;
    res.f.failed = failed;
    res.f.peak_tw = peak;
    res.f.heap_at_59s = heap;
    res.f.tw_at_59s = tw59;
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::uint64_t> sizes;
    for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
    if (sizes.empty()) sizes = {1000, 10000, 100000};
    std::printf("churn: 1000 conn/s, 100 B request, 200 B response, server closes, 1 ms links, "
                "%d client hosts, linux profile, trace counted not stored\n\n", kClients);
    std::printf("%8s %5s %9s %10s %12s %12s %9s %9s %8s %10s %10s\n", "N", "TW", "wall_s", "events",
                "events/s", "conn/s", "peak_TW", "RSS_MiB", "failed", "heap_B/TW", "RSS_B/TW");
    std::vector<std::pair<std::uint64_t, Result>> checked;
    for (std::uint64_t n : sizes) {
        const Result zero = measure(n, 0, Sink::Count);
        const Result sixty = measure(n, 60, Sink::Count);
        checked.emplace_back(n, measure(n, 60, Sink::Check));
        for (const auto* r : {&zero, &sixty}) {
            const bool is60 = r == &sixty;
            std::string per_tw = "-";
            std::string rss_per_tw = "-";
            if (is60 && sixty.f.tw_at_59s > 0 && zero.f.heap_at_59s > 0) {
                const double b = (static_cast<double>(sixty.f.heap_at_59s) - static_cast<double>(zero.f.heap_at_59s)) /
                                 static_cast<double>(sixty.f.tw_at_59s);
                per_tw = std::to_string(static_cast<long>(b));
                const double rb = static_cast<double>(sixty.rss_kb - zero.rss_kb) * 1024.0 /
                                  static_cast<double>(sixty.f.peak_tw);
                rss_per_tw = std::to_string(static_cast<long>(rb));
            }
            std::printf("%8llu %5s %9.3f %10llu %12.0f %12.0f %9zu %9.1f %8llu %10s %10s\n",
                        static_cast<unsigned long long>(n), is60 ? "60s" : "0s", r->f.wall_s,
                        static_cast<unsigned long long>(r->f.events),
                        static_cast<double>(r->f.events) / r->f.wall_s,
                        static_cast<double>(r->f.completed) / r->f.wall_s, r->f.peak_tw,
                        static_cast<double>(r->rss_kb) / 1024.0,
                        static_cast<unsigned long long>(r->f.failed), per_tw.c_str(), rss_per_tw.c_str());
        }
    }
    std::printf("\nThe same with TIME_WAIT 60 s, the trace streamed through check's views (2 expectations,\n"
                "state-graph coverage): peak RSS must not grow with N once the TIME_WAIT table is full.\n\n");
    std::printf("%8s %9s %12s %9s %14s\n", "N", "wall_s", "events/s", "RSS_MiB", "failed_checks");
    for (const auto& [n, r] : checked) {
        std::printf("%8llu %9.3f %12.0f %9.1f %14llu\n", static_cast<unsigned long long>(n), r.f.wall_s,
                    static_cast<double>(r.f.events) / r.f.wall_s, static_cast<double>(r.rss_kb) / 1024.0,
                    static_cast<unsigned long long>(r.f.failed));
    }
    std::printf("\nheap_B/TW: heap in use at t=59 s (60 s TIME_WAIT run) minus the same at t=59 s with "
                "TIME_WAIT 0,\n  divided by the live TIME_WAIT entries then (needs N >= 60000).\n"
                "RSS_B/TW: peak RSS difference between the two runs divided by the peak TIME_WAIT "
                "count\n  (includes container growth slack: an upper bound).\n");
    return 0;
}
