// tcpsim: run scenario files, check their expectations, list OS profiles, draw the state
// graph.
//
// Exit status: 0 success, 1 an expectation failed (check), 2 bad input or usage,
// 3 internal error (a bug in tcpsim), 4 the output could not be written.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "output.hpp"
#include "tcpsim/graph/state_graph.hpp"
#include "tcpsim/profile/profile.hpp"
#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/trace/sink.hpp"
#include "tcpsim/views/escape.hpp"
#include "tcpsim/views/json_lines.hpp"
#include "tcpsim/views/pcap.hpp"
#include "tcpsim/views/metrics.hpp"
#include "tcpsim/views/html_report.hpp"
#include "tcpsim/views/ladder.hpp"
#include "tcpsim/views/ladder_svg.hpp"
#include "tcpsim/views/ladder_text.hpp"
#include "tcpsim/views/timeline.hpp"
#include "tcpsim/views/verdict.hpp"
#include "tcpsim/world/world.hpp"

namespace fs = std::filesystem;
using namespace tcpsim;
using tcpsim::cli::Output;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 3;
constexpr int kExitOutput = 4;

void error(const std::string& message) { std::cerr << "tcpsim: " << terminal_safe(message) << "\n"; }

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

// Writes what was buffered; reports and returns false when the output was lost.
bool finish_output(Output& out) {
    if (out.close()) return true;
    error(out.error_message());
    return false;
}

struct RunOptions {
    CommonOptions common;
    std::string file;
    bool json = false;
    bool absolute = false;
    bool explain = false;
    std::string color = "auto";
    std::string host;
    std::string socket;
    std::string from;
    std::string until;
    std::string pcap;
    std::string pcap_dir;
    std::string pcap_host;
    std::string metrics;      // CSV file
    std::string metrics_svg;  // SVG file
    std::string metrics_interval;
    bool ladder = false;
    std::string svg;
    std::string html;
    std::size_t ladder_segments = LadderOptions{}.max_segments;
    std::string ladder_chars = "auto";
};

std::optional<Time> parse_time_option(const std::string& name, const std::string& text, bool& bad) {
    if (text.empty()) return std::nullopt;
    const auto d = parse_duration(text);
    if (!d) {
        error(name + " " + text + ": expected a time such as \"1.5s\"");
        bad = true;
        return std::nullopt;
    }
    return Time{} + *d;
}

bool want_color(const std::string& mode) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    const char* term = std::getenv("TERM");
    return ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR") && !(term && std::string_view(term) == "dumb");
}

// The captures --pcap or --pcap-dir ask for, or the exit status of a bad request: --pcap
// is taken at --pcap-host, else at --host (the host the user is looking at), else at the
// first host; --pcap-dir holds every host's, DIR/<host>.pcap.
std::variant<std::vector<PcapCapture>, int> pcap_captures(const RunOptions& o, const TraceNames& names) {
    std::vector<PcapCapture> captures;
    if (!o.pcap.empty()) {
        const std::string& host = !o.pcap_host.empty() ? o.pcap_host : o.host;
        std::uint16_t index = 0;
        if (!host.empty()) {
            const auto found = names.find_host(host);
            if (!found) {
                error("--pcap-host " + host + ": no host of that name in " + o.file);
                return kExitBadInput;
            }
            index = *found;
        }
        captures.push_back({index, o.pcap});
    }
    if (!o.pcap_dir.empty()) {
        std::error_code ec;
        fs::create_directories(o.pcap_dir, ec);
        if (ec) {
            error("cannot write " + o.pcap_dir + ": " + ec.message());
            return kExitOutput;
        }
        for (std::size_t h = 0; h < names.hosts.size(); ++h)
            captures.push_back(
                {static_cast<std::uint16_t>(h), (fs::path(o.pcap_dir) / (names.hosts[h].name + ".pcap")).string()});
    }
    return captures;
}

