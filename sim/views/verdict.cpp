#include "tcpsim/views/verdict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace tcpsim {
namespace {

constexpr std::size_t kListed = 5;  // times or calls quoted in an `actual`

// A time the scenario wrote, in its spelling: "61s".
std::string at_text(Time t) { return format_duration(t - Time{}); }

std::string socket_missing(const std::string& host, const std::string& socket) {
    return host.empty() ? fmt::format("socket {} never appeared", socket)
                        : fmt::format("socket {} never appeared on {}", socket, host);
}

// The events an expectation looks at: one host and one socket, each optional.
struct Scope {
    std::optional<std::uint16_t> host;
    std::optional<TraceNames::SocketPattern> socket;

    bool matches(const TraceEvent& e) const {
        return (!host || e.host == *host) && (!socket || socket->matches(e.socket));
    }
};

// An empty name means any host or socket, unless the expectation is about one socket.
// Returns the problem when a name is unknown.
std::string resolve(const TraceNames& names, const std::string& host, const std::string& socket,
                    bool one_socket, Scope& scope) {
    if (one_socket && (host.empty() || socket.empty())) return "the expectation names no host and socket";
    if (!host.empty()) {
        scope.host = names.find_host(host);
        if (!scope.host) return fmt::format("no host named {} in the run", host);
    }
    if (!socket.empty()) {
        scope.socket = names.parse_socket(socket);
        if (!scope.socket) return socket_missing(host, socket);
    }
    return {};
}

// Counts matching events and keeps the first few times.
struct Matches {
    std::uint64_t count = 0;
    std::vector<Time> times;

    void add(Time t) {
        ++count;
        if (times.size() < kListed) times.push_back(t);
    }
    // "0", "2 at 1.000000000, 1.200000000", "7 at ..., 5.000000000, ..."
    std::string text() const {
        std::string out = std::to_string(count);
        for (std::size_t i = 0; i < times.size(); ++i) {
            out += i == 0 ? " at " : ", ";
            out += format_seconds(times[i]);
        }
        if (count > times.size()) out += ", ...";
        return out;
    }
};

bool count_ok(const CountSpec& c, std::uint64_t n) {
    if (!c.equals && !c.min && !c.max) return n >= 1;
    return (!c.equals || n == *c.equals) && (!c.min || n >= *c.min) && (!c.max || n <= *c.max);
}

// "exactly 1 segment", "at least 2 segments", "between 1 and 3 segments".
std::string count_phrase(const CountSpec& c, std::string_view noun) {
    auto with = [&](std::string_view bound, std::uint64_t n) {
        return fmt::format("{} {} {}{}", bound, n, noun, n == 1 ? "" : "s");
    };
    if (c.equals) return with("exactly", *c.equals);
    if (c.min && c.max) return fmt::format("between {} and {} {}s", *c.min, *c.max, noun);
    if (c.max) return with("at most", *c.max);
    return with("at least", c.min.value_or(1));
}

// No count, or just "min": 1, which is how a transition is expected by default.
bool at_least_once(const CountSpec& c) { return !c.equals && !c.max && c.min.value_or(1) == 1; }

// How a segment event reads, and the preposition before its host ("sent by client").
std::pair<std::string_view, std::string_view> verb(SegmentEvent e) {
    switch (e) {
        case SegmentEvent::Send: return {"sent", "by"};
        case SegmentEvent::Deliver: return {"delivered", "from"};
        case SegmentEvent::Drop: return {"dropped", "from"};
        case SegmentEvent::Duplicate: return {"duplicated", "from"};
        case SegmentEvent::Delay: return {"delayed", "from"};
    }
    return {"", ""};
}

std::string call_text(const TraceEvent& e) {
    const std::string result = e.error != Errno::Ok ? std::string(to_string(e.error)) : std::to_string(e.value);
    return fmt::format("{} -> {} at {}", to_string(e.call), result, format_seconds(e.t));
}

}  // namespace

// One expectation, fed the stream. `begin` resolves names; `result` fills in the verdict.
class ExpectationsView::Check {
public:
    explicit Check(const Expectation& x) : x_(x) {}
    virtual ~Check() = default;
    // Names the expectation's scope; sets `problem_` when one is unknown.
    virtual void begin(const TraceNames& names) = 0;
    virtual void event(const TraceEvent& e) = 0;
    virtual void finish(const TraceSummary& s, ExpectationResult& r) = 0;

    const Expectation& x_;
    std::string problem_;
    const TraceNames* names_ = nullptr;
};

