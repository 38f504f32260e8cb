#include "tcpsim/graph/state_graph.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>

namespace tcpsim {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

std::size_t vertex(State s) { return static_cast<std::size_t>(s); }

std::vector<StateEdge> rfc9293_edges() {
    using S = State;
    return {
        {S::Closed, S::Listen, "passive OPEN", "RFC 9293 3.10.1"},
        {S::Closed, S::SynSent, "active OPEN / send SYN", "RFC 9293 3.10.1"},
        {S::Listen, S::SynReceived, "rcv SYN / send SYN,ACK", "RFC 9293 3.10.7.2"},
        {S::Listen, S::SynSent, "SEND / send SYN", "RFC 9293 3.10.2"},
        {S::Listen, S::Closed, "CLOSE", "RFC 9293 3.10.4"},
        {S::SynSent, S::SynReceived, "rcv SYN / send SYN,ACK", "RFC 9293 3.10.7.3"},
        {S::SynSent, S::Established, "rcv SYN,ACK / send ACK", "RFC 9293 3.10.7.3"},
        {S::SynSent, S::Closed, "CLOSE, RST or timeout", "RFC 9293 3.10.4, 3.10.7.3, 3.8.3"},
        {S::SynReceived, S::Established, "rcv ACK of SYN", "RFC 9293 3.10.7.4"},
        {S::SynReceived, S::Listen, "rcv RST (passive open)", "RFC 9293 3.10.7.4"},
        {S::SynReceived, S::FinWait1, "CLOSE / send FIN", "RFC 9293 3.10.4"},
        {S::SynReceived, S::CloseWait, "rcv FIN", "RFC 9293 3.10.7.4"},
        {S::SynReceived, S::Closed, "RST, ABORT or timeout", "RFC 9293 3.10.7.4, 3.10.5"},
        {S::Established, S::FinWait1, "CLOSE / send FIN", "RFC 9293 3.10.4"},
        {S::Established, S::CloseWait, "rcv FIN / send ACK", "RFC 9293 3.10.7.4"},
        {S::Established, S::Closed, "RST, ABORT or timeout", "RFC 9293 3.10.7.4, 3.10.5"},
        {S::FinWait1, S::FinWait2, "rcv ACK of FIN", "RFC 9293 3.10.7.4"},
        {S::FinWait1, S::Closing, "rcv FIN / send ACK", "RFC 9293 3.10.7.4"},
        {S::FinWait1, S::TimeWait, "rcv FIN,ACK of FIN / send ACK", "RFC 9293 Figure 5 note 2"},
        {S::FinWait1, S::Closed, "RST, ABORT or timeout", "RFC 9293 3.10.7.4, 3.10.5"},
        {S::FinWait2, S::TimeWait, "rcv FIN / send ACK", "RFC 9293 3.10.7.4"},
        {S::FinWait2, S::Closed, "RST or ABORT", "RFC 9293 3.10.7.4, 3.10.5"},
        {S::FinWait2, S::Closed, "timeout (orphan, tcp_fin_timeout)", "RFC 9293 3.6.1, Linux L-ORPHAN-1",
         {Cause::FinWait2Timeout}},
        {S::CloseWait, S::LastAck, "CLOSE / send FIN", "RFC 9293 3.10.4"},
        {S::CloseWait, S::Closed, "RST, ABORT or timeout", "RFC 9293 3.10.7.4, 3.10.5"},
        {S::Closing, S::TimeWait, "rcv ACK of FIN", "RFC 9293 3.10.7.4"},
        {S::Closing, S::Closed, "RST or timeout", "RFC 9293 3.10.7.4"},
        {S::LastAck, S::Closed, "rcv ACK of FIN (or RST, timeout)", "RFC 9293 3.10.7.4"},
        {S::TimeWait, S::Closed, "2MSL timeout (or RST)", "RFC 9293 3.10.8"},
    };
}

}  // namespace

StateGraph::StateGraph(std::vector<StateEdge> edges) : edges_(std::move(edges)) {}

const StateGraph& StateGraph::rfc9293() {
    static const StateGraph graph(rfc9293_edges());
    return graph;
}

bool StateGraph::has_edge(State from, State to) const {
    return std::any_of(edges_.begin(), edges_.end(),
                       [&](const StateEdge& e) { return e.from == from && e.to == to; });
}

std::optional<std::size_t> StateGraph::edge_for(State from, State to, Cause cause) const {
    std::optional<std::size_t> other;
    for (std::size_t i = 0; i < edges_.size(); ++i) {
        const StateEdge& e = edges_[i];
        if (e.from != from || e.to != to) continue;
        if (std::find(e.causes.begin(), e.causes.end(), cause) != e.causes.end()) return i;
        if (e.causes.empty() && !other) other = i;
    }
    return other;
}

std::vector<State> StateGraph::shortest_path(State from, State to) const {
    Graph g(kAllStates.size());
    for (const StateEdge& e : edges_) boost::add_edge(vertex(e.from), vertex(e.to), g);
    std::vector<std::size_t> parent(kAllStates.size());
    for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = i;
    boost::breadth_first_search(
        g, vertex(from),
        boost::visitor(boost::make_bfs_visitor(
            boost::record_predecessors(parent.data(), boost::on_tree_edge()))));
    if (from != to && parent[vertex(to)] == vertex(to)) return {};
    std::vector<State> path;
    for (std::size_t v = vertex(to);; v = parent[v]) {
        path.push_back(kAllStates[v]);
        if (v == vertex(from)) break;
    }
    std::reverse(path.begin(), path.end());
    return path;
}

std::string StateGraph::to_dot(const EdgeCoverage* coverage) const {
    std::string out = "digraph tcp {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n";
    for (State s : kAllStates) out += "  \"" + std::string(rfc_name(s)) + "\";\n";
    for (std::size_t i = 0; i < edges_.size(); ++i) {
        const StateEdge& e = edges_[i];
        std::string label = e.event;
        std::string style;
        if (coverage) {
            auto it = coverage->find(i);
            if (it == coverage->end()) {
                style = ", style=dashed, color=gray";
            } else {
                label += " [" + std::to_string(it->second) + "]";
                style = ", penwidth=2";
            }
        }
        out += "  \"" + std::string(rfc_name(e.from)) + "\" -> \"" + std::string(rfc_name(e.to)) +
               "\" [label=\"" + label + "\"" + style + "];\n";
    }
    out += "}\n";
    return out;
}

void CoverageView::on_event(const TraceEvent& e) {
    if (e.kind != TraceKind::State) return;
    if (const auto edge = graph_.edge_for(e.from, e.to, e.cause)) {
        ++coverage_[*edge];
        return;
    }
    const std::pair<State, State> t{e.from, e.to};
    if (std::find(off_graph_.begin(), off_graph_.end(), t) == off_graph_.end()) off_graph_.push_back(t);
}

}  // namespace tcpsim
