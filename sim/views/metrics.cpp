#include "tcpsim/views/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <iterator>
#include <limits>

namespace tcpsim {
namespace {

std::size_t index(State s) { return static_cast<std::size_t>(s); }
std::size_t index(Errno e) { return static_cast<std::size_t>(e); }
std::size_t index(Counter c) { return static_cast<std::size_t>(c); }

// EINPROGRESS starts a non-blocking connect(); only what follows can be a failure.
bool connect_failure(Errno e) { return e != Errno::Ok && e != Errno::InProgress; }

// 1000000 -> "1,000,000".
std::string grouped(std::uint64_t n) {
    const std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

// How many rows an interval gives between lo and hi, and the end row when it is off the grid.
std::uint64_t rows_for(Duration interval, Time lo, Time hi, std::optional<Time> end_row) {
    const std::int64_t first = (lo.ns + interval.ns - 1) / interval.ns;
    const std::int64_t last = hi.ns / interval.ns;
    std::uint64_t n = last >= first ? static_cast<std::uint64_t>(last - first + 1) : 0;
    if (end_row && end_row->ns % interval.ns != 0) ++n;
    return n;
}

// The smallest interval above `interval`, 1, 2 or 5 times a power of ten, that gives at
// most max_rows rows (max_rows >= 2: one longer than the window always does).
Duration fitting_interval(Duration interval, Time lo, Time hi, std::optional<Time> end_row, std::uint64_t max_rows) {
    for (std::int64_t p = 1; p <= std::numeric_limits<std::int64_t>::max() / 50; p *= 10) {
        for (std::int64_t m : {1, 2, 5}) {
            const Duration d{m * p};
            if (d > interval && rows_for(d, lo, hi, end_row) <= max_rows) return d;
        }
    }
    return (hi - lo) + nanoseconds(1);
}

}  // namespace

MetricsView::MetricsView(MetricsOptions options, std::ostream* csv, bool plot)
    : options_(std::move(options)), csv_(csv), plot_wanted_(plot) {
    assert(options_.interval > Duration{});
    assert(options_.max_rows >= 2);
}

void MetricsView::on_begin(const TraceNames& names) {
    names_ = &names;
    hosts_.assign(names.hosts.size(), HostMetrics{});
    if (!options_.host.empty()) {
        host_ = names.find_host(options_.host);
        if (!host_) filter_problem_ = fmt::format("--host {}: no host of that name in the run", options_.host);
    }
    std::vector<PlotSeries> series;
    std::string header = "t_s";
    for (std::uint16_t h = 0; h < names.hosts.size(); ++h) {
        if (!shown(h)) continue;
        const std::string& name = names.hosts[h].name;
        for (State s : kAllStates) {
            if (s == State::Closed) continue;
            fmt::format_to(std::back_inserter(header), ",{}.{}", name, to_string(s));
            series.push_back({fmt::format("{} {}", name, to_string(s)), false});
        }
        fmt::format_to(std::back_inserter(header), ",{}.ports_in_use", name);
        series.push_back({name + " ports in use", true});
        for (Errno e : kAllErrnos)
            if (connect_failure(e)) fmt::format_to(std::back_inserter(header), ",{}.connect_{}", name, to_string(e));
        for (Counter c : kAllCounters) fmt::format_to(std::back_inserter(header), ",{}.{}", name, to_string(c));
    }
    if (csv_) *csv_ << header << '\n';
    if (plot_wanted_) plot_.emplace(std::move(series));
}

bool MetricsView::shown(std::uint16_t host) const { return filter_problem_.empty() && (!host_ || *host_ == host); }

void MetricsView::hold_port(std::uint16_t host, std::uint16_t port, int delta) {
    const std::uint32_t key = std::uint32_t{host} << 16 | port;
    if (delta > 0) {
        if (++port_holders_[key] == 1) ++hosts_[host].ports;
        return;
    }
    auto it = port_holders_.find(key);
    assert(it != port_holders_.end());
    if (--it->second == 0) {
        port_holders_.erase(it);
        --hosts_[host].ports;
    }
}

void MetricsView::apply_state(const TraceEvent& e) {
    HostMetrics& h = hosts_[e.host];
    // A state event moves one connection (or listening socket) from the state it is in
    // to `to`. The tracked state, not e.from, is what it leaves: a passive open's
    // LISTEN -> SYN_RECEIVED is a new connection; its listener stays in LISTEN.
    const auto move = [&](auto& live, const auto& key) {
        auto it = live.find(key);
        if (it != live.end()) {
            --h.states[index(it->second.state)];
            if (e.to == State::Closed) {
                if (it->second.active) hold_port(e.host, e.conn.local.port, -1);
                live.erase(it);
                return;
            }
            it->second.state = e.to;
        } else {
            if (e.to == State::Closed) return;
            const bool active = e.from == State::Closed && e.to == State::SynSent;
            live.emplace(key, Live{e.to, active});
            if (active) hold_port(e.host, e.conn.local.port, 1);
        }
        ++h.states[index(e.to)];
    };
    if (e.has_conn)
        move(conns_, ConnKey{e.host, e.conn});
    else
        move(listeners_, std::tuple{e.host, e.socket.name, e.socket.instance});
}

bool MetricsView::row(Time t) {
    if (options_.until && t > *options_.until) {
        stopped_ = true;
        return false;
    }
    if (rows_ == options_.max_rows) {
        capped_at_ = t;
        stopped_ = true;
        return false;
    }
    ++rows_;
    last_row_ = t;
    if (csv_) {
        line_ = format_seconds(t);
        auto w = std::back_inserter(line_);
        for (std::uint16_t i = 0; i < hosts_.size(); ++i) {
            if (!shown(i)) continue;
            const HostMetrics& h = hosts_[i];
            for (State s : kAllStates)
                if (s != State::Closed) fmt::format_to(w, ",{}", h.states[index(s)]);
            fmt::format_to(w, ",{}", h.ports);
            for (Errno e : kAllErrnos)
                if (connect_failure(e)) fmt::format_to(w, ",{}", h.connect_errors[index(e)]);
            for (Counter c : kAllCounters) fmt::format_to(w, ",{}", h.counters[index(c)]);
        }
        line_ += '\n';
        *csv_ << line_;
    }
    if (plot_) {
        plot_values_.clear();
        for (std::uint16_t i = 0; i < hosts_.size(); ++i) {
            if (!shown(i)) continue;
            for (State s : kAllStates)
                if (s != State::Closed) plot_values_.push_back(hosts_[i].states[index(s)]);
            plot_values_.push_back(hosts_[i].ports);
        }
        plot_->add(t, plot_values_);
    }
    return true;
}

void MetricsView::advance(Time t, bool inclusive) {
    while (!stopped_) {
        if (options_.from && next_ < *options_.from) {
            const std::int64_t k = (options_.from->ns + options_.interval.ns - 1) / options_.interval.ns;
            next_ = Time{k * options_.interval.ns};
        }
        if (inclusive ? next_ > t : next_ >= t) return;
        if (!row(next_)) return;
        next_ = next_ + options_.interval;
    }
}

void MetricsView::on_event(const TraceEvent& e) {
    // Every boundary before this event is complete; one at e.t waits for the events at e.t.
    advance(e.t, false);
    if (!shown(e.host)) return;
    switch (e.kind) {
        case TraceKind::State:
            apply_state(e);
            break;
        case TraceKind::Call:
            if (e.call == CallKind::Connect && connect_failure(e.error))
                ++hosts_[e.host].connect_errors[index(e.error)];
            break;
        case TraceKind::Counter:
            hosts_[e.host].counters[index(e.counter)] = e.value;
            break;
        case TraceKind::Segment:
        case TraceKind::Timer:
        case TraceKind::Link:
        case TraceKind::Decision:
            break;
    }
}

void MetricsView::on_finish(const TraceSummary& summary) {
    const Time end = summary.end_time;
    advance(end, true);
    if (!stopped_ && (!last_row_ || *last_row_ < end) && (!options_.from || end >= *options_.from)) row(end);
    if (capped_at_) cap_problem_ = cap_message(end);
}

std::string MetricsView::cap_message(Time end) const {
    const Time lo = options_.from.value_or(Time{});
    const Time hi = options_.until ? std::min(*options_.until, end) : end;
    const std::optional<Time> end_row = hi == end ? std::optional<Time>(end) : std::nullopt;
    const std::uint64_t needed = rows_for(options_.interval, lo, hi, end_row);
    const Duration fits = fitting_interval(options_.interval, lo, hi, end_row, options_.max_rows);
    return fmt::format(
        "--metrics-interval {} gives {} rows from {} s to {} s, more than the cap of {}: the metrics stop at {} s; "
        "raise --metrics-interval to {} or more{}",
        format_duration(options_.interval), grouped(needed), format_seconds(lo), format_seconds(hi),
        grouped(options_.max_rows), format_seconds(*last_row_), format_duration(fits),
        options_.from || options_.until ? "" : " (or narrow the rows with --from/--until)");
}

void MetricsView::write_svg(std::ostream& out, std::string_view title) const {
    assert(plot_);
    plot_->write_svg(out, {std::string(title),
                           fmt::format("connections per state and ephemeral ports in use (dashed), per host, "
                                       "sampled every {}",
                                       format_duration(options_.interval)),
                           "simulated time (s)", "connections / ports", "--host NAME: one host's lines"});
}

}  // namespace tcpsim
