// The RFC 9293 state diagram (Figure 5, with the resets of note 3) as a Boost graph whose
// edges carry the event and the clause. Uses: check that every transition a run takes is
// an edge, count which edges runs covered, write Graphviz DOT, answer path questions.
//
//   const StateGraph& g = StateGraph::rfc9293();
//   g.has_edge(State::FinWait2, State::TimeWait);          // true
//   g.shortest_path(State::Established, State::Closed);    // ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED
#pragma once

#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tcpsim/net/tcp_state.hpp"
#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

struct StateEdge {
    State from;
    State to;
    const char* event;
    const char* clause;
};

// Covered edges: (from, to) -> how many times runs took it.
using EdgeCoverage = std::map<std::pair<State, State>, std::uint64_t>;

class StateGraph {
public:
    static const StateGraph& rfc9293();

    std::span<const StateEdge> edges() const { return edges_; }
    bool has_edge(State from, State to) const;
    // Fewest transitions from `from` to `to` (inclusive); empty when unreachable.
    std::vector<State> shortest_path(State from, State to) const;
    // Graphviz DOT; edges with coverage print their count, untaken ones are dashed.
    std::string to_dot(const EdgeCoverage* coverage = nullptr) const;

private:
    explicit StateGraph(std::vector<StateEdge> edges);
    std::vector<StateEdge> edges_;
};

// Adds the trace's state transitions to `coverage`; returns those that are not edges of
// the graph (each once, in trace order).
std::vector<std::pair<State, State>> cover(const StateGraph& graph, const Trace& trace,
                                           EdgeCoverage& coverage);

}  // namespace tcpsim
