// Builds a world (engine, hosts, network, applications) from a scenario and runs it,
// writing every event to a trace sink.
//
//   Trace trace;
//   World world(scenario, trace);  // scenario outlives world
//   TraceSummary s = world.run();
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/host/host.hpp"
#include "tcpsim/host/stream_ledger.hpp"
#include "tcpsim/link/network.hpp"
#include "tcpsim/scenario/scenario.hpp"
#include "tcpsim/trace/trace.hpp"
#include "tcpsim/world/scripted_app.hpp"

namespace tcpsim {

class World {
public:
    // `scenario` must outlive the world: applications refer into it for the whole run.
    // Not copied, since a long script is most of a run's memory.
    World(const Scenario& scenario, TraceSink& trace);
    World(Scenario&&, TraceSink&) = delete;  // a temporary would not outlive the world
    World(const World&) = delete;
    World& operator=(const World&) = delete;
    ~World();

    // Runs until nothing is left to do, the scenario's duration, or a safety cap.
    TraceSummary run();

    Engine& engine() { return engine_; }
    Host& host(std::size_t index) { return *hosts_[index]; }

private:
    const Scenario& scenario_;
    TraceSink& trace_;
    Engine engine_;
    StreamLedger ledger_;
    Network network_;
    std::map<std::string, Host*> host_index_;  // by name
    std::vector<std::unique_ptr<Host>> hosts_;
    std::vector<std::unique_ptr<ScriptedApp>> apps_;
};

}  // namespace tcpsim
