#include "tcpsim/views/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "tcpsim/views/escape.hpp"
#include "tcpsim/views/ladder_svg.hpp"

namespace tcpsim {
namespace {

// The state bands: a row per socket, time going right. Quiet stretches are drawn short,
// as in the ladder, so a 60 s TIME_WAIT does not squash a 10 ms handshake.
constexpr double kBandRow = 20;
constexpr double kBandHeight = 15;
constexpr double kTypicalGap = 24;  // a typical delay
constexpr double kMinGap = 8;
constexpr double kQuietGap = 30;
constexpr double kAxis = 22;

// What the page's script needs; its hash is in the Content-Security-Policy, so editing
// the script means updating kScriptHash (tests/html_report_test.py prints the new one).
constexpr std::string_view kScript = R"js(
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("tcpsim-data").textContent);
  const steps = data.steps;
  const $ = (id) => document.getElementById(id);
  // Every ladder element drawn for a step, with the steps it shows.
  const drawn = [...document.querySelectorAll("#ladder [data-step]")].map((el) => {
    const list = (el.getAttribute("data-steps") || el.getAttribute("data-step")).split(" ").map(Number);
    return { el, list, first: list[0] };
  });
  const spans = [...document.querySelectorAll("#bands [data-start]")].map((el) => ({
    el, start: Number(el.getAttribute("data-start")),
  }));
  const pane = $("ladder");
  const svg = pane.querySelector("svg");
  // A band behind the current step's row, over the picture's white background.
  const hosts = [...pane.querySelectorAll("g.host")];
  const rows = svg ? svg.getAttribute("data-rows").split(" ").map(Number) : [];
  const row = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  row.setAttribute("class", "now-row");
  if (svg) svg.querySelector(":scope > rect").after(row);
  // A ladder a little wider than its pane is shrunk to fit; a much wider one scrolls.
  const fit = () => svg && svg.classList.toggle("fit", svg.width.baseVal.value * 0.75 <= pane.clientWidth);
  let current = 0;
  let playing = null;

