// tcpsim: run scenario files, check their expectations, list OS profiles.
//
// Exit status: 0 success, 1 an expectation failed (check), 2 bad input or usage.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "tcpsim/graph/state_graph.hpp"
#include "tcpsim/profile/profile.hpp"
#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/trace/trace.hpp"
#include "tcpsim/views/json_lines.hpp"
#include "tcpsim/views/timeline.hpp"
#include "tcpsim/views/verdict.hpp"
#include "tcpsim/world/world.hpp"

namespace fs = std::filesystem;
using namespace tcpsim;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

struct CommonOptions {
    std::vector<std::string> sets;
    std::optional<std::uint64_t> seed;

    std::vector<std::string> overrides() const {
        std::vector<std::string> o = sets;
        if (seed) o.push_back("/seed=" + std::to_string(*seed));
        return o;
    }
};

void add_common(CLI::App* cmd, CommonOptions& opts) {
    cmd->add_option("--seed", opts.seed, "Seed for every random stream (overrides /seed)");
    cmd->add_option("--set", opts.sets,
                    "Override a scenario field: PATH=VALUE, PATH a JSON pointer (/links/0/delay) "
                    "or dotted (links.0.delay); VALUE is JSON or a plain string")
        ->type_name("PATH=VALUE");
}

std::string cap_message(const TraceSummary& s) {
    switch (s.end) {
        case RunEnd::TimeCap:
            return "the run was stopped by the simulated-time cap at " + format_seconds(s.end_time) +
                   " s; set /duration or raise /limits/time";
        case RunEnd::EventCap:
            return "the run was stopped by the event cap after " + std::to_string(s.events_run) +
                   " events; raise /limits/events";
        case RunEnd::Quiescent:
        case RunEnd::DurationReached:
            return {};
    }
    return {};
}

int cmd_run(const std::string& file, const CommonOptions& opts, bool json) {
    LoadResult loaded = load_scenario_file(file, opts.overrides());
    if (auto* err = std::get_if<UserError>(&loaded)) {
        std::cerr << "tcpsim: " << err->message() << "\n";
        return kExitBadInput;
    }
    const Scenario& scenario = std::get<Scenario>(loaded);
    Trace trace;
    World world(scenario, trace);
    const TraceSummary summary = world.run();
    if (json)
        write_json_lines(trace, std::cout);
    else
        write_timeline(trace, std::cout);
    std::cout.flush();
    if (const std::string m = cap_message(summary); !m.empty())
        std::cerr << "tcpsim: " << file << ": " << m << "\n";
    return kExitOk;
}

// Files given directly, and every *.json in given directories (sorted, not recursive).
std::vector<std::string> collect(const std::vector<std::string>& inputs, bool& missing) {
    std::vector<std::string> files;
    for (const std::string& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::directory_iterator(in, ec))
                if (e.is_regular_file() && e.path().extension() == ".json") found.push_back(e.path().string());
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(in, ec)) {
            files.push_back(in);
        } else {
            std::cerr << "tcpsim: " << in << ": no such file or directory\n";
            missing = true;
        }
    }
    return files;
}

