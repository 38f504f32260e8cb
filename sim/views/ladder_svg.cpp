#include "tcpsim/views/ladder_svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "tcpsim/views/escape.hpp"

namespace tcpsim {
namespace {

constexpr double kRow = 20;     // every drawn step has a row of its own
constexpr double kFlight = 60;  // a typical delay
constexpr double kQuiet = 64;   // a quiet stretch, however long
constexpr double kLabelSize = 11.5;
constexpr double kNoteSize = 11;
constexpr double kTimeAxis = 64;
constexpr double kBarOffset = 5;  // from the line
constexpr double kBarWidth = 8;
constexpr double kNoteOffset = 18;

// DejaVu Sans averages about 0.6 em a character; a little more keeps words inside.
double text_width(std::string_view s, double size) {
    const auto points = std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; });
    return static_cast<double>(points) * size * 0.62;
}

std::string esc(std::string_view s) { return xml_escape(s); }

std::string num(double v) { return fmt::format("{:.1f}", v); }

// Breaks text into lines of at most `width` characters, at spaces.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = text.find(' ', i);
        if (j == std::string_view::npos) j = text.size();
        const std::string_view word = text.substr(i, j - i);
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            lines.push_back(std::move(line));
            line.clear();
        }
        if (!line.empty()) line += ' ';
        line += word;
        i = j + 1;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

bool takes_row(LadderStepKind k) {
    switch (k) {
        case LadderStepKind::Send:
        case LadderStepKind::Arrive:
        case LadderStepKind::State:
        case LadderStepKind::Decision:
        case LadderStepKind::Call:
            return true;
        case LadderStepKind::Lose:
        case LadderStepKind::Timer:
            return false;
    }
    return true;
}

std::string_view timer_fill(TimerKind k) {
    switch (k) {
        case TimerKind::Retransmit:
            return "#b0bec5";
        case TimerKind::TimeWait:
            return "#fb8c00";
        case TimerKind::FinWait2:
            return "#fdd835";
        case TimerKind::Keepalive:
            return "#4fc3f7";
        case TimerKind::Persist:
            return "#9575cd";
    }
    return "#999999";
}

std::string_view timer_class(TimerKind k) {
    switch (k) {
        case TimerKind::Retransmit:
            return "retransmit";
        case TimerKind::TimeWait:
            return "time_wait";
        case TimerKind::FinWait2:
            return "fin_wait_2";
        case TimerKind::Keepalive:
            return "keepalive";
        case TimerKind::Persist:
            return "persist";
    }
    return "";
}

std::string_view fate_name(LadderFate f) {
    switch (f) {
        case LadderFate::Delivered:
            return "delivered";
        case LadderFate::Duplicated:
            return "duplicated";
        case LadderFate::Delayed:
            return "delayed";
        case LadderFate::Dropped:
            return "dropped";
        case LadderFate::InFlight:
            return "in-flight";
    }
    return "";
}

// The words beside a timer's bar: its length, and for TIME_WAIT its restarts and end.
std::vector<std::string> bar_lines(const Ladder& ladder, const LadderTimer& t) {
    std::vector<std::string> lines{fmt::format("{} {}", timer_name(t.kind), short_duration(t.length()))};
    if (t.kind != TimerKind::TimeWait) return lines;
    for (const LadderRestart& r : t.restarts) lines.push_back("restarted at " + ladder.time_text(r.t));
    switch (t.end) {
        case LadderTimerEnd::Expired:
            lines.push_back("ends " + ladder.time_text(t.ended));
            break;
        case LadderTimerEnd::Cancelled:
            lines.push_back("cut short at " + ladder.time_text(t.ended));
            break;
        case LadderTimerEnd::Running:
            lines.push_back("still running, until " +
                            ladder.time_text(t.restarts.empty() ? t.expires : t.restarts.back().expires));
            break;
    }
    return lines;
}

// Where each step is drawn, top to bottom.
struct Layout {
    struct Group {
        Time t;
        double first = 0;  // the first step's row
        double last = 0;   // the last row used
        double below = 0;  // the lowest drawing of its steps (a cross and its words)
    };
    struct Quiet {
        double top = 0;
        double bottom = 0;
        Duration length;
    };
    std::vector<double> y;  // per step
    std::vector<Group> groups;
    std::vector<Quiet> quiet;
    double end = 0;    // Ladder::end
    double scale = 0;  // px per ns
    Duration idle;

