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
    std::optional<std::int32_t> socket;

    bool matches(const TraceEvent& e) const {
        return (!host || e.host == *host) && (!socket || e.socket == *socket);
    }
};

struct Resolved {
    Scope scope;
    std::string problem;  // a name the trace does not know
};

// An empty name means any host or socket, unless the expectation is about one socket.
Resolved resolve(const Trace& trace, const std::string& host, const std::string& socket,
                 bool one_socket) {
    Resolved r;
    if (one_socket && (host.empty() || socket.empty())) {
        r.problem = "the expectation names no host and socket";
        return r;
    }
    if (!host.empty()) {
        const auto& hosts = trace.hosts();
        auto it = std::find_if(hosts.begin(), hosts.end(),
                               [&](const TraceHost& h) { return h.name == host; });
        if (it == hosts.end()) {
            r.problem = fmt::format("no host named {} in the run", host);
            return r;
        }
        r.scope.host = static_cast<std::uint16_t>(it - hosts.begin());
    }
    if (!socket.empty()) {
        const auto& labels = trace.socket_labels();
        auto it = std::find(labels.begin(), labels.end(), socket);
        if (it == labels.end()) {
            r.problem = socket_missing(host, socket);
            return r;
        }
        r.scope.socket = static_cast<std::int32_t>(it - labels.begin());
    }
    return r;
}

// Visits every event in scope; says whether there was any.
template <typename Visit>
bool scan(const Trace& trace, const Scope& scope, Visit&& visit) {
    bool seen = false;
    for (const TraceEvent& e : trace.events()) {
        if (!scope.matches(e)) continue;
        seen = true;
        visit(e);
    }
    return seen;
}

struct Replayed {
    bool seen = false;
    State state = State::Closed;
    std::optional<Time> since;
};

Replayed replay(const Trace& trace, const Scope& scope, std::optional<Time> at) {
    Replayed r;
    r.seen = scan(trace, scope, [&](const TraceEvent& e) {
        if (e.kind == TraceKind::State && (!at || e.t <= *at)) {
            r.state = e.to;
            r.since = e.t;
        }
    });
    return r;
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
        case SegmentEvent::Send:
            return {"sent", "by"};
        case SegmentEvent::Deliver:
            return {"delivered", "from"};
        case SegmentEvent::Drop:
            return {"dropped", "from"};
        case SegmentEvent::Duplicate:
            return {"duplicated", "from"};
        case SegmentEvent::Delay:
            return {"delayed", "from"};
    }
    return {"", ""};
}

std::string_view host_name(const Trace& trace, std::uint16_t host) {
    return host < trace.hosts().size() ? std::string_view(trace.hosts()[host].name) : "?";
}

std::string call_text(const TraceEvent& e) {
    const std::string result =
        e.error != Errno::Ok ? std::string(to_string(e.error)) : std::to_string(e.value);
    return fmt::format("{} -> {} at {}", to_string(e.call), result, format_seconds(e.t));
}

void check_state(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    const State want = x.state.value();
    const std::optional<Time> at = x.kind == ExpectKind::StateAt ? x.at : std::nullopt;
    r.expected = fmt::format("{} {} in {} {}", x.host, x.socket, to_string(want),
                             at ? "at " + at_text(*at) : "at the end");
    const Resolved where = resolve(trace, x.host, x.socket, true);
    if (!where.problem.empty()) {
        r.actual = where.problem;
        return;
    }
    const Replayed now = replay(trace, where.scope, at);
    if (!now.seen) {
        r.actual = socket_missing(x.host, x.socket);
        return;
    }
    r.passed = now.state == want;
    r.actual = now.since
                   ? fmt::format("{} since {}", to_string(now.state), format_seconds(*now.since))
                   : fmt::format("{}, no state change by then", to_string(now.state));
}

// A segment's sender: the host that recorded it, except for Deliver events, which the
// receiver records; their sender is the host owning the remote address.
bool sent_by(const Trace& trace, const TraceEvent& e, std::uint16_t host) {
    if (e.segment_event != SegmentEvent::Deliver) return e.host == host;
    return e.has_conn && host < trace.hosts().size() && trace.hosts()[host].ip == e.conn.remote.ip;
}