namespace {

using Check = ExpectationsView::Check;

class StateCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames& names) override {
        problem_ = resolve(names, x_.host, x_.socket, true, scope_);
        at_ = x_.kind == ExpectKind::StateAt ? x_.at : std::nullopt;
    }
    void event(const TraceEvent& e) override {
        if (!scope_.matches(e)) return;
        seen_ = true;
        if (e.kind == TraceKind::State && (!at_ || e.t <= *at_)) {
            state_ = e.to;
            since_ = e.t;
        }
    }
    void finish(const TraceSummary&, ExpectationResult& r) override {
        const State want = x_.state.value();
        r.expected = fmt::format("{} {} in {} {}", x_.host, x_.socket, to_string(want),
                                 at_ ? "at " + at_text(*at_) : "at the end");
        if (!problem_.empty() || !seen_) {
            r.actual = problem_.empty() ? socket_missing(x_.host, x_.socket) : problem_;
            return;
        }
        r.passed = state_ == want;
        r.actual = since_ ? fmt::format("{} since {}", to_string(state_), format_seconds(*since_))
                          : fmt::format("{}, no state change by then", to_string(state_));
    }

private:
    Scope scope_;
    std::optional<Time> at_;
    bool seen_ = false;
    State state_ = State::Closed;
    std::optional<Time> since_;
};

class SegmentsCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames& names) override {
        names_ = &names;
        problem_ = resolve(names, x_.host, x_.socket, false, scope_);
        event_ = x_.segment_event.value_or(SegmentEvent::Send);
    }
    void event(const TraceEvent& e) override {
        if (e.kind != TraceKind::Segment || e.segment_event != event_) return;
        if (scope_.host && !sent_by(e, *scope_.host)) return;
        if ((x_.flags && e.flags != *x_.flags) || (x_.len && e.len != *x_.len) || (x_.seq && e.seq.v != *x_.seq) ||
            (x_.ack && e.ack.v != *x_.ack))
            return;
        matches_.add(e.t);
    }
    void finish(const TraceSummary&, ExpectationResult& r) override {
        const std::string noun = x_.flags ? to_string(*x_.flags) + " segment" : "segment";
        const auto [done, by] = verb(event_);
        r.expected = fmt::format("{} {}", count_phrase(x_.count, noun), done);
        if (!x_.host.empty()) r.expected += fmt::format(" {} {}", by, x_.host);
        if (x_.len) r.expected += fmt::format(" with len {}", *x_.len);
        if (x_.seq) r.expected += fmt::format(" with seq {}", *x_.seq);
        if (x_.ack) r.expected += fmt::format(" with ack {}", *x_.ack);
        if (!problem_.empty()) {
            r.actual = problem_;
            return;
        }
        r.passed = count_ok(x_.count, matches_.count);
        r.actual = matches_.text();
    }

private:
    // A segment's sender: the host that recorded it, except for Deliver events, which the
    // receiver records; their sender is the host owning the remote address.
    bool sent_by(const TraceEvent& e, std::uint16_t host) const {
        if (e.segment_event != SegmentEvent::Deliver) return e.host == host;
        return e.has_conn && host < names_->hosts.size() && names_->hosts[host].ip == e.conn.remote.ip;
    }

    Scope scope_;
    SegmentEvent event_ = SegmentEvent::Send;
    Matches matches_;
};

class CallCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames& names) override {
        problem_ = resolve(names, x_.host, x_.socket, true, scope_);
        want_ = x_.error.value_or(Errno::Ok);
    }
    void event(const TraceEvent& e) override {
        if (!scope_.matches(e)) return;
        seen_ = true;
        if (e.kind != TraceKind::Call || e.call != x_.call.value()) return;
        if (e.error == Errno::InProgress && want_ != Errno::InProgress) return;
        ++calls_;
        if (seen_calls_.size() < kListed) seen_calls_.push_back(call_text(e));
        const bool same = e.error == want_ && (want_ != Errno::Ok || !x_.value || e.value == *x_.value);
        if (!hit_ && same && (!x_.at || e.t == *x_.at)) hit_ = call_text(e);
    }
    void finish(const TraceSummary&, ExpectationResult& r) override {
        const CallKind call = x_.call.value();
        const std::string outcome = x_.error   ? fmt::format("-> {}", to_string(*x_.error))
                                    : x_.value ? fmt::format("-> {}", *x_.value)
                                               : "succeeds";
        r.expected = fmt::format("{} {} {} {}", x_.host, x_.socket, to_string(call), outcome);
        if (x_.at) r.expected += " at " + at_text(*x_.at);
        if (!problem_.empty() || !seen_) {
            r.actual = problem_.empty() ? socket_missing(x_.host, x_.socket) : problem_;
            return;
        }
        r.passed = hit_.has_value();
        if (hit_) {
            r.actual = *hit_;
        } else if (calls_ == 0) {
            r.actual = fmt::format("no {} call", to_string(call));
        } else {
            r.actual = fmt::format("{}", fmt::join(seen_calls_, "; "));
            if (calls_ > seen_calls_.size()) r.actual += "; ...";
        }
    }