// Box drawing on a terminal whose locale is UTF-8 (the first of LC_ALL, LC_CTYPE, LANG set).
bool want_unicode(const std::string& mode) {
    if (mode == "unicode") return true;
    if (mode == "ascii") return false;
    if (!::isatty(STDOUT_FILENO)) return false;
    for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
        const char* v = std::getenv(name);
        if (!v || !*v) continue;
        std::string value(v);
        std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
        return value.find("utf-8") != std::string::npos || value.find("utf8") != std::string::npos;
    }
    return false;
}

int cmd_run(const RunOptions& o) {
    LoadResult loaded = load_scenario_file(o.file, o.common.overrides());
    if (auto* err = std::get_if<UserError>(&loaded)) {
        error(err->message());
        return kExitBadInput;
    }
    const Scenario& scenario = std::get<Scenario>(loaded);
    bool bad = false;
    TimelineOptions topt;
    topt.absolute = o.absolute;
    topt.explain = o.explain;
    topt.color = want_color(o.color);
    topt.host = o.host;
    topt.socket = o.socket;
    topt.from = parse_time_option("--from", o.from, bad);
    topt.until = parse_time_option("--until", o.until, bad);
    if (bad) return kExitBadInput;
    MetricsOptions mopt;
    mopt.host = o.host;
    mopt.from = topt.from;
    mopt.until = topt.until;
    const bool metrics_wanted = !o.metrics.empty() || !o.metrics_svg.empty();
    if (!o.metrics_interval.empty()) {
        const auto d = parse_duration(o.metrics_interval);
        if (!metrics_wanted) {
            error("--metrics-interval needs --metrics FILE or --metrics-svg FILE");
            return kExitBadInput;
        }
        if (!d) {
            error("--metrics-interval " + o.metrics_interval + ": expected a duration such as \"100ms\" or \"1s\"");
            return kExitBadInput;
        }
        if (*d == Duration{}) {
            error("--metrics-interval " + o.metrics_interval +
                  ": expected a duration greater than 0 (a sample every 0 s never moves on), such as \"100ms\"");
            return kExitBadInput;
        }
        mopt.interval = *d;
    }

    LadderOptions lopt;
    lopt.max_segments = o.ladder_segments;
    lopt.host = o.host;
    lopt.socket = o.socket;
    lopt.from = topt.from;
    lopt.until = topt.until;

    Output out = Output::standard();
    // Opened before the run, so a path that cannot be written fails at once.
    std::optional<Output> svg;
    if (!o.svg.empty()) {
        svg = Output::file(o.svg);
        if (!svg->ok() && !finish_output(*svg)) return kExitOutput;
    }
    std::optional<Output> html;
    if (!o.html.empty()) {
        html = Output::file(o.html);
        if (!html->ok() && !finish_output(*html)) return kExitOutput;
    }
    TraceStream stream;
    TimelineView timeline(out.stream(), topt);
    JsonLinesView json(out.stream());
    LadderView ladder(lopt);
    if (o.json)
        stream.add(json);
    else if (!o.ladder)
        stream.add(timeline);
    if (o.ladder || !o.svg.empty() || !o.html.empty()) stream.add(ladder);
    World world(scenario, stream);
    if (!o.host.empty() && !stream.names().find_host(o.host)) {
        error("--host " + o.host + ": no host of that name in " + o.file);
        return kExitBadInput;
    }
    if (!o.socket.empty() && !stream.names().parse_socket(o.socket)) {
        error("--socket " + o.socket + ": no socket of that name in " + o.file +
              " (socket names as the scenario writes them: \"s\", \"s.2\", \"s.*\")");
        return kExitBadInput;
    }
    std::optional<PcapView> pcap;
    if (!o.pcap.empty() || !o.pcap_dir.empty()) {
        auto captures = pcap_captures(o, stream.names());
        if (const int* status = std::get_if<int>(&captures)) return *status;
        // The capture host is the filter's host; the socket and the time window narrow it.
        pcap.emplace(std::get<std::vector<PcapCapture>>(captures),
                     EventFilterOptions{{}, o.socket, topt.from, topt.until});
        if (const auto problems = pcap->errors(); !problems.empty()) {
            for (const std::string& p : problems) error(p);
            return kExitOutput;
        }
        stream.add(*pcap);
    }
    // Opened once the filters are known good, so a usage error leaves no empty file behind.
    std::optional<Output> metrics_csv;
    std::optional<Output> metrics_svg;
    for (auto [path, file] : {std::pair{&o.metrics, &metrics_csv}, std::pair{&o.metrics_svg, &metrics_svg}}) {
        if (path->empty()) continue;
        file->emplace(Output::file(*path));
        if (!(*file)->ok()) {
            error((*file)->error_message());
            return kExitOutput;
        }
    }
    std::optional<MetricsView> metrics;
    if (metrics_wanted) {
        metrics.emplace(mopt, metrics_csv ? &metrics_csv->stream() : nullptr, metrics_svg.has_value());
        stream.add(*metrics);
    }
    const TraceSummary summary = world.run();
    if (o.ladder) {
        LadderTextOptions text;
        text.unicode = want_unicode(o.ladder_chars);
        write_ladder_text(out.stream(), ladder.ladder(), text);
    }
    bool written = finish_output(out);
    if (pcap) {
        for (const std::string& p : pcap->errors()) error(p);
        written = written && pcap->errors().empty();
    }
    if (svg) {
        LadderSvgOptions page;
        page.title = scenario.name;
        page.description = scenario.description;
        write_ladder_svg(svg->stream(), ladder.ladder(), page);
        written = finish_output(*svg) && written;
    }
    if (html) {
        write_html_report(html->stream(), ladder.ladder(), {scenario.name, scenario.description});
        written = finish_output(*html) && written;
    }
    if (metrics_svg) metrics->write_svg(metrics_svg->stream(), scenario.name);
    for (std::optional<Output>* file : {&metrics_csv, &metrics_svg})
        if (*file && !finish_output(**file)) written = false;
    if (!written) return kExitOutput;
    if (!ladder.ladder().capped.empty()) error(ladder.ladder().capped);
    if (const std::string m = cap_message(summary); !m.empty()) error(o.file + ": " + m);
    if (metrics && !metrics->cap_problem().empty()) {
        error(metrics->cap_problem());
        return kExitBadInput;
    }
    return kExitOk;
}

