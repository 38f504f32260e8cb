// Where a run's events go. `TraceSink` is what the world writes to; `Trace` keeps every
// event for the views; `CountingSink` only counts (benchmarks).
//
//   Trace trace;
//   world.run(trace);
//   for (const TraceEvent& e : trace.events()) ...
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tcpsim/trace/event.hpp"

namespace tcpsim {

struct TraceHost {
    std::string name;
    Ipv4 ip;
    std::string profile;
};

// How the run ended, recorded once at the end.
enum class RunEnd : std::uint8_t { Quiescent, DurationReached, TimeCap, EventCap };
std::string_view to_string(RunEnd e);

struct TraceSummary {
    RunEnd end = RunEnd::Quiescent;
    Time end_time;
    std::uint64_t events_run = 0;
};

class TraceSink {
public:
    virtual ~TraceSink() = default;
    virtual void record(const TraceEvent& e) = 0;
    // Socket labels are interned so events carry a small index.
    virtual std::int32_t intern_socket(const std::string& label) = 0;
    // Longer texts (a fault's description) likewise; events refer to them by `text`.
    virtual std::int32_t intern_text(const std::string& text) = 0;
    virtual void set_hosts(std::vector<TraceHost> hosts) = 0;
    virtual void finish(const TraceSummary& summary) = 0;
};

class Trace final : public TraceSink {
public:
    void record(const TraceEvent& e) override { events_.push_back(e); }
    std::int32_t intern_socket(const std::string& label) override;
    std::int32_t intern_text(const std::string& text) override;
    void set_hosts(std::vector<TraceHost> hosts) override { hosts_ = std::move(hosts); }
    void finish(const TraceSummary& summary) override { summary_ = summary; }

    const std::vector<TraceEvent>& events() const { return events_; }
    const std::vector<TraceHost>& hosts() const { return hosts_; }
    const std::string& socket_label(std::int32_t index) const;
    const std::vector<std::string>& socket_labels() const { return sockets_; }
    const std::string& text(std::int32_t index) const;
    const TraceSummary& summary() const { return summary_; }

private:
    std::vector<TraceEvent> events_;
    std::vector<TraceHost> hosts_;
    std::vector<std::string> sockets_;
    std::vector<std::string> texts_;
    std::unordered_map<std::string, std::int32_t> socket_index_;  // lookup only, never iterated
    std::unordered_map<std::string, std::int32_t> text_index_;
    TraceSummary summary_;
};

class CountingSink final : public TraceSink {
public:
    void record(const TraceEvent&) override { ++count_; }
    std::int32_t intern_socket(const std::string&) override { return kNoSocket; }
    std::int32_t intern_text(const std::string&) override { return -1; }
    void set_hosts(std::vector<TraceHost>) override {}
    void finish(const TraceSummary& summary) override { summary_ = summary; }

    std::uint64_t count() const { return count_; }
    const TraceSummary& summary() const { return summary_; }

private:
    std::uint64_t count_ = 0;
    TraceSummary summary_;
};

}  // namespace tcpsim