private:
    Scope scope_;
    Errno want_ = Errno::Ok;
    bool seen_ = false;
    std::uint64_t calls_ = 0;
    std::vector<std::string> seen_calls_;
    std::optional<std::string> hit_;
};

class TransitionCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames& names) override { problem_ = resolve(names, x_.host, x_.socket, true, scope_); }
    void event(const TraceEvent& e) override {
        if (!scope_.matches(e)) return;
        seen_ = true;
        if (e.kind != TraceKind::State) return;
        if (++change_count_ <= kListed) {
            changes_.push_back(
                fmt::format("{} -> {} at {}", to_string(e.from), to_string(e.to), format_seconds(e.t)));
        }
        if ((!x_.state || e.to == *x_.state) && (!x_.from_state || e.from == *x_.from_state) &&
            (!x_.at || e.t == *x_.at))
            matches_.add(e.t);
    }
    void finish(const TraceSummary&, ExpectationResult& r) override {
        r.expected = fmt::format("{} {} {}-> {}", x_.host, x_.socket,
                                 x_.from_state ? std::string(to_string(*x_.from_state)) + " " : "",
                                 x_.state ? to_string(*x_.state) : "any state");
        if (x_.at) r.expected += " at " + at_text(*x_.at);
        if (!at_least_once(x_.count)) r.expected += ", " + count_phrase(x_.count, "time");
        if (!problem_.empty() || !seen_) {
            r.actual = problem_.empty() ? socket_missing(x_.host, x_.socket) : problem_;
            return;
        }
        r.passed = count_ok(x_.count, matches_.count);
        r.actual = matches_.text();
        if (matches_.count == 0) {
            r.actual += change_count_ == 0 ? " (no state changes)"
                                           : fmt::format(" (its changes: {}{})", fmt::join(changes_, ", "),
                                                         change_count_ > changes_.size() ? ", ..." : "");
        }
    }

private:
    Scope scope_;
    bool seen_ = false;
    Matches matches_;
    std::vector<std::string> changes_;  // the socket's first few, to show when none match
    std::uint64_t change_count_ = 0;
};

class TimerCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames& names) override { problem_ = resolve(names, x_.host, x_.socket, false, scope_); }
    void event(const TraceEvent& e) override {
        if (!scope_.matches(e)) return;
        seen_ = true;
        if (e.kind == TraceKind::Timer && (!x_.timer || e.timer == *x_.timer) &&
            (!x_.timer_action || e.action == *x_.timer_action))
            matches_.add(e.t);
    }
    void finish(const TraceSummary&, ExpectationResult& r) override {
        r.expected = x_.timer ? fmt::format("{} timer", to_string(*x_.timer)) : "timer";
        if (x_.timer_action) r.expected += fmt::format(" {}", to_string(*x_.timer_action));
        if (!x_.host.empty()) r.expected += " on " + x_.host;
        if (!x_.socket.empty()) r.expected += " " + x_.socket;
        r.expected += ": " + count_phrase(x_.count, "time");
        if (!problem_.empty() || (!seen_ && scope_.socket)) {
            r.actual = problem_.empty() ? socket_missing(x_.host, x_.socket) : problem_;
            return;
        }
        r.passed = count_ok(x_.count, matches_.count);
        r.actual = matches_.text();
    }

private:
    Scope scope_;
    bool seen_ = false;
    Matches matches_;
};

class IntegrityCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames& names) override {
        names_ = &names;
        problem_ = resolve(names, x_.host, x_.socket, false, scope_);
    }
    void event(const TraceEvent& e) override {
        if (!scope_.matches(e)) return;
        seen_ = true;
        if (e.kind != TraceKind::Call || e.call != CallKind::Recv) return;
        ++recvs_;
        if (!bad_ && !e.integrity_ok) {
            bad_ = fmt::format("{} on {} {}: integrity FAILED", call_text(e), names_->host_name(e.host),
                               names_->socket_label(e.socket));
        }
    }
    void finish(const TraceSummary&, ExpectationResult& r) override {
        std::string on;
        if (!x_.host.empty()) on += " on " + x_.host;
        if (!x_.socket.empty()) on += " " + x_.socket;
        r.expected = x_.integrity_ok ? fmt::format("every recv{} reads what the peer wrote", on)
                                     : fmt::format("some recv{} reads bytes the peer did not write", on);
        if (!problem_.empty() || (!seen_ && scope_.socket)) {
            r.actual = problem_.empty() ? socket_missing(x_.host, x_.socket) : problem_;
            return;
        }
        r.passed = !bad_.has_value() == x_.integrity_ok;
        if (bad_) {
            r.actual = *bad_;
        } else if (recvs_ == 0) {
            r.actual = "no recv calls";
        } else {
            r.actual = fmt::format("{} recv call{}, all intact", recvs_, recvs_ == 1 ? "" : "s");
        }
    }