// Files given directly, and every *.json in given directories (sorted, not recursive).
std::vector<std::string> collect(const std::vector<std::string>& inputs, bool& bad) {
    std::vector<std::string> files;
    for (const std::string& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::directory_iterator(in, ec))
                if (e.is_regular_file() && e.path().extension() == ".json") found.push_back(e.path().string());
            if (found.empty()) {
                error(in + ": no scenario files (*.json) in this directory");
                bad = true;
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (in == "-" || fs::exists(in, ec)) {
            files.push_back(in);
        } else {
            error(in + ": no such file or directory");
            bad = true;
        }
    }
    return files;
}

int cmd_check(const std::vector<std::string>& inputs, const CommonOptions& opts) {
    bool bad_input = false;
    const std::vector<std::string> files = collect(inputs, bad_input);
    Output out = Output::standard();
    std::ostream& os = out.stream();
    int passed = 0;
    int failed = 0;
    for (const std::string& given : files) {
        const std::string file = given == "-" ? std::string(kStdinLabel) : given;
        LoadResult loaded = load_scenario_file(given, opts.overrides());
        if (auto* err = std::get_if<UserError>(&loaded)) {
            os << "ERROR " << terminal_safe(file) << "\n      " << terminal_safe(err->message()) << "\n";
            bad_input = true;
            ++failed;
            continue;
        }
        const Scenario& scenario = std::get<Scenario>(loaded);
        TraceStream stream;
        ExpectationsView verdict(scenario);
        stream.add(verdict);
        World world(scenario, stream);
        const TraceSummary summary = world.run();
        const std::vector<ExpectationResult>& results = verdict.results();
        const bool expects_cap = std::any_of(scenario.expectations.begin(), scenario.expectations.end(),
                                             [](const Expectation& e) { return e.kind == ExpectKind::RunEnd; });
        const std::string cap = expects_cap ? std::string() : cap_message(summary);
        const auto failures =
            std::count_if(results.begin(), results.end(), [](const ExpectationResult& r) { return !r.passed; });
        const bool ok = failures == 0 && cap.empty();
        os << (ok ? "PASS  " : "FAIL  ") << terminal_safe(scenario.name) << "  (" << results.size()
           << " expectations, " << terminal_safe(file) << ")\n";
        for (const ExpectationResult& r : results) {
            if (r.passed) continue;
            os << "      " << r.expectation->pointer << ": expected " << terminal_safe(r.expected) << ", actual "
               << terminal_safe(r.actual);
            if (!r.expectation->description.empty()) os << "  (" << terminal_safe(r.expectation->description) << ")";
            os << "\n";
        }
        if (!cap.empty()) os << "      " << cap << "\n";
        ok ? ++passed : ++failed;
    }
    os << passed << " passed, " << failed << " failed\n";
    if (!finish_output(out)) return kExitOutput;
    if (bad_input) return kExitBadInput;
    return failed > 0 ? kExitFailed : kExitOk;
}