  // A band's state after step k: its last change at or before k.
  const stateAfter = (band, k) => {
    let lo = 0;
    let hi = band.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (band.changes[mid][0] <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? band.changes[lo - 1][1] : band.initial;
  };

  const showStates = (k) => {
    const list = $("states");
    list.replaceChildren();
    for (const band of data.bands) {
      const state = stateAfter(band, k);
      if (state === null) continue;
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.className = "band-label";
      label.textContent = band.label;
      const chip = document.createElement("span");
      chip.className = "band-state";
      chip.textContent = state;
      chip.style.background = data.fills[state] || "#fff";
      li.append(label, chip);
      if (band.changes.some((c) => c[0] === k)) li.className = "changed";
      list.append(li);
    }
  };

  const show = (k) => {
    if (steps.length === 0) return;
    current = Math.max(0, Math.min(steps.length - 1, k));
    const s = steps[current];
    $("step-number").textContent = `Step ${current + 1} of ${steps.length}`;
    $("step-time").textContent = `${s.t} s`;
    $("step-host").textContent = s.socket ? `${s.host} ${s.socket}` : s.host;
    $("step-kind").textContent = s.kind;
    $("step-text").textContent = s.text;
    $("step-explanation").textContent = s.explanation;
    $("step-rule").textContent = s.rule ? `Rule: ${s.rule}` : "";
    showStates(current);
    for (const d of drawn) {
      d.el.classList.toggle("current", d.list.includes(current));
      d.el.classList.toggle("future", d.first > current);
    }
    for (const span of spans) span.el.classList.toggle("future", span.start > current);
    const cursor = $("cursor");
    cursor.setAttribute("x1", s.x);
    cursor.setAttribute("x2", s.x);
    if (svg && rows.length > current) {
      const y = rows[current];
      row.setAttribute("x", 0);
      row.setAttribute("y", y - 10);
      row.setAttribute("width", svg.getAttribute("width"));
      row.setAttribute("height", 20);
      // The row in the pane's pixels (the picture may be shrunk to fit).
      const scale = svg.getBoundingClientRect().height / svg.height.baseVal.value;
      const top = svg.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
      const at = top + y * scale;
      if (at < pane.scrollTop + 60 || at > pane.scrollTop + pane.clientHeight - 60)
        pane.scrollTop = at - pane.clientHeight / 2;
      // And across, to the host's line, when the ladder is wider than its pane.
      const line = hosts.find((h) => h.getAttribute("data-host") === s.host);
      if (line) {
        const x = Number(line.querySelector("text").getAttribute("x")) * scale;
        if (x < pane.scrollLeft + 60 || x > pane.scrollLeft + pane.clientWidth - 60)
          pane.scrollLeft = x - pane.clientWidth / 2;
      }
    }
    const changed = $("states").querySelector(".changed");
    if (changed) changed.scrollIntoView({ block: "nearest" });
    const bands = $("bands");
    if (s.x < bands.scrollLeft + 40 || s.x > bands.scrollLeft + bands.clientWidth - 40)
      bands.scrollLeft = s.x - bands.clientWidth / 2;
    history.replaceState(null, "", `#step=${current + 1}`);
  };

  const stop = () => {
    clearInterval(playing);
    playing = null;
    $("play").textContent = "\u25b6 Play";
  };
  const play = () => {
    if (playing) return stop();
    if (current >= steps.length - 1) show(0);
    $("play").textContent = "\u275a\u275a Pause";
    playing = setInterval(() => (current >= steps.length - 1 ? stop() : show(current + 1)), 900);
  };
  const fromHash = () => {
    const m = /^#step=(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) - 1 : 0;
  };

  $("first").addEventListener("click", () => show(0));
  $("back").addEventListener("click", () => show(current - 1));
  $("play").addEventListener("click", play);
  $("next").addEventListener("click", () => show(current + 1));
  $("last").addEventListener("click", () => show(steps.length - 1));
  for (const d of drawn) d.el.addEventListener("click", () => show(d.first));
  for (const span of spans) if (span.start >= 0) span.el.addEventListener("click", () => show(span.start));
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    // A focused button takes Space and Enter itself.
    if (ev.target instanceof HTMLButtonElement && (ev.key === " " || ev.key === "Enter")) return;
    const keys = {
      ArrowRight: () => show(current + 1),
      ArrowLeft: () => show(current - 1),
      " ": play,
      Home: () => show(0),
      End: () => show(steps.length - 1),
    };
    if (!keys[ev.key]) return;
    ev.preventDefault();
    keys[ev.key]();
  });
  window.addEventListener("hashchange", () => show(fromHash()));
  window.addEventListener("resize", () => {
    fit();
    show(current);
  });
  fit();
  show(fromHash());
})();
)js";
constexpr std::string_view kScriptHash = "sha256-S7HayR0iKMo+DWeh3q6KbtlT5ijH4zj+ovWwheYoQEI=";

constexpr std::string_view kStyle = R"css(
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; background: #f4f6f8; color: #1f2d3d;
  font: 15px/1.45 "DejaVu Sans", Verdana, Arial, sans-serif; }
