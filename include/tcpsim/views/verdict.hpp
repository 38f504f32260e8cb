// Checks a scenario's expectations against its run, as the trace streams by: each
// expectation keeps what it needs (a count, a socket's latest state, the first few times
// it matched), so checking an hour of churn takes no more memory than a minute.
//
// Only the trace is read: a socket's state at a time is found by following the trace's
// state events for that socket, never by asking the world.
//
//   ExpectationsView verdict(scenario);
//   stream.add(verdict);
//   World(scenario, stream).run();
//   for (const ExpectationResult& r : verdict.results()) ...
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/scenario/scenario.hpp"
#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

struct ExpectationResult {
    const Expectation* expectation = nullptr;
    bool passed = false;
    std::string expected;  // in the scenario's own words: "state TIME_WAIT at 61s"
    std::string actual;    // what the trace shows: "state CLOSED (since 60.2s)"
};

class ExpectationsView final : public TraceView {
public:
    explicit ExpectationsView(const Scenario& scenario);
    ~ExpectationsView() override;

    void on_begin(const TraceNames& names) override;
    void on_event(const TraceEvent& e) override;
    void on_finish(const TraceSummary& summary) override;

    // One per expectation, in the scenario's order; complete after on_finish.
    const std::vector<ExpectationResult>& results() const { return results_; }

    class Check;

private:
    std::vector<std::unique_ptr<Check>> checks_;
    std::vector<ExpectationResult> results_;
};

// A kept trace's expectations (replays it through an ExpectationsView).
std::vector<ExpectationResult> check_expectations(const Scenario& scenario, const Trace& trace);

// A socket's state at time t (after every event at t has run): CLOSED before its first
// state event. nullopt when the trace never mentions that host/socket.
std::optional<State> socket_state_at(const Trace& trace, const std::string& host,
                                     const std::string& socket, std::optional<Time> t);

}  // namespace tcpsim
