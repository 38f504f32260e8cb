// The RFC 9293 state diagram (Figure 5, with the resets of note 3) as a Boost graph whose
// edges carry the event and the clause. Uses: check that every transition a run takes is
// an edge, count which edges runs covered, write Graphviz DOT, answer path questions.
//
//   const StateGraph& g = StateGraph::rfc9293();
//   g.has_edge(State::FinWait2, State::TimeWait);          // true
//   g.shortest_path(State::Established, State::Closed);    // ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tcpsim/net/tcp_state.hpp"
#include "tcpsim/trace/sink.hpp"

namespace tcpsim {

// An edge of the diagram. Two edges may join the same states for different causes (the
// orphaned FIN-WAIT-2's timeout is not a reset): an edge listing causes takes those, an
// edge listing none takes every other cause between its states.
struct StateEdge {
    State from;
    State to;
    const char* event;
    const char* clause;
    std::vector<Cause> causes = {};
};

// Covered edges: edge index -> how many times runs took it.
using EdgeCoverage = std::map<std::size_t, std::uint64_t>;

class StateGraph {
public:
    static const StateGraph& rfc9293();

    std::span<const StateEdge> edges() const { return edges_; }
    bool has_edge(State from, State to) const;
    // The edge a transition with this cause takes, if the diagram has one.
    std::optional<std::size_t> edge_for(State from, State to, Cause cause) const;
    // Fewest transitions from `from` to `to` (inclusive); empty when unreachable.
    std::vector<State> shortest_path(State from, State to) const;
    // Graphviz DOT; edges with coverage print their count, untaken ones are dashed.
    std::string to_dot(const EdgeCoverage* coverage = nullptr) const;

private:
    explicit StateGraph(std::vector<StateEdge> edges);
    std::vector<StateEdge> edges_;
};

// Counts the transitions a run takes on the graph, as the trace streams by; transitions
// that are not edges of the graph are kept (each once, in trace order).
class CoverageView final : public TraceView {
public:
    CoverageView(const StateGraph& graph, EdgeCoverage& coverage) : graph_(graph), coverage_(coverage) {}

    void on_event(const TraceEvent& e) override;

    const std::vector<std::pair<State, State>>& off_graph() const { return off_graph_; }

private:
    const StateGraph& graph_;
    EdgeCoverage& coverage_;
    std::vector<std::pair<State, State>> off_graph_;
};

}  // namespace tcpsim