header { padding: 10px 20px 9px; background: #fff; border-bottom: 1px solid #dde3e8; }
h1 { margin: 0; font-size: 19px; }
h2 { margin: 16px 0 6px; font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: #607d8b; }
.r-description { margin: 3px 0 0; max-width: 120ch; font-size: 13.5px; color: #555; }
.r-capped { margin: 4px 0 0; font-size: 13.5px; font-weight: bold; color: #c62828; }
main { flex: 1; display: flex; min-height: 0; }
#ladder { flex: 1; min-width: 0; overflow: auto; background: #fff; }
#ladder svg { display: block; }
#ladder svg.fit { max-width: 100%; height: auto; }
#ladder [data-step] { cursor: pointer; }
#ladder .future { opacity: .25; }
#ladder .now-row { fill: #fff3c4; }
#ladder .current line, #ladder .current path { stroke: #d84315; stroke-width: 2.6; }
#ladder .current rect { stroke: #d84315; stroke-width: 2; }
#ladder .current text { fill: #bf360c; font-weight: bold; }
aside { width: 450px; flex: none; overflow: auto; padding: 12px 18px 16px; border-left: 1px solid #dde3e8; }
.r-controls { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
button { font: inherit; font-size: 14px; padding: 4px 11px; border: 1px solid #90a4ae; border-radius: 5px;
  background: #fff; color: #1f2d3d; cursor: pointer; }
button:hover { background: #eceff1; }
#play { min-width: 92px; }
#step-number { margin-left: auto; font-weight: bold; }
.r-card { margin-top: 12px; padding: 12px 14px; background: #fff; border: 1px solid #dde3e8;
  border-left: 5px solid #d84315; border-radius: 6px; }
.r-meta { font-size: 13px; color: #607d8b; }
#step-kind { float: right; text-transform: uppercase; letter-spacing: .06em; font-size: 11.5px; }
#step-text { margin: 4px 0 0; font-size: 16px; font-weight: bold; }
#step-explanation { margin: 8px 0 0; }
#step-explanation:empty, #step-rule:empty { display: none; }
#step-rule { margin: 8px 0 0; font-size: 13px; color: #6a1b9a; }
#states { list-style: none; margin: 0; padding: 0; max-height: 30vh; overflow-y: auto; }
#states li { display: flex; justify-content: space-between; padding: 2px 6px; border-radius: 4px; }
#states li.changed { background: #fff3c4; font-weight: bold; }
.band-state { padding: 0 8px; border: 1px solid #b0bec5; border-radius: 4px; font-size: 13px; }
#bands { overflow: auto; max-height: 36vh; background: #fff; border: 1px solid #dde3e8; border-radius: 6px; }
#bands svg { display: block; }
#bands text { font-size: 11px; fill: #1f2d3d; }
#bands .axis text { fill: #78909c; font-size: 10px; }
#bands .quiet text { fill: #78909c; font-size: 10px; font-style: italic; }
#bands .span rect { stroke: #90a4ae; stroke-width: .8; }
#bands .future { opacity: .25; }
#cursor { stroke: #d84315; stroke-width: 2; }
.r-keys { margin-top: 14px; font-size: 12.5px; color: #607d8b; }
kbd { padding: 0 4px; border: 1px solid #b0bec5; border-radius: 3px; background: #fff; font-size: 12px; }
)css";

std::string num(double v) { return fmt::format("{:.1f}", v); }

std::string_view kind_name(LadderStepKind k) {
    switch (k) {
        case LadderStepKind::Send:
            return "send";
        case LadderStepKind::Arrive:
            return "arrive";
        case LadderStepKind::Lose:
            return "lose";
        case LadderStepKind::State:
            return "state";
        case LadderStepKind::Timer:
            return "timer";
        case LadderStepKind::Decision:
            return "decision";
        case LadderStepKind::Call:
            return "call";
    }
    return "";
}

// The rule behind a step: a state change's or a decision's clause.
std::string_view rule_of(const Ladder& ladder, const LadderStep& s) {
    switch (s.kind) {
        case LadderStepKind::State:
            return describe(ladder.states[s.item].cause).clause;
        case LadderStepKind::Decision:
            return describe(ladder.decisions[s.item].cause).clause;
        case LadderStepKind::Send:
        case LadderStepKind::Arrive:
        case LadderStepKind::Lose:
        case LadderStepKind::Timer:
        case LadderStepKind::Call:
            break;
    }
    return "";
}

// The why without its rule, which explain() appends as " [rule]": the page shows the
// rule on a line of its own.
std::string_view sentence_of(std::string_view why, std::string_view rule) {
    const std::string suffix = fmt::format(" [{}]", rule);
    if (!rule.empty() && why.ends_with(suffix)) why.remove_suffix(suffix.size());
    return why;
}

struct Band {
    std::uint16_t host = 0;
    SocketRef socket;
    std::string label;             // "client c"
    std::optional<State> initial;  // before its first change; none: not yet there
    std::vector<std::pair<std::size_t, State>> changes;  // (step, state after it)
};

// A band per socket whose state changes, by host column, then by first change.
std::vector<Band> bands_of(const Ladder& ladder) {
    std::vector<Band> bands;
    for (const LadderState& st : ladder.states) {
        auto it = std::find_if(bands.begin(), bands.end(),
                               [&](const Band& b) { return b.host == st.host && b.socket == st.socket; });
        if (it == bands.end()) {
            Band b;
            b.host = st.host;
            b.socket = st.socket;
            b.label = fmt::format("{} {}", ladder.names.host_name(st.host), ladder.names.socket_label(st.socket));
            // A socket is born CLOSED, or as a listener's child (LISTEN -> SYN_RECEIVED);
            // any other first change began before the window the filters show.
            const bool born = st.from == State::Closed || (st.from == State::Listen && st.to == State::SynReceived);
            if (!born) b.initial = st.from;
            bands.push_back(std::move(b));
            it = bands.end() - 1;
        }
        it->changes.emplace_back(st.step, st.to);
    }
    std::stable_sort(bands.begin(), bands.end(), [&](const Band& a, const Band& b) {
        return ladder.column(a.host).value_or(0) < ladder.column(b.host).value_or(0);
    });
    return bands;
}

// Where each time is across the bands: steps' distinct times left to right, gaps to
// scale up to a quiet stretch, which is drawn short.
class TimeAxis {
  public:
    TimeAxis(const Ladder& ladder, double left) : idle_(ladder.idle_gap()), typical_(ladder.typical_delay()) {
        double x = left;
        for (const LadderStep& s : ladder.steps) {
            if (!points_.empty() && points_.back().first == s.t) continue;
            if (!points_.empty()) x += gap(s.t - points_.back().first);
            points_.emplace_back(s.t, x);
        }
        if (points_.empty()) points_.emplace_back(ladder.end, left);
        end_ = ladder.end > points_.back().first ? x + gap(ladder.end - points_.back().first) : x;
    }

    double at(Time t) const {
        const auto it = std::lower_bound(points_.begin(), points_.end(), t,
                                         [](const std::pair<Time, double>& p, Time v) { return p.first < v; });
        return it == points_.end() ? end_ : it->second;
    }
    double end() const { return end_; }
    const std::vector<std::pair<Time, double>>& points() const { return points_; }
    bool quiet(Duration d) const { return d > idle_; }

  private:
    double gap(Duration d) const {
        if (quiet(d)) return kQuietGap;
        const double scaled = kTypicalGap * static_cast<double>(d.ns) / static_cast<double>(typical_.ns);
        return std::clamp(scaled, kMinGap, kTypicalGap);
    }

    Duration idle_;
    Duration typical_;
    std::vector<std::pair<Time, double>> points_;
    double end_ = 0;
};

double label_width(std::string_view s) {
    const auto points = std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; });
    return static_cast<double>(points) * 11 * 0.62;
}

void write_bands_svg(std::ostream& out, const Ladder& ladder, const std::vector<Band>& bands,
                     std::vector<double>& step_x) {
    double labels = 60;
    for (const Band& b : bands) labels = std::max(labels, label_width(b.label));
    labels = std::min(labels, 200.0);
    const double left = labels + 18;
    const TimeAxis axis(ladder, left);
    step_x.clear();
    for (const LadderStep& s : ladder.steps) step_x.push_back(axis.at(s.t));
    const double width = axis.end() + 24;
    const double rows = kBandRow * static_cast<double>(bands.size());
    const double height = 8 + rows + kAxis;
    const auto o = std::ostreambuf_iterator<char>(out);
    fmt::format_to(o, R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}">)",
                   num(width), num(height));
    out << '\n';

    // Quiet stretches, behind the bands.
    const auto& points = axis.points();
    for (std::size_t i = 0; i + 1 <= points.size(); ++i) {
        const Time from = points[i].first;
        const Time to = i + 1 < points.size() ? points[i + 1].first : ladder.end;
        if (!axis.quiet(to - from)) continue;
        const double x1 = points[i].second;
        const double x2 = i + 1 < points.size() ? points[i + 1].second : axis.end();
        fmt::format_to(o,
                       R"(<g class="quiet"><rect x="{}" y="4" width="{}" height="{}" fill="#f1f3f4"/>)"
                       R"(<text x="{}" y="{}" text-anchor="middle">+{}</text></g>)",
                       num(x1 + 2), num(x2 - x1 - 4), num(rows + 4), num((x1 + x2) / 2), num(8 + rows + 19),
                       xml_escape(short_duration(to - from)));
        out << '\n';
    }

    for (std::size_t r = 0; r < bands.size(); ++r) {
        const Band& b = bands[r];
        const double y = 8 + kBandRow * static_cast<double>(r);
        fmt::format_to(o, R"(<g class="band"><text x="{}" y="{}" text-anchor="end">{}</text>)", num(left - 8),
                       num(y + 11.5), xml_escape(b.label));
        out << '\n';
        // Spans: from a change to the next (or the end); the initial state from the left.
        struct Span {
            std::ptrdiff_t start;  // the step that began it; -1: before the first kept one
            State state;
            Time from;
            double x1;
        };
        std::vector<Span> spans;
        if (b.initial) spans.push_back({-1, *b.initial, ladder.steps.empty() ? ladder.end : ladder.steps[0].t, left});
        for (const auto& [step, state] : b.changes)
            spans.push_back({static_cast<std::ptrdiff_t>(step), state, ladder.steps[step].t, step_x[step]});
        for (std::size_t i = 0; i < spans.size(); ++i) {
            const Span& s = spans[i];
            const bool last = i + 1 == spans.size();
            const double x2 = last ? axis.end() : spans[i + 1].x1;
            const Time until = last ? ladder.end : spans[i + 1].from;
            if (x2 <= s.x1 && !last) continue;  // left at once: the next change is at the same time
            const double w = std::max(x2 - s.x1, 2.0);
            const std::string_view name = to_string(s.state);
            fmt::format_to(o, R"(<g class="span" data-start="{}"><title>{} {}: {} to {} ({})</title>)", s.start,
                           xml_escape(b.label), name, ladder.time_text(s.from), ladder.time_text(until),
                           short_duration(until - s.from));
            fmt::format_to(o, R"(<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"/>)", num(s.x1), num(y),
                           num(w), num(kBandHeight), state_fill(s.state));
            if (label_width(name) * 0.9 + 8 < w)
                fmt::format_to(o, R"(<text x="{}" y="{}" font-size="10">{}</text>)", num(s.x1 + 4), num(y + 11),
                               name);
            out << "</g>\n";
        }
        out << "</g>\n";
    }

    // Times under the bands, where there is room for them.
    out << R"(<g class="axis">)";
    double free_from = 0;
    for (const auto& [t, x] : points) {
        if (x < free_from) continue;
        fmt::format_to(o, R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num(x), num(8 + rows + 9),
                       ladder.time_text(t));
        free_from = x + label_width(ladder.time_text(t)) + 6;
    }
    out << "</g>\n";
    fmt::format_to(o, R"(<line id="cursor" x1="{0}" y1="2" x2="{0}" y2="{1}"/>)", num(left), num(8 + rows + 1));
    out << "\n</svg>\n";
}

void write_data(std::ostream& out, const Ladder& ladder, const HtmlReportOptions& options,
                const std::vector<Band>& bands, const std::vector<double>& step_x) {
    const auto o = std::ostreambuf_iterator<char>(out);
    const auto str = [](std::string_view s) { return script_json_string(s); };
    fmt::format_to(o, R"({{"title":{},"description":{},"capped":{},"fills":{{)", str(options.title),
                   str(options.description), str(ladder.capped));
    constexpr State kStates[] = {State::Closed,    State::Listen,   State::SynSent,   State::SynReceived,
                                 State::Established, State::FinWait1, State::FinWait2, State::CloseWait,
                                 State::Closing,   State::LastAck,  State::TimeWait};
    for (std::size_t i = 0; i < std::size(kStates); ++i)
        fmt::format_to(o, R"({}"{}":"{}")", i ? "," : "", to_string(kStates[i]), state_fill(kStates[i]));
    out << "},\n\"steps\":[";
    for (std::size_t i = 0; i < ladder.steps.size(); ++i) {
        const LadderStep& s = ladder.steps[i];
        const std::string_view rule = rule_of(ladder, s);
        fmt::format_to(o,
                       R"({}{{"t":"{}","t_ns":{},"host":{},"socket":{},"kind":"{}","text":{},"explanation":{},)"
                       R"("rule":{},"x":{}}})",
                       i ? ",\n" : "\n", ladder.time_text(s.t), s.t.ns, str(ladder.names.host_name(s.host)),
                       str(s.socket.valid() ? ladder.names.socket_label(s.socket) : ""), kind_name(s.kind),
                       str(s.text), str(sentence_of(s.why, rule)), str(rule), num(step_x[i]));
    }
    out << "],\n\"bands\":[";
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const Band& b = bands[i];
        fmt::format_to(o, R"({}{{"label":{},"host":{},"socket":{},"initial":{},"changes":[)", i ? ",\n" : "\n",
                       str(b.label), str(ladder.names.host_name(b.host)), str(ladder.names.socket_label(b.socket)),
                       b.initial ? fmt::format("\"{}\"", to_string(*b.initial)) : std::string("null"));
        for (std::size_t k = 0; k < b.changes.size(); ++k)
            fmt::format_to(o, R"({}[{},"{}"])", k ? "," : "", b.changes[k].first, to_string(b.changes[k].second));
        out << "]}";
    }
    out << "]}";
}

}  // namespace

void write_html_report(std::ostream& out, const Ladder& ladder, const HtmlReportOptions& options) {
    const auto o = std::ostreambuf_iterator<char>(out);
    const std::vector<Band> bands = bands_of(ladder);
    // Drawn first: the data's "x" are the bands' positions of each step's time.
    std::ostringstream band_svg;
    std::vector<double> step_x;
    write_bands_svg(band_svg, ladder, bands, step_x);

    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    // Nothing may be fetched, framed or submitted; only this page's own script runs.
    fmt::format_to(o,
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; script-src '{}'; base-uri 'none'; form-action 'none'\">\n",
                   kScriptHash);
    out << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    fmt::format_to(o, "<title>tcpsim: {}</title>\n<style>{}</style>\n</head>\n<body>\n<header>\n",
                   xml_escape(options.title), kStyle);
    fmt::format_to(o, "<h1>{}</h1>\n", xml_escape(options.title));
    if (!options.description.empty())
        fmt::format_to(o, "<p class=\"r-description\">{}</p>\n", xml_escape(options.description));
    if (!ladder.capped.empty()) fmt::format_to(o, "<p class=\"r-capped\">{}</p>\n", xml_escape(ladder.capped));
    if (ladder.steps.empty())
        out << "<p class=\"r-capped\">Nothing to step through: no event of the run passes the filters.</p>\n";
    out << "</header>\n<main>\n<section id=\"ladder\" aria-label=\"ladder diagram\">\n";
    // The page has the title and description: the picture need not repeat them.
    LadderSvgOptions picture;
    picture.step_rows = true;
    write_ladder_svg(out, ladder, picture);
    out << "</section>\n<aside>\n<div class=\"r-controls\">"
           "<button id=\"first\" title=\"first step (Home)\">\u21e4</button>"
           "<button id=\"back\" title=\"previous step (\u2190)\">\u25c0 Back</button>"
           "<button id=\"play\" title=\"play / pause (Space)\">\u25b6 Play</button>"
           "<button id=\"next\" title=\"next step (\u2192)\">Step \u25b6</button>"
           "<button id=\"last\" title=\"last step (End)\">\u21e5</button>"
           "<span id=\"step-number\"></span></div>\n"
           "<div class=\"r-card\"><div class=\"r-meta\"><span id=\"step-time\"></span> \u00b7 "
           "<span id=\"step-host\"></span><span id=\"step-kind\"></span></div>\n"
           "<p id=\"step-text\"></p><p id=\"step-explanation\"></p><p id=\"step-rule\"></p></div>\n"
           "<h2>States after this step</h2>\n<ul id=\"states\"></ul>\n"
           "<h2>State timeline</h2>\n<div id=\"bands\">\n";
    out << band_svg.str();
    out << "</div>\n<p class=\"r-keys\"><kbd>\u2192</kbd> next \u00b7 <kbd>\u2190</kbd> back \u00b7 "
           "<kbd>Space</kbd> play / pause \u00b7 <kbd>Home</kbd> <kbd>End</kbd> first / last. Click anything in the "
           "ladder or the bands to go to its step; the address (#step=N) keeps the step.</p>\n</aside>\n</main>\n";
    out << "<script type=\"application/json\" id=\"tcpsim-data\">";
    write_data(out, ladder, options, bands, step_x);
    fmt::format_to(o, "</script>\n<script>{}</script>\n</body>\n</html>\n", kScript);
}

}  // namespace tcpsim