    double gap(Duration d) const { return d > idle ? kQuiet : std::max(kRow, static_cast<double>(d.ns) * scale); }
    // Any time: between two groups, in proportion.
    double at(Time t) const {
        auto it = std::upper_bound(groups.begin(), groups.end(), t, [](Time v, const Group& g) { return v < g.t; });
        if (it == groups.begin()) return groups.empty() ? 0 : groups.front().first;
        const Group& g = *(it - 1);
        if (t == g.t) return g.first;
        if (it == groups.end()) return g.last + std::min(gap(t - g.t), end - g.last);
        const double f = static_cast<double>((t - g.t).ns) / static_cast<double>((it->t - g.t).ns);
        return g.last + f * (it->first - g.last);
    }
};

Layout lay_out(const Ladder& ladder, double top) {
    Layout l;
    l.idle = ladder.idle_gap();
    l.scale = kFlight / static_cast<double>(ladder.typical_delay().ns);
    l.y.resize(ladder.steps.size());
    const auto quiet = [&](double from, double to, Duration length) {
        l.quiet.push_back({from + kRow * 0.6, to - kRow * 0.6, length});
    };
    double cursor = top;
    bool rowed = false;
    for (std::size_t i = 0; i < ladder.steps.size(); ++i) {
        const LadderStep& s = ladder.steps[i];
        if (l.groups.empty() || s.t != l.groups.back().t) {
            double first = top;
            if (!l.groups.empty()) {
                const Layout::Group& prev = l.groups.back();
                const double base = std::max(prev.last, prev.below);
                first = base + l.gap(s.t - prev.t);
                if (s.t - prev.t > l.idle) quiet(base, first, s.t - prev.t);
            }
            l.groups.push_back({s.t, first, first, first});
            cursor = first;
            rowed = false;
        }
        Layout::Group& g = l.groups.back();
        if (takes_row(s.kind)) {
            l.y[i] = cursor;
            g.last = cursor;
            cursor += kRow;
            rowed = true;
        } else {
            // A timer or a loss is drawn where the step before it is; a loss's cross
            // halfway down a flight, with two lines of words under it.
            l.y[i] = rowed ? g.last : g.first;
            if (s.kind == LadderStepKind::Lose) g.below = std::max(g.below, l.y[i] + kFlight / 2 + 30);
        }
    }
    l.end = l.groups.empty() ? top : l.groups.back().last;
    if (!l.groups.empty() && ladder.end > l.groups.back().t) {
        const Duration tail = ladder.end - l.groups.back().t;
        l.end = l.groups.back().last + l.gap(tail);
        if (tail > l.idle) quiet(l.groups.back().last, l.end + kRow, tail);
    }
    return l;
}

class Svg {
  public:
    explicit Svg(std::ostream& out) : out_(out) {}

    template <typename... Args>
    void operator()(fmt::format_string<Args...> f, Args&&... args) {
        fmt::format_to(std::ostreambuf_iterator<char>(out_), f, std::forward<Args>(args)...);
        out_ << '\n';
    }

  private:
    std::ostream& out_;
};

// Where arrow labels went, so the next one can keep clear: points along each label's
// middle line, and the box around them.
class LabelSpace {
  public:
    using Points = std::vector<std::pair<double, double>>;

    bool clear(const Points& p) const {
        const Box b = box(p);
        for (const auto& [other_box, other] : placed_) {
            if (b.x2 < other_box.x1 || other_box.x2 < b.x1 || b.y2 < other_box.y1 || other_box.y2 < b.y1) continue;
            for (const auto& [x, y] : p)
                for (const auto& [ox, oy] : other)
                    if (std::abs(x - ox) < 8 && std::abs(y - oy) < 12) return false;
        }
        return true;
    }
    void add(Points p) { placed_.emplace_back(box(p), std::move(p)); }

  private:
    struct Box {
        double x1, y1, x2, y2;
    };
    static Box box(const Points& p) {
        Box b{1e18, 1e18, -1e18, -1e18};
        for (const auto& [x, y] : p)
            b = {std::min(b.x1, x - 8), std::min(b.y1, y - 12), std::max(b.x2, x + 8), std::max(b.y2, y + 12)};
        return b;
    }
    std::vector<std::pair<Box, Points>> placed_;
};