int cmd_check(const std::vector<std::string>& inputs, const CommonOptions& opts) {
    bool bad_input = false;
    const std::vector<std::string> files = collect(inputs, bad_input);
    int passed = 0;
    int failed = 0;
    for (const std::string& file : files) {
        LoadResult loaded = load_scenario_file(file, opts.overrides());
        if (auto* err = std::get_if<UserError>(&loaded)) {
            std::cout << "ERROR " << file << "\n      " << err->message() << "\n";
            bad_input = true;
            ++failed;
            continue;
        }
        const Scenario& scenario = std::get<Scenario>(loaded);
        Trace trace;
        World world(scenario, trace);
        const TraceSummary summary = world.run();
        const std::vector<ExpectationResult> results = check_expectations(scenario, trace);
        const bool expects_cap = std::any_of(scenario.expectations.begin(), scenario.expectations.end(),
                                             [](const Expectation& e) { return e.kind == ExpectKind::RunEnd; });
        const std::string cap = expects_cap ? std::string() : cap_message(summary);
        const auto failures = std::count_if(results.begin(), results.end(),
                                            [](const ExpectationResult& r) { return !r.passed; });
        const bool ok = failures == 0 && cap.empty();
        std::cout << (ok ? "PASS  " : "FAIL  ") << scenario.name << "  (" << results.size()
                  << " expectations, " << file << ")\n";
        for (const ExpectationResult& r : results) {
            if (r.passed) continue;
            std::cout << "      " << r.expectation->pointer << ": expected " << r.expected
                      << ", actual " << r.actual;
            if (!r.expectation->description.empty()) std::cout << "  (" << r.expectation->description << ")";
            std::cout << "\n";
        }
        if (!cap.empty()) std::cout << "      " << cap << "\n";
        ok ? ++passed : ++failed;
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    if (bad_input) return kExitBadInput;
    return failed > 0 ? kExitFailed : kExitOk;
}

int cmd_graph(const std::vector<std::string>& inputs, const CommonOptions& opts) {
    const StateGraph& graph = StateGraph::rfc9293();
    if (inputs.empty()) {
        std::cout << graph.to_dot();
        return kExitOk;
    }
    bool bad_input = false;
    EdgeCoverage coverage;
    for (const std::string& file : collect(inputs, bad_input)) {
        LoadResult loaded = load_scenario_file(file, opts.overrides());
        if (auto* err = std::get_if<UserError>(&loaded)) {
            std::cerr << "tcpsim: " << err->message() << "\n";
            bad_input = true;
            continue;
        }
        Trace trace;
        World world(std::get<Scenario>(loaded), trace);
        world.run();
        for (const auto& [from, to] : cover(graph, trace, coverage))
            std::cerr << "tcpsim: " << file << ": transition " << to_string(from) << " -> "
                      << to_string(to) << " is not in the RFC 9293 diagram\n";
    }
    std::cout << graph.to_dot(&coverage);
    std::size_t covered = 0;
    for (const StateEdge& e : graph.edges()) covered += coverage.count({e.from, e.to});
    std::cerr << "tcpsim: " << covered << " of " << graph.edges().size()
              << " transitions of the RFC 9293 diagram covered\n";
    return bad_input ? kExitBadInput : kExitOk;
}

int cmd_profiles() {
    for (const ProfileRules& p : all_profiles()) {
        std::cout << p.name << ": " << p.description << "\n";
        for (const KnobInfo& k : all_knobs())
            std::cout << "    " << k.name << " = " << knob_value(p, k.name) << "    # " << k.meaning << "\n";
        std::cout << "\n";
    }
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"tcpsim: a deterministic TCP state-machine simulator for teardown, TIME_WAIT and friends"};
    app.require_subcommand(1);

    CommonOptions run_opts;
    std::string run_file;
    bool json = false;
    CLI::App* run = app.add_subcommand("run", "Run a scenario and print its timeline");
    run->add_option("FILE", run_file, "Scenario file (JSON)")->required();
    run->add_flag("--json", json, "Write JSON lines (one object per event) instead of the timeline");
    add_common(run, run_opts);

    CommonOptions check_opts;
    std::vector<std::string> check_inputs;
    CLI::App* check = app.add_subcommand("check", "Run scenarios and check their expectations (exit 1 on failure)");
    check->add_option("FILES", check_inputs, "Scenario files or directories of *.json")->required();
    add_common(check, check_opts);

    CLI::App* profiles = app.add_subcommand("profiles", "List OS profiles with every knob and its default");

    CommonOptions graph_opts;
    std::vector<std::string> graph_inputs;
    CLI::App* graph = app.add_subcommand(
        "graph", "Write the RFC 9293 state diagram as Graphviz DOT; with scenarios, mark the transitions they cover");
    graph->add_option("FILES", graph_inputs, "Scenario files or directories of *.json");
    add_common(graph, graph_opts);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitBadInput;
    }
    if (*run) return cmd_run(run_file, run_opts, json);
    if (*check) return cmd_check(check_inputs, check_opts);
    if (*profiles) return cmd_profiles();
    if (*graph) return cmd_graph(graph_inputs, graph_opts);
    return kExitBadInput;
}