void check_segments(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    const SegmentEvent event = x.segment_event.value_or(SegmentEvent::Send);
    const std::string noun = x.flags ? to_string(*x.flags) + " segment" : "segment";
    const auto [done, by] = verb(event);
    r.expected = fmt::format("{} {}", count_phrase(x.count, noun), done);
    if (!x.host.empty()) r.expected += fmt::format(" {} {}", by, x.host);
    if (x.len) r.expected += fmt::format(" with len {}", *x.len);
    if (x.seq) r.expected += fmt::format(" with seq {}", *x.seq);
    if (x.ack) r.expected += fmt::format(" with ack {}", *x.ack);
    const Resolved where = resolve(trace, x.host, x.socket, false);
    if (!where.problem.empty()) {
        r.actual = where.problem;
        return;
    }
    Matches m;
    for (const TraceEvent& e : trace.events()) {
        if (e.kind == TraceKind::Segment && e.segment_event == event &&
            (!where.scope.host || sent_by(trace, e, *where.scope.host)) &&
            (!x.flags || e.flags == *x.flags) && (!x.len || e.len == *x.len) &&
            (!x.seq || e.seq.v == *x.seq) && (!x.ack || e.ack.v == *x.ack)) {
            m.add(e.t);
        }
    }
    r.passed = count_ok(x.count, m.count);
    r.actual = m.text();
}

void check_call(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    const CallKind call = x.call.value();
    const Errno want = x.error.value_or(Errno::Ok);
    const std::string outcome = x.error   ? fmt::format("-> {}", to_string(*x.error))
                                : x.value ? fmt::format("-> {}", *x.value)
                                          : "succeeds";
    r.expected = fmt::format("{} {} {} {}", x.host, x.socket, to_string(call), outcome);
    if (x.at) r.expected += " at " + at_text(*x.at);
    const Resolved where = resolve(trace, x.host, x.socket, true);
    if (!where.problem.empty()) {
        r.actual = where.problem;
        return;
    }
    std::vector<std::string> seen_calls;
    std::uint64_t calls = 0;
    const TraceEvent* hit = nullptr;
    const bool seen = scan(trace, where.scope, [&](const TraceEvent& e) {
        if (e.kind != TraceKind::Call || e.call != call) return;
        if (e.error == Errno::InProgress && want != Errno::InProgress) return;
        ++calls;
        if (seen_calls.size() < kListed) seen_calls.push_back(call_text(e));
        const bool same = e.error == want && (want != Errno::Ok || !x.value || e.value == *x.value);
        if (!hit && same && (!x.at || e.t == *x.at)) hit = &e;
    });
    if (!seen) {
        r.actual = socket_missing(x.host, x.socket);
        return;
    }
    r.passed = hit != nullptr;
    if (hit) {
        r.actual = call_text(*hit);
    } else if (calls == 0) {
        r.actual = fmt::format("no {} call", to_string(call));
    } else {
        r.actual = fmt::format("{}", fmt::join(seen_calls, "; "));
        if (calls > seen_calls.size()) r.actual += "; ...";
    }
}

void check_transition(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    r.expected = fmt::format("{} {} {}-> {}", x.host, x.socket,
                             x.from_state ? std::string(to_string(*x.from_state)) + " " : "",
                             x.state ? to_string(*x.state) : "any state");
    if (x.at) r.expected += " at " + at_text(*x.at);
    if (!at_least_once(x.count)) r.expected += ", " + count_phrase(x.count, "time");
    const Resolved where = resolve(trace, x.host, x.socket, true);
    if (!where.problem.empty()) {
        r.actual = where.problem;
        return;
    }
    Matches m;
    std::vector<std::string> changes;  // the socket's first few, to show when none match
    std::uint64_t change_count = 0;
    const bool seen = scan(trace, where.scope, [&](const TraceEvent& e) {
        if (e.kind != TraceKind::State) return;
        if (++change_count <= kListed) {
            changes.push_back(fmt::format("{} -> {} at {}", to_string(e.from), to_string(e.to),
                                          format_seconds(e.t)));
        }
        if ((!x.state || e.to == *x.state) && (!x.from_state || e.from == *x.from_state) &&
            (!x.at || e.t == *x.at)) {
            m.add(e.t);
        }
    });
    if (!seen) {
        r.actual = socket_missing(x.host, x.socket);
        return;
    }
    r.passed = count_ok(x.count, m.count);
    r.actual = m.text();
    if (m.count == 0) {
        r.actual += change_count == 0
                        ? " (no state changes)"
                        : fmt::format(" (its changes: {}{})", fmt::join(changes, ", "),
                                      change_count > changes.size() ? ", ..." : "");
    }
}