std::string steps_attr(const std::vector<std::size_t>& steps) {
    std::vector<std::size_t> s;
    for (std::size_t v : steps)
        if (v != kNoStep) s.push_back(v);
    if (s.empty()) return "";
    std::string out = fmt::format(" data-step=\"{}\"", s.front());
    if (s.size() > 1) out += fmt::format(" data-steps=\"{}\"", fmt::join(s, " "));
    return out;
}

// The steps' times, texts and explanations, as a <title> (a tooltip).
std::string tooltip(const Ladder& ladder, const std::vector<std::size_t>& steps, std::string extra = {}) {
    std::string out;
    for (std::size_t i : steps) {
        if (i == kNoStep) continue;
        const LadderStep& s = ladder.steps[i];
        if (!out.empty()) out += '\n';
        out += ladder.time_text(s.t) + "  " + s.text;
        if (!s.why.empty()) out += "\n" + s.why;
    }
    return fmt::format("<title>{}</title>", esc(out + extra));
}

}  // namespace

std::string_view state_fill(State s) {
    switch (s) {
        case State::Closed:
            return "#eceff1";
        case State::Listen:
        case State::SynSent:
        case State::SynReceived:
            return "#e3f2fd";
        case State::Established:
            return "#e8f5e9";
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
        case State::Closing:
        case State::LastAck:
            return "#fff8e1";
        case State::TimeWait:
            return "#ffe0b2";
    }
    return "#ffffff";
}

