#include "tcpsim/world/world.hpp"

#include <algorithm>

namespace tcpsim {

World::World(const Scenario& scenario, TraceSink& trace)
    : scenario_(scenario), trace_(trace), network_(engine_, trace, scenario.seed) {
    network_.set_stream_ledger(ledger_);
    std::vector<TraceHost> trace_hosts;
    std::map<std::string, NodeId> nodes;  // hosts and NATs share one namespace
    for (const HostConfig& hc : scenario_.hosts) {
        const auto i = static_cast<std::uint16_t>(hosts_.size());
        HostSetup setup{i, hc.name, hc.address, hc.rules, hc.isn, hc.timestamp_offset, scenario.seed};
        hosts_.push_back(std::make_unique<Host>(setup, engine_, trace_, network_, ledger_));
        network_.add_host(*hosts_.back());
        host_index_[hc.name] = hosts_.back().get();
        nodes[hc.name] = NodeId::host(i);
        trace_hosts.push_back({hc.name, hc.address, hc.rules.name});
    }
    trace_.set_hosts(std::move(trace_hosts));
    // Every socket name the scripts use is known before the run starts.
    for (const AppConfig& a : scenario_.apps) {
        for (const AppAction& act : a.actions) {
            if (!act.socket.empty()) trace_.intern_socket(act.socket);
            if (act.setup && !act.setup->accept_as.empty()) trace_.intern_socket(act.setup->accept_as);
        }
    }
    for (const NatConfig& n : scenario_.nats) nodes[n.name] = network_.add_nat(n);
    for (const LinkConfig& l : scenario_.links)
        network_.add_link(nodes.at(l.a), nodes.at(l.b), l.a_to_b, l.b_to_a);
    for (const FaultConfig& f : scenario_.faults) network_.add_fault(f);
    for (const AppConfig& a : scenario_.apps) {
        Host& h = *hosts_[nodes.at(a.host).index];
        apps_.push_back(std::make_unique<ScriptedApp>(a, h, engine_, host_index_));
        h.set_app(apps_.back().get());
    }
}

World::~World() = default;

TraceSummary World::run() {
    trace_.begin();
    for (auto& app : apps_) app->start();
    const Limits& lim = scenario_.limits;
    const Time until = lim.duration ? std::min(*lim.duration, lim.time_cap) : lim.time_cap;
    const StopReason why = engine_.run(until, lim.event_cap);
    TraceSummary s;
    s.events_run = engine_.events_run();
    switch (why) {
        case StopReason::QueueEmpty:
            s.end = RunEnd::Quiescent;
            s.end_time = engine_.now();
            break;
        case StopReason::TimeLimit:
            s.end = lim.duration && *lim.duration <= lim.time_cap ? RunEnd::DurationReached
                                                                  : RunEnd::TimeCap;
            s.end_time = until;
            break;
        case StopReason::EventLimit:
            s.end = RunEnd::EventCap;
            s.end_time = engine_.now();
            break;
    }
    trace_.finish(s);
    return s;
}

}  // namespace tcpsim