void check_timer(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    r.expected = x.timer ? fmt::format("{} timer", to_string(*x.timer)) : "timer";
    if (x.timer_action) r.expected += fmt::format(" {}", to_string(*x.timer_action));
    if (!x.host.empty()) r.expected += " on " + x.host;
    if (!x.socket.empty()) r.expected += " " + x.socket;
    r.expected += ": " + count_phrase(x.count, "time");
    const Resolved where = resolve(trace, x.host, x.socket, false);
    if (!where.problem.empty()) {
        r.actual = where.problem;
        return;
    }
    Matches m;
    const bool seen = scan(trace, where.scope, [&](const TraceEvent& e) {
        if (e.kind == TraceKind::Timer && (!x.timer || e.timer == *x.timer) &&
            (!x.timer_action || e.action == *x.timer_action)) {
            m.add(e.t);
        }
    });
    if (!seen && where.scope.socket) {
        r.actual = socket_missing(x.host, x.socket);
        return;
    }
    r.passed = count_ok(x.count, m.count);
    r.actual = m.text();
}

void check_integrity(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    std::string on;
    if (!x.host.empty()) on += " on " + x.host;
    if (!x.socket.empty()) on += " " + x.socket;
    r.expected = x.integrity_ok ? fmt::format("every recv{} reads what the peer wrote", on)
                                : fmt::format("some recv{} reads bytes the peer did not write", on);
    const Resolved where = resolve(trace, x.host, x.socket, false);
    if (!where.problem.empty()) {
        r.actual = where.problem;
        return;
    }
    std::uint64_t recvs = 0;
    const TraceEvent* bad = nullptr;
    const bool seen = scan(trace, where.scope, [&](const TraceEvent& e) {
        if (e.kind != TraceKind::Call || e.call != CallKind::Recv) return;
        ++recvs;
        if (!bad && !e.integrity_ok) bad = &e;
    });
    if (!seen && where.scope.socket) {
        r.actual = socket_missing(x.host, x.socket);
        return;
    }
    r.passed = (bad == nullptr) == x.integrity_ok;
    if (bad) {
        r.actual = fmt::format("{} on {} {}: integrity FAILED", call_text(*bad),
                               host_name(trace, bad->host), trace.socket_label(bad->socket));
    } else if (recvs == 0) {
        r.actual = "no recv calls";
    } else {
        r.actual = fmt::format("{} recv call{}, all intact", recvs, recvs == 1 ? "" : "s");
    }
}

void check_run_end(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    const TraceSummary& s = trace.summary();
    r.expected = fmt::format("run ends {}", to_string(x.run_end));
    r.actual = fmt::format("{} at {} after {} events", to_string(s.end), format_seconds(s.end_time),
                           s.events_run);
    r.passed = s.end == x.run_end;
}

void check_counter(const Expectation& x, const Trace& trace, ExpectationResult& r) {
    r.expected = fmt::format("{} {} {}", x.host, x.counter, count_phrase(x.count, "time"));
    const Resolved where = resolve(trace, x.host, "", false);
    if (!where.problem.empty()) {
        r.actual = where.problem;
        return;
    }
    std::uint64_t value = 0;
    for (const TraceEvent& e : trace.events()) {
        if (e.kind == TraceKind::Counter && where.scope.matches(e) && trace.text(e.text) == x.counter)
            value = static_cast<std::uint64_t>(e.value);
    }
    r.passed = count_ok(x.count, value);
    r.actual = fmt::format("{} = {}", x.counter, value);
}

}  // namespace

std::vector<ExpectationResult> check_expectations(const Scenario& scenario, const Trace& trace) {
    std::vector<ExpectationResult> results;
    results.reserve(scenario.expectations.size());
    for (const Expectation& x : scenario.expectations) {
        ExpectationResult r;
        r.expectation = &x;
        switch (x.kind) {
            case ExpectKind::StateAt:
            case ExpectKind::FinalState:
                check_state(x, trace, r);
                break;
            case ExpectKind::Segments:
                check_segments(x, trace, r);
                break;
            case ExpectKind::CallResult:
                check_call(x, trace, r);
                break;
            case ExpectKind::Transition:
                check_transition(x, trace, r);
                break;
            case ExpectKind::Timer:
                check_timer(x, trace, r);
                break;
            case ExpectKind::StreamIntegrity:
                check_integrity(x, trace, r);
                break;
            case ExpectKind::RunEnd:
                check_run_end(x, trace, r);
                break;
            case ExpectKind::Counter:
                check_counter(x, trace, r);
                break;
        }
        results.push_back(std::move(r));
    }
    return results;
}

std::optional<State> socket_state_at(const Trace& trace, const std::string& host,
                                     const std::string& socket, std::optional<Time> t) {
    const Resolved where = resolve(trace, host, socket, true);
    if (!where.problem.empty()) return std::nullopt;
    const Replayed r = replay(trace, where.scope, t);
    if (!r.seen) return std::nullopt;
    return r.state;
}

}  // namespace tcpsim