void write_ladder_svg(std::ostream& out, const Ladder& ladder, const LadderSvgOptions& options) {
    Svg svg(out);
    const std::size_t n = ladder.hosts.size();

    // Horizontal: the time axis, host 0's notes and bars on its left, every other host's
    // on its right, arrows in the gaps.
    std::vector<double> note_width(std::max<std::size_t>(n, 1), 0);
    const auto owned = [&](const LadderStep& s, std::string_view text) {
        const std::string owner = ladder.state_owner(s.host, s.socket);
        return owner.empty() ? std::string(text) : owner + " " + std::string(text);
    };
    const auto widen = [&](std::uint16_t host, double w) {
        if (const auto c = ladder.column(host)) note_width[*c] = std::max(note_width[*c], w);
    };
    for (const LadderDecision& d : ladder.decisions)
        widen(d.host, text_width(owned(ladder.steps[d.step], decision_label(d)), kNoteSize));
    for (const LadderCall& c : ladder.calls)
        widen(c.host, text_width(owned(ladder.steps[c.step], call_label(c)), kNoteSize));
    for (const LadderTimer& t : ladder.timers)
        for (const std::string& line : bar_lines(ladder, t)) widen(t.host, text_width(line, kNoteSize) + kBarWidth);
    std::vector<double> gap(n > 1 ? n - 1 : 0, 300);
    for (const LadderSegment& s : ladder.segments) {
        const auto a = ladder.column(s.from);
        const auto b = s.to ? ladder.column(*s.to) : std::nullopt;
        if (!a) continue;
        const std::size_t lo = b ? std::min(*a, *b) : *a;
        const std::size_t hi = b ? std::max(*a, *b) : *a + 1;
        // Crossing arrows' labels start at either end: two of them fit in a gap.
        if (hi == lo + 1 && lo < gap.size())
            gap[lo] = std::max(gap[lo], 1.5 * text_width(segment_label(s), kLabelSize) + 80);
    }
    for (std::size_t i = 1; i + 1 < n; ++i) gap[i] = std::max(gap[i], note_width[i] + kNoteOffset + 40);
    for (double& g : gap) g = std::min(g, 700.0);
    const double left = std::clamp(note_width[0] + kNoteOffset + 16, 90.0, 420.0);
    const double right = n > 1 ? std::clamp(note_width[n - 1] + kNoteOffset + 40, 90.0, 560.0) : 40;
    std::vector<double> xs(n);
    double x = kTimeAxis + left;
    for (std::size_t i = 0; i < n; ++i) {
        xs[i] = x;
        if (i < gap.size()) x += gap[i];
    }
    const double width = std::max(x + right, 560.0);

    // Vertical: the title, the description, the hosts' names, then the steps.
    const std::size_t chars = static_cast<std::size_t>((width - 40) / (11 * 0.6));
    const std::vector<std::string> description = wrap(options.description, chars);
    double y = 28;
    const double title_y = y;
    y += 20;
    const double description_y = y;
    y += 15.0 * static_cast<double>(description.size()) + 18;
    const double names_y = y;
    const double lines_top = names_y + 24;
    const Layout l = lay_out(ladder, lines_top + 22);
    const double lines_bottom = l.end + kRow;
    std::vector<std::string> legend = wrap(
        "Time goes down; a grey band is a quiet stretch drawn short, with the time that passed. Sequence "
        "numbers are relative (each side's ISN is 0). A cross: a lost segment; dashed: the second copy of a "
        "duplicated one; bars beside a line: timers (TIME_WAIT, RTO, keepalive...) with their length. Hover "
        "over anything for why it happened.",
        chars);
    if (!ladder.capped.empty()) legend.push_back(ladder.capped);
    const double legend_y = lines_bottom + 26;
    const double height = legend_y + 14.0 * static_cast<double>(legend.size()) + 10;

    std::string rows;
    if (options.step_rows) {
        std::vector<std::string> ys;
        for (const double v : l.y) ys.push_back(num(v));
        rows = fmt::format(R"( data-rows="{}")", fmt::join(ys, " "));
    }
    svg(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}"{2}>)", num(width),
        num(height), rows);
    svg("<style>");
    svg("text {{ font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; fill: #1f2d3d; }}");
    svg(".title {{ font-size: 16px; font-weight: bold; }} .description, .legend {{ font-size: 11px; fill: #555; }}");
    svg(".capped {{ font-size: 11px; fill: #c62828; }}");
    svg(".host text {{ font-size: 14px; font-weight: bold; text-anchor: middle; }}");
    svg(".host .info {{ font-size: 10.5px; font-weight: normal; fill: #666; }}");
    svg(".lifeline {{ stroke: #37474f; stroke-width: 1.6; }} .lifeline.quiet {{ stroke-dasharray: 2 4; }}");
    svg(".quiet rect {{ fill: #f1f3f4; }} .quiet text {{ font-size: 11px; font-style: italic; fill: #666; }}");
    svg(".time {{ font-size: 10px; fill: #78909c; text-anchor: end; }}");
    svg(".segment line, .segment path {{ stroke: #1f2d3d; stroke-width: 1.4; }}");
    svg(".segment text {{ font-size: {}px; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }}", kLabelSize);
    svg(".segment .copy {{ stroke-dasharray: 6 4; }}");
    svg(".segment.dropped line {{ stroke: #c62828; }} .segment.dropped text {{ fill: #c62828; }}");
    svg(".cross {{ stroke: #c62828; stroke-width: 2.6; stroke-linecap: round; }}");
    svg(".fate {{ font-size: 10.5px; font-style: italic; }}");
    svg(".state rect {{ stroke: #546e7a; stroke-width: 1; }}");
    svg(".state text {{ font-size: 10.5px; font-weight: bold; text-anchor: middle; }}");
    svg(".decision text {{ font-size: {}px; font-style: italic; fill: #6a1b9a; }} .decision path {{ fill: #6a1b9a; }}",
        kNoteSize);
    svg(".call text {{ font-size: {}px; fill: #455a64; }} .call line {{ stroke: #455a64; stroke-width: 1.4; }}",
        kNoteSize);
    svg(".timer text {{ font-size: {}px; fill: #4e342e; }} .timer line {{ stroke: #4e342e; stroke-width: 1.4; }}",
        kNoteSize);
    svg("</style>");
    svg(R"(<defs><marker id="tcpsim-head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" )"
        R"(markerHeight="8" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="#1f2d3d"/></marker></defs>)");
    svg(R"(<rect width="100%" height="100%" fill="#ffffff"/>)");
    svg(R"(<text class="title" x="20" y="{}">{}</text>)", num(title_y), esc(options.title));
    for (std::size_t i = 0; i < description.size(); ++i)
        svg(R"(<text class="description" x="20" y="{}">{}</text>)", num(description_y + 15.0 * static_cast<double>(i)),
            esc(description[i]));

    // Quiet stretches, behind everything.
    for (const Layout::Quiet& q : l.quiet) {
        svg(R"(<g class="quiet"><rect x="0" y="{}" width="{}" height="{}"/>)", num(q.top), num(width),
            num(q.bottom - q.top));
        svg(R"(<text x="{}" y="{}">{} later</text></g>)", num(8), num((q.top + q.bottom) / 2 + 4),
            esc(short_duration(q.length)));
    }

    // The hosts' lines, dotted across quiet stretches.
    for (std::size_t i = 0; i < n; ++i) {
        const LadderHost& h = ladder.hosts[i];
        svg(R"(<g class="host" data-host="{}"><text x="{}" y="{}">{}</text>)", esc(h.name), num(xs[i]), num(names_y),
            esc(h.name));
        svg(R"(<text class="info" x="{}" y="{}">{} · {}</text>)", num(xs[i]), num(names_y + 14), esc(to_string(h.ip)),
            esc(h.profile));
        double from = lines_top;
        for (const Layout::Quiet& q : l.quiet) {
            const double to = std::min(q.top, lines_bottom);
            if (to > from)
                svg(R"(<line class="lifeline" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", num(xs[i]), num(from), num(to));
            const double end = std::min(q.bottom, lines_bottom);
            if (end > to)
                svg(R"(<line class="lifeline quiet" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", num(xs[i]), num(to),
                    num(end));
            from = std::max(from, end);
        }
        if (lines_bottom > from)
            svg(R"(<line class="lifeline" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", num(xs[i]), num(from),
                num(lines_bottom));
        svg("</g>");
    }

    // The time of each row.
    for (const Layout::Group& g : l.groups)
        svg(R"(<text class="time" x="{}" y="{}">{}</text>)", num(kTimeAxis - 6), num(g.first + 3.5),
            esc(ladder.time_text(g.t)));

    const auto column_x = [&](std::uint16_t host) { return xs[ladder.column(host).value_or(0)]; };
    // Notes and bars: host 0 on its left, the others on their right.
    const auto side = [&](std::uint16_t host) { return ladder.column(host).value_or(0) == 0 && n > 1 ? -1.0 : 1.0; };

    // Timers as bars beside the line, their length written where there is room: in a
    // quiet stretch they span, else beside their start.
    for (const LadderTimer& t : ladder.timers) {
        const double cx = column_x(t.host);
        const double dir = side(t.host);
        std::size_t from_step = t.step;
        if (t.kind != TimerKind::TimeWait && !t.restarts.empty()) from_step = t.restarts.back().step;
        const double y1 = from_step != kNoStep ? l.y[from_step] : l.at(t.start);
        const double y2 = std::max(y1 + 4, t.end_step != kNoStep ? l.y[t.end_step] : l.at(t.ended));
        const double bx = dir < 0 ? cx - kBarOffset - kBarWidth : cx + kBarOffset;
        std::vector<std::size_t> steps{t.step};
        for (const LadderRestart& r : t.restarts) steps.push_back(r.step);
        steps.push_back(t.end_step);
        svg(R"(<g class="timer {}" data-host="{}"{}>{})", timer_class(t.kind), esc(ladder.names.host_name(t.host)),
            steps_attr(steps), tooltip(ladder, steps));
        svg(R"(<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>)", num(bx), num(y1), num(kBarWidth),
            num(y2 - y1), timer_fill(t.kind));
        for (const LadderRestart& r : t.restarts)
            if (r.step != kNoStep)
                svg(R"(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}"/>)", num(bx - 3), num(bx + kBarWidth + 3),
                    num(l.y[r.step]));
        const std::vector<std::string> lines = bar_lines(ladder, t);
        double ly = y1 + 4;
        const double block = 13.0 * static_cast<double>(lines.size());
        // The longest quiet stretch it spans: most of its time, and room for words.
        const Layout::Quiet* q = nullptr;
        for (const Layout::Quiet& v : l.quiet)
            if (v.top >= y1 && v.bottom <= y2 + kRow && (!q || v.length > q->length)) q = &v;
        if (q)
            ly = (q->top + q->bottom) / 2 - block / 2 + 10;
        else if (y2 - y1 > block + 20)
            ly = (y1 + y2) / 2 - block / 2 + 10;
        const double lx = dir < 0 ? bx - 6 : bx + kBarWidth + 6;
        for (std::size_t i = 0; i < lines.size(); ++i)
            svg(R"(<text x="{}" y="{}" text-anchor="{}">{}</text>)", num(lx), num(ly + 13.0 * static_cast<double>(i)),
                dir < 0 ? "end" : "start", esc(lines[i]));
        svg("</g>");
    }

    // Segments: an arrow from the sender's line at its send to the receiver's at its
    // arrival; a lost one stops halfway at a cross.
    std::map<std::pair<std::uint16_t, std::uint16_t>, std::vector<std::int64_t>> delays;
    for (const LadderSegment& s : ladder.segments)
        if (s.to && !s.arrivals.empty() && s.fate != LadderFate::Delayed)
            delays[{s.from, *s.to}].push_back((s.arrivals[0].t - s.sent).ns);
    const auto pair_delay = [&](const LadderSegment& s) {
        if (s.to) {
            if (auto it = delays.find({s.from, *s.to}); it != delays.end() && !it->second.empty()) {
                std::vector<std::int64_t> d = it->second;
                std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
                return nanoseconds(d[d.size() / 2]);
            }
        }
        return ladder.typical_delay();
    };
    LabelSpace labels;
    for (const LadderSegment& s : ladder.segments) {
        const auto from_col = ladder.column(s.from);
        if (!from_col || s.step == kNoStep) continue;
        const double x1 = xs[*from_col];
        const double y1 = l.y[s.step];
        double x2 = 0;
        if (s.to && ladder.column(*s.to) && *ladder.column(*s.to) != *from_col)
            x2 = xs[*ladder.column(*s.to)];
        else
            x2 = *from_col + 1 < n ? xs[*from_col + 1] : x1 + 160;  // nobody to reach: toward the next line
        std::vector<std::size_t> steps{s.step};
        for (const LadderArrival& a : s.arrivals) steps.push_back(a.step);
        steps.push_back(s.lost_step);
        const bool loop = s.to == s.from && !s.arrivals.empty();
        std::string extra = "\n" + fate_text(ladder, s);
        for (const std::string& m : s.nat) extra += "\n" + m;
        svg(R"(<g class="segment {}" data-segment="{}" data-from="{}" data-to="{}" data-fate="{}"{}>{})",
            fate_name(s.fate), s.id, esc(s.from < ladder.names.hosts.size() ? ladder.names.hosts[s.from].name : ""),
            esc(s.to ? std::string(ladder.names.host_name(*s.to)) : std::string()), fate_name(s.fate),
            steps_attr(steps), tooltip(ladder, steps, extra));
        double lx2 = x2;
        double ly2 = 0;
        if (s.fate == LadderFate::Dropped) {
            lx2 = x1 + (x2 - x1) / 2;
            ly2 = s.lost_at > s.sent && s.lost_step != kNoStep ? std::max(l.y[s.lost_step], y1 + kRow / 2)
                                                               : y1 + l.gap(pair_delay(s)) / 2;
            svg(R"(<line x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(x1), num(y1), num(lx2), num(ly2));
            svg(R"(<path class="cross" d="M{} {} l12 12 m0 -12 l-12 12"/>)", num(lx2 - 6), num(ly2 - 6));
            const double dir = x2 > x1 ? 1 : -1;
            const std::vector<std::string> fate = wrap(fate_text(ladder, s), 44);
            for (std::size_t i = 0; i < fate.size(); ++i) {
                const double fy = ly2 + 14 + 12.5 * static_cast<double>(i);
                svg(R"(<text class="fate" x="{}" y="{}" text-anchor="{}">{}</text>)", num(lx2 + dir * 12), num(fy),
                    dir > 0 ? "start" : "end", esc(fate[i]));
                LabelSpace::Points p;
                for (double k = 0; k <= text_width(fate[i], 10.5); k += 10)
                    p.emplace_back(lx2 + dir * (12 + k), fy - 4);
                labels.add(std::move(p));
            }
        } else if (loop) {
            // Loopback: out beside the line and back to it.
            const double dir = side(s.from);
            for (std::size_t k = 0; k < s.arrivals.size(); ++k)
                svg(R"~(<path{} d="M{} {} h{} V{} H{}" fill="none" marker-end="url(#tcpsim-head)"/>)~",
                    k > 0 ? R"( class="copy")" : "", num(x1), num(y1), num(dir * 30), num(l.y[s.arrivals[k].step]),
                    num(x1 + dir * 2));
            svg(R"(<text x="{}" y="{}" text-anchor="{}">{}</text>)", num(x1 + dir * 38), num(y1 + 4),
                dir < 0 ? "end" : "start", esc(segment_label(s)));
            svg("</g>");
            continue;
        } else if (s.arrivals.empty()) {
            // Still in flight when the picture ends.
            lx2 = x1 + (x2 - x1) * 0.4;
            ly2 = lines_bottom;
            svg(R"(<line class="copy" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(x1), num(y1), num(lx2), num(ly2));
        } else {
            ly2 = l.y[s.arrivals[0].step];
            for (std::size_t k = 0; k < s.arrivals.size(); ++k) {
                svg(R"~(<line{} x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#tcpsim-head)"/>)~",
                    k > 0 ? R"( class="copy")" : "", num(x1), num(y1), num(x2), num(l.y[s.arrivals[k].step]));
            }
        }
        // The label along the arrow, just above it: near the sender, or further along
        // when that spot is taken by another label.
        const double dx = lx2 - x1;
        const double dy = ly2 - y1;
        const double len = std::max(1.0, std::hypot(dx, dy));
        const double ux = dx / len;
        const double uy = dy / len;
        const double nx = dx < 0 ? -uy : uy;  // "up" for text that reads left to right
        const double ny = dx < 0 ? ux : -ux;
        std::string label = segment_label(s);
        if (s.fate == LadderFate::Delayed) label += "  (held " + short_duration(s.delay) + ")";
        const double tw = text_width(label, kLabelSize);
        const auto along = [&](double d) {
            LabelSpace::Points p;
            for (double k = 0; k <= tw; k += 10) p.emplace_back(x1 + ux * (d + k) + nx * 8, y1 + uy * (d + k) + ny * 8);
            return p;
        };
        double at = 12;
        for (const double f : {0.0, 0.25, 0.45, 0.6}) {
            const double d = std::max(12.0, std::min(f * len, len - tw - 12));
            if (labels.clear(along(d))) {
                at = d;
                break;
            }
        }
        labels.add(along(at));
        const double px = x1 + ux * at;
        const double py = y1 + uy * at;
        double angle = std::atan2(dy, dx) * 180 / 3.14159265358979;
        if (dx < 0) angle -= 180;
        svg(R"~(<text transform="translate({} {}) rotate({})" x="0" y="-4" text-anchor="{}">{}</text>)~", num(px),
            num(py), num(angle), dx < 0 ? "end" : "start", esc(label));
        svg("</g>");
    }

    // States on the line, decisions and calls beside it.
    for (const LadderState& st : ladder.states) {
        const double cx = column_x(st.host);
        const double cy = l.y[st.step];
        const std::string text = state_label(ladder, st);
        const double w = text_width(text, 10.5) + 12;
        svg(R"(<g class="state" data-host="{}" data-state="{}"{}>{})", esc(ladder.names.host_name(st.host)),
            to_string(st.to), steps_attr({st.step}), tooltip(ladder, {st.step}));
        svg(R"(<rect x="{}" y="{}" width="{}" height="15" rx="4" fill="{}"/>)", num(cx - w / 2), num(cy - 7.5), num(w),
            state_fill(st.to));
        svg(R"(<text x="{}" y="{}">{}</text></g>)", num(cx), num(cy + 3.8), esc(text));
    }
    // A decision is marked by a diamond on the line, a call by a tick.
    const auto note = [&](bool decision, std::uint16_t host, std::size_t step, const std::string& text) {
        const double cx = column_x(host);
        const double cy = l.y[step];
        const double dir = side(host);
        const std::string mark =
            decision ? fmt::format(R"(<path d="M{} {} l5 -5 l5 5 l-5 5 z"/>)", num(cx - 5), num(cy))
                     : fmt::format(R"(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}"/>)", num(cx - 4), num(cx + 4), num(cy));
        svg(R"(<g class="{}" data-host="{}"{}>{}{})", decision ? "decision" : "call", esc(ladder.names.host_name(host)),
            steps_attr({step}), tooltip(ladder, {step}), mark);
        svg(R"(<text x="{}" y="{}" text-anchor="{}">{}</text></g>)", num(cx + dir * kNoteOffset), num(cy + 3.8),
            dir < 0 ? "end" : "start", esc(text));
    };
    for (const LadderDecision& d : ladder.decisions)
        note(true, d.host, d.step, owned(ladder.steps[d.step], decision_label(d)));
    for (const LadderCall& c : ladder.calls) note(false, c.host, c.step, owned(ladder.steps[c.step], call_label(c)));

    for (std::size_t i = 0; i < legend.size(); ++i) {
        const bool capped = !ladder.capped.empty() && i + 1 == legend.size();
        svg(R"(<text class="{}" x="20" y="{}">{}</text>)", capped ? "capped" : "legend",
            num(legend_y + 14.0 * static_cast<double>(i)), esc(legend[i]));
    }
    svg("</svg>");
}

}  // namespace tcpsim
