#include <doctest/doctest.h>

#include <filesystem>
#include <variant>

#include "tcpsim/graph/state_graph.hpp"
#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/world/world.hpp"

using namespace tcpsim;

TEST_CASE("the RFC 9293 diagram: the passive closer's shortest way from ESTABLISHED to CLOSED") {
    const StateGraph& g = StateGraph::rfc9293();
    CHECK(g.has_edge(State::FinWait2, State::TimeWait));
    CHECK_FALSE(g.has_edge(State::TimeWait, State::Established));
    const auto path = g.shortest_path(State::CloseWait, State::Closed);
    CHECK(path == std::vector<State>{State::CloseWait, State::Closed});
    const auto active = g.shortest_path(State::FinWait1, State::TimeWait);
    CHECK(active == std::vector<State>{State::FinWait1, State::TimeWait});
    CHECK(g.shortest_path(State::TimeWait, State::Listen) ==
          std::vector<State>{State::TimeWait, State::Closed, State::Listen});
}

TEST_CASE("DOT output marks covered edges with their counts and dashes the rest") {
    const StateGraph& g = StateGraph::rfc9293();
    EdgeCoverage cov{{g.edge_for(State::FinWait2, State::TimeWait, Cause::RcvFin).value(), 3}};
    const std::string dot = g.to_dot(&cov);
    CHECK(dot.find("\"FIN-WAIT-2\" -> \"TIME-WAIT\" [label=\"rcv FIN / send ACK [3]\", penwidth=2]") !=
          std::string::npos);
    CHECK(dot.find("\"CLOSING\" -> \"TIME-WAIT\" [label=\"rcv ACK of FIN\", style=dashed") !=
          std::string::npos);
}

TEST_CASE("every transition the scenario catalogue takes is an edge of the RFC 9293 diagram") {
    namespace fs = std::filesystem;
    EdgeCoverage coverage;
    for (const auto& entry : fs::directory_iterator(fs::path(TCPSIM_SOURCE_DIR) / "scenarios")) {
        if (entry.path().extension() != ".json") continue;
        LoadResult r = load_scenario_file(entry.path().string());
        REQUIRE(std::holds_alternative<Scenario>(r));
        TraceStream stream;
        CoverageView view(StateGraph::rfc9293(), coverage);
        stream.add(view);
        World world(std::get<Scenario>(r), stream);
        world.run();
        for (const auto& [from, to] : view.off_graph())
            FAIL_CHECK(entry.path().filename().string() << ": " << to_string(from) << " -> " << to_string(to));
    }
    const StateGraph& g = StateGraph::rfc9293();
    CHECK(coverage.count(g.edge_for(State::Closing, State::TimeWait, Cause::RcvAckOfFin).value()) == 1);
    CHECK(coverage.count(g.edge_for(State::SynSent, State::SynReceived, Cause::RcvSynSimultaneous).value()) == 1);
    // close_wait_leak's orphaned FIN-WAIT-2 times out: its own edge, not "RST or ABORT".
    const auto timeout = g.edge_for(State::FinWait2, State::Closed, Cause::FinWait2Timeout).value();
    CHECK(timeout != g.edge_for(State::FinWait2, State::Closed, Cause::RcvRst).value());
    CHECK(std::string(g.edges()[timeout].event) == "timeout (orphan, tcp_fin_timeout)");
    CHECK(coverage.count(timeout) == 1);
}