int cmd_graph(const std::vector<std::string>& inputs, const CommonOptions& opts) {
    const StateGraph& graph = StateGraph::rfc9293();
    Output out = Output::standard();
    if (inputs.empty()) {
        out.stream() << graph.to_dot();
        return finish_output(out) ? kExitOk : kExitOutput;
    }
    bool bad_input = false;
    EdgeCoverage coverage;
    for (const std::string& file : collect(inputs, bad_input)) {
        LoadResult loaded = load_scenario_file(file, opts.overrides());
        if (auto* err = std::get_if<UserError>(&loaded)) {
            error(err->message());
            bad_input = true;
            continue;
        }
        TraceStream stream;
        CoverageView view(graph, coverage);
        stream.add(view);
        World world(std::get<Scenario>(loaded), stream);
        world.run();
        for (const auto& [from, to] : view.off_graph())
            error(file + ": transition " + std::string(to_string(from)) + " -> " + std::string(to_string(to)) +
                  " is not in the RFC 9293 diagram");
    }
    out.stream() << graph.to_dot(&coverage);
    if (!finish_output(out)) return kExitOutput;
    std::cerr << "tcpsim: " << coverage.size() << " of " << graph.edges().size()
              << " transitions of the RFC 9293 diagram covered\n";
    return bad_input ? kExitBadInput : kExitOk;
}

int cmd_profiles() {
    Output out = Output::standard();
    for (const ProfileRules& p : all_profiles()) {
        out.stream() << p.name << ": " << p.description << "\n";
        for (const KnobInfo& k : all_knobs()) {
            if (const AbsentKnob* a = absent_knob(p, k.name))
                out.stream() << "    " << k.name << "    # not in this kernel: " << a->why << "\n";
            else
                out.stream() << "    " << k.name << " = " << knob_value(p, k.name) << "    # " << k.meaning << "\n";
        }
        out.stream() << "\n";
    }
    return finish_output(out) ? kExitOk : kExitOutput;
}

