// Metrics: what `ss -s` and `nstat` would show on each host, sampled over simulated time,
// as CSV (one row per sample) and as an SVG line plot. A TIME_WAIT pile-up or a
// CLOSE_WAIT leak shows as a line that climbs.
//
//   t_s,client.LISTEN,...,client.TIME_WAIT,client.ports_in_use,client.connect_EADDRINUSE,...
//   5.000000000,0,0,0,0,0,0,0,0,0,1,1,0,1,...
//
// Rows at t = 0, interval, 2*interval... and at the end of the run. A row at T comes after
// every event at T has run (as an expectation's "state at T" does). Per host, in this
// order: connections in each state (LISTEN counts listening sockets; CLOSED is not
// counted); ports_in_use, the local ports held by connections the host opened actively
// (CLOSED -> SYN_SENT), TIME_WAIT included; connect_EXXX, failed connect() calls by errno
// so far; the host's counters (their latest value).
//
// Streaming: the view keeps the current value of each metric and the state of each live
// connection (no more than the world holds), and writes each row as simulated time passes
// it. Only the plot keeps a series, in LinePlot's bounded buckets. Rows stop at
// max_rows, and cap_problem() names the interval that would fit.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "tcpsim/core/errno.hpp"
#include "tcpsim/net/tcp_state.hpp"
#include "tcpsim/trace/counter.hpp"
#include "tcpsim/trace/sink.hpp"
#include "tcpsim/views/line_plot.hpp"

namespace tcpsim {

struct MetricsOptions {
    Duration interval = seconds(1);
    std::uint64_t max_rows = 1'000'000;  // at least 2
    std::string host;                    // "" for every host
    std::optional<Time> from;            // rows at or after
    std::optional<Time> until;           // rows at or before
};

class MetricsView final : public TraceView {
  public:
    // Writes CSV to `csv` when not null; keeps what write_svg needs when `plot`.
    MetricsView(MetricsOptions options, std::ostream* csv, bool plot);

    void on_begin(const TraceNames& names) override;
    void on_event(const TraceEvent& e) override;
    void on_finish(const TraceSummary& summary) override;

    // After on_finish: connections per state and ports in use, a line per host and
    // metric that was ever non-zero.
    void write_svg(std::ostream& out, std::string_view title) const;

    // Set when the run needed more rows than max_rows.
    const std::string& cap_problem() const { return cap_problem_; }
    // Set when --host names a host the run does not have.
    const std::string& filter_problem() const { return filter_problem_; }

  private:
    struct HostMetrics {
        std::array<std::uint32_t, kAllStates.size()> states{};  // by State; CLOSED stays 0
        std::uint32_t ports = 0;
        std::array<std::uint64_t, kAllErrnos.size()> connect_errors{};  // by Errno
        std::array<std::int64_t, kAllCounters.size()> counters{};       // by Counter
    };
    struct Live {
        State state = State::Closed;
        bool active = false;  // opened by connect(): holds an ephemeral port
    };
    struct ConnKey {
        std::uint16_t host = 0;
        FourTuple conn;
        bool operator==(const ConnKey&) const = default;
    };
    struct ConnKeyHash {
        std::size_t operator()(const ConnKey& k) const { return FourTupleHash{}(k.conn) ^ k.host; }
    };

    bool shown(std::uint16_t host) const;
    void apply_state(const TraceEvent& e);
    void hold_port(std::uint16_t host, std::uint16_t port, int delta);
    // Writes the rows of every boundary before `t` (or up to and including it).
    void advance(Time t, bool inclusive);
    bool row(Time t);  // false once the rows stop (past --until or at the cap)
    void write_header();
    std::string cap_message(Time end) const;

    MetricsOptions options_;
    std::ostream* csv_;
    bool plot_wanted_;
    std::optional<LinePlot> plot_;
    const TraceNames* names_ = nullptr;
    std::optional<std::uint16_t> host_;
    std::string filter_problem_;
    std::string cap_problem_;

    std::vector<HostMetrics> hosts_;
    std::unordered_map<ConnKey, Live, ConnKeyHash> conns_;                              // looked up, never iterated
    std::map<std::tuple<std::uint16_t, std::int32_t, std::uint32_t>, Live> listeners_;  // (host, socket)
    std::unordered_map<std::uint32_t, std::uint32_t> port_holders_;  // (host << 16 | port) -> connections
    Time next_;                                                      // the next boundary not yet written
    bool stopped_ = false;
    std::uint64_t rows_ = 0;
    std::optional<Time> last_row_;
    std::optional<Time> capped_at_;  // the first row the cap left out
    std::string line_;
    std::vector<std::uint32_t> plot_values_;
};

}  // namespace tcpsim
