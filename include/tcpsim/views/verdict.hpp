// Checks a scenario's expectations against the trace of its run.
//
// Only the trace is read: a socket's state at a time is found by replaying the trace's
// state events for that socket, never by asking the world.
#pragma once

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

std::vector<ExpectationResult> check_expectations(const Scenario& scenario, const Trace& trace);

// A socket's state at time t (after every event at t has run): CLOSED before its first
// state event. nullopt when the trace never mentions that host/socket.
std::optional<State> socket_state_at(const Trace& trace, const std::string& host,
                                     const std::string& socket, std::optional<Time> t);

}  // namespace tcpsim