private:
    Scope scope_;
    bool seen_ = false;
    std::uint64_t recvs_ = 0;
    std::optional<std::string> bad_;
};

class RunEndCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames&) override {}
    void event(const TraceEvent&) override {}
    void finish(const TraceSummary& s, ExpectationResult& r) override {
        r.expected = fmt::format("run ends {}", to_string(x_.run_end));
        r.actual = fmt::format("{} at {} after {} events", to_string(s.end), format_seconds(s.end_time), s.events_run);
        r.passed = s.end == x_.run_end;
    }
};

class CounterCheck final : public Check {
public:
    using Check::Check;
    void begin(const TraceNames& names) override { problem_ = resolve(names, x_.host, "", false, scope_); }
    void event(const TraceEvent& e) override {
        if (e.kind == TraceKind::Counter && scope_.matches(e) && e.counter == x_.counter)
            value_ = static_cast<std::uint64_t>(e.value);
    }
    void finish(const TraceSummary&, ExpectationResult& r) override {
        r.expected = fmt::format("{} {} {}", x_.host, to_string(x_.counter), count_phrase(x_.count, "time"));
        if (!problem_.empty()) {
            r.actual = problem_;
            return;
        }
        r.passed = count_ok(x_.count, value_);
        r.actual = fmt::format("{} = {}", to_string(x_.counter), value_);
    }

private:
    Scope scope_;
    std::uint64_t value_ = 0;
};

std::unique_ptr<Check> make_check(const Expectation& x) {
    switch (x.kind) {
        case ExpectKind::StateAt:
        case ExpectKind::FinalState:
            return std::make_unique<StateCheck>(x);
        case ExpectKind::Segments:
            return std::make_unique<SegmentsCheck>(x);
        case ExpectKind::CallResult:
            return std::make_unique<CallCheck>(x);
        case ExpectKind::Transition:
            return std::make_unique<TransitionCheck>(x);
        case ExpectKind::Timer:
            return std::make_unique<TimerCheck>(x);
        case ExpectKind::StreamIntegrity:
            return std::make_unique<IntegrityCheck>(x);
        case ExpectKind::RunEnd:
            return std::make_unique<RunEndCheck>(x);
        case ExpectKind::Counter:
            return std::make_unique<CounterCheck>(x);
    }
    return std::make_unique<RunEndCheck>(x);
}

}  // namespace

ExpectationsView::ExpectationsView(const Scenario& scenario) {
    checks_.reserve(scenario.expectations.size());
    for (const Expectation& x : scenario.expectations) checks_.push_back(make_check(x));
}

ExpectationsView::~ExpectationsView() = default;

void ExpectationsView::on_begin(const TraceNames& names) {
    for (auto& c : checks_) c->begin(names);
}

void ExpectationsView::on_event(const TraceEvent& e) {
    for (auto& c : checks_) c->event(e);
}

void ExpectationsView::on_finish(const TraceSummary& summary) {
    results_.clear();
    results_.reserve(checks_.size());
    for (auto& c : checks_) {
        ExpectationResult r;
        r.expectation = &c->x_;
        c->finish(summary, r);
        results_.push_back(std::move(r));
    }
}

std::vector<ExpectationResult> check_expectations(const Scenario& scenario, const Trace& trace) {
    ExpectationsView view(scenario);
    replay(trace, view);
    return view.results();
}

std::optional<State> socket_state_at(const Trace& trace, const std::string& host, const std::string& socket,
                                     std::optional<Time> t) {
    Scope scope;
    if (!resolve(trace.names(), host, socket, true, scope).empty()) return std::nullopt;
    bool seen = false;
    State state = State::Closed;
    for (const TraceEvent& e : trace.events()) {
        if (!scope.matches(e)) continue;
        seen = true;
        if (e.kind == TraceKind::State && (!t || e.t <= *t)) state = e.to;
    }
    if (!seen) return std::nullopt;
    return state;
}

}  // namespace tcpsim