int run_cli(int argc, char** argv) {
    CLI::App app{"tcpsim: a deterministic TCP state-machine simulator for teardown, TIME_WAIT and friends"};
    app.require_subcommand(1);

    RunOptions run_opts;
    CLI::App* run = app.add_subcommand("run", "Run a scenario and print its timeline");
    run->add_option("FILE", run_opts.file, "Scenario file (JSON); - reads standard input")->required();
    CLI::Option* json_flag =
        run->add_flag("--json", run_opts.json, "Write JSON lines (one object per event) instead of the timeline");
    run->add_flag("--absolute", run_opts.absolute,
                  "Show raw sequence numbers (default: relative, each direction's ISN is 0)");
    run->add_flag("--explain", run_opts.explain,
                  "After each state change and decision, say why in one sentence, with the rule behind it");
    run->add_option("--color", run_opts.color, "Colour the timeline: auto (on a terminal), always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    run->add_option("--host", run_opts.host, "Only the events of this host");
    run->add_option("--socket", run_opts.socket, "Only the events of this socket (\"s\", \"s.2\", \"s.*\")");
    run->add_option("--from", run_opts.from, "Only events at or after this time (\"1.5s\")");
    run->add_option("--until", run_opts.until, "Only events at or before this time");
    CLI::Option* pcap = run->add_option(
        "--pcap", run_opts.pcap,
        "Also write a capture (pcap, for Wireshark) of what one host sent and received: --pcap-host, else "
        "--host, else the first host");
    pcap->type_name("FILE");
    run->add_option("--pcap-dir", run_opts.pcap_dir,
                    "Also write one capture per host, DIR/<host>.pcap (DIR is created if missing)")
        ->type_name("DIR")
        ->excludes(pcap);
    run->add_option("--pcap-host", run_opts.pcap_host, "The host whose capture --pcap writes")
        ->type_name("NAME")
        ->needs(pcap);
    run->add_option("--metrics", run_opts.metrics,
                    "Write per-host metrics as CSV: connections per state, ephemeral ports in use, failed "
                    "connect() calls by errno, counters; one row per sample")
        ->type_name("FILE");
    run->add_option("--metrics-svg", run_opts.metrics_svg,
                    "Write an SVG line plot of connections per state and ports in use over simulated time")
        ->type_name("FILE");
    run->add_option("--metrics-interval", run_opts.metrics_interval,
                    "Sample the metrics every D of simulated time (default 1s)")
        ->type_name("D");
    CLI::Option* ladder_flag =
        run->add_flag("--ladder", run_opts.ladder,
                      "Draw a ladder (sequence) diagram instead of the timeline: a column per host, "
                      "an arrow per segment, states beside the columns");
    run->add_option("--svg", run_opts.svg, "Write the ladder diagram as SVG to this file")->type_name("FILE");
    run->add_option("--html", run_opts.html,
                    "Write a step-through report as one self-contained HTML file: the ladder, the explanation "
                    "of each step and every socket's state over time")
        ->type_name("FILE");
    run->add_option("--ladder-segments", run_opts.ladder_segments,
                    "Draw at most this many segments in the ladder and the HTML report (default 2000)")
        ->check(CLI::PositiveNumber);
    run->add_option("--ladder-chars", run_opts.ladder_chars,
                    "Ladder characters: auto (box drawing on a UTF-8 terminal), ascii or unicode")
        ->check(CLI::IsMember({"auto", "ascii", "unicode"}));
    ladder_flag->excludes(json_flag);
    add_common(run, run_opts.common);

    CommonOptions check_opts;
    std::vector<std::string> check_inputs;
    CLI::App* check = app.add_subcommand("check", "Run scenarios and check their expectations (exit 1 on failure)");
    check->add_option("FILES", check_inputs, "Scenario files or directories of *.json; - reads standard input")
        ->required();
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
        Output out = Output::standard();
        app.exit(e, out.stream(), std::cerr);
        return finish_output(out) ? kExitOk : kExitOutput;
    } catch (const CLI::CallForAllHelp& e) {
        Output out = Output::standard();
        app.exit(e, out.stream(), std::cerr);
        return finish_output(out) ? kExitOk : kExitOutput;
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitBadInput;
    }
    if (*run) return cmd_run(run_opts);
    if (*check) return cmd_check(check_inputs, check_opts);
    if (*profiles) return cmd_profiles();
    if (*graph) return cmd_graph(graph_inputs, graph_opts);
    return kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run_cli(argc, argv);
    } catch (const std::bad_alloc&) {
        std::cerr << "tcpsim: internal error: out of memory\n";
        return kExitInternal;
    } catch (const std::exception& e) {
        std::cerr << "tcpsim: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
}
