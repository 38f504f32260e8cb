#include "tcpsim/views/ladder_text.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "tcpsim/views/escape.hpp"

namespace tcpsim {
namespace {

struct Glyphs {
    std::string_view line, idle, body, dash, right, left, cross, over, turn;
    std::string_view legend;
};
// clang-format off
constexpr Glyphs kAscii{"|", ":", "-", " ", ">", "<", "x", "+", "+",
    "--> delivered  --x lost  - - > second copy of a duplicate  : a quiet stretch  * a decision"};
constexpr Glyphs kUnicode{"│", "┆", "─", " ", "▶", "◀", "✕", "┼", "╮",
    "──▶ delivered  ──✕ lost  ─ ─ ▶ second copy of a duplicate  ┆ a quiet stretch  * a decision"};
// clang-format on

// One character cell per code point (the text we write is narrow: Latin, box drawing).
std::vector<std::string> cells_of(std::string_view text) {
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = 1;
        const auto b = static_cast<unsigned char>(text[i]);
        if (b >= 0xf0)
            n = 4;
        else if (b >= 0xe0)
            n = 3;
        else if (b >= 0xc0)
            n = 2;
        n = std::min(n, text.size() - i);
        cells.emplace_back(text.substr(i, n));
        i += n;
    }
    return cells;
}

std::size_t width(std::string_view text) { return cells_of(text).size(); }

enum class RowKind { Arrow, Copy, Note, Idle };

struct Row {
    RowKind kind = RowKind::Note;
    Time t;
    std::size_t column = 0;         // Note: where; Arrow/Copy: the sender's
    std::optional<std::size_t> to;  // Arrow/Copy: the receiver's column
    bool lost = false;
    std::string label;  // Arrow/Copy: on the arrow; Note: beside the column
    std::string fate;   // Arrow/Copy: at the end of the row
};

class Canvas {
  public:
    Canvas(std::size_t width, const Glyphs& g) : cells_(width, " "), g_(g) {}

    void put(std::size_t x, std::string_view glyph) {
        if (x >= cells_.size()) cells_.resize(x + 1, " ");
        cells_[x] = glyph;
    }
    void write(std::size_t x, std::string_view text) {
        for (const std::string& c : cells_of(text)) put(x++, c);
    }
    std::size_t size() const { return cells_.size(); }
    std::string str() const {
        std::string s;
        for (const std::string& c : cells_) s += c;
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s;
    }
    const Glyphs& glyphs() const { return g_; }

  private:
    std::vector<std::string> cells_;
    const Glyphs& g_;
};

// A segment a host sends itself (loopback): "|<-+ label" beside its line.
void draw_loop(Canvas& c, std::size_t x, const Row& r) {
    const Glyphs& g = c.glyphs();
    c.put(x + 1, g.left);
    c.put(x + 2, g.body);
    c.put(x + 3, g.turn);
    c.write(x + 5, r.label);
}

// An arrow from the line at x `from` to the one at `to` (either order), over the lines at
// `xs` between them: body, head or cross, and the label, centred in the widest gap it
// spans so every line it passes stays visible; a lost one is "-- label --x" from its
// sender, the rest of the way left blank.
void draw_arrow(Canvas& c, std::size_t from, std::size_t to, const std::vector<std::size_t>& xs, const Row& r,
                bool dashed) {
    const Glyphs& g = c.glyphs();
    const bool rightward = to > from;
    const std::string text = " " + r.label + " ";
    const std::size_t tw = width(text);
    if (r.lost) {
        const std::size_t length = tw + 5;
        const std::size_t start = rightward ? from + 1 : from - length;
        for (std::size_t i = 0; i < length; ++i) c.put(start + i, g.body);
        c.write(start + 2, text);
        c.put(rightward ? start + length - 1 : start, g.cross);
        return;
    }
    const std::size_t lo = std::min(from, to);
    const std::size_t hi = std::max(from, to);
    for (std::size_t x = lo + 1; x < hi; ++x) c.put(x, dashed && (x - lo - 1) % 2 == 1 ? g.dash : g.body);
    std::vector<std::size_t> stops{lo};
    for (std::size_t x : xs)
        if (x > lo && x < hi) {
            c.put(x, g.over);
            stops.push_back(x);
        }
    stops.push_back(hi);
    std::size_t a = stops[0];
    std::size_t b = stops[1];
    for (std::size_t i = 1; i + 1 < stops.size(); ++i)
        if (stops[i + 1] - stops[i] > b - a) {
            a = stops[i];
            b = stops[i + 1];
        }
    c.put(rightward ? hi - 1 : lo + 1, rightward ? g.right : g.left);
    // Cells for the label: the gap less its lines and the head (if the head is in it).
    const std::size_t first = a + 1 + (!rightward && a == lo ? 1 : 0);
    const std::size_t last = b - 1 - (rightward && b == hi ? 1 : 0);
    const std::size_t room = last + 1 - first;
    c.write(first + (room > tw ? (room - tw) / 2 : 0), text);
}

}  // namespace

void write_ladder_text(std::ostream& out, const Ladder& ladder, const LadderTextOptions& options) {
    const Glyphs& g = options.unicode ? kUnicode : kAscii;
    const std::size_t n = ladder.hosts.size();
    if (n == 0) {
        out << "ladder: nothing to draw\n";
        return;
    }

    // The rows, in step order.
    std::vector<Row> rows;
    const auto note = [&](const LadderStep& s, std::string text) {
        if (text.empty()) return;
        const auto c = ladder.column(s.host);
        if (!c) return;
        Row r;
        r.t = s.t;
        r.column = *c;
        r.label = terminal_safe(text);
        rows.push_back(std::move(r));
    };
    const auto owned = [&](const LadderStep& s, std::string_view text) {
        std::string owner = ladder.state_owner(s.host, s.socket);
        return owner.empty() ? std::string(text) : owner + " " + std::string(text);
    };
    for (std::size_t i = 0; i < ladder.steps.size(); ++i) {
        const LadderStep& s = ladder.steps[i];
        switch (s.kind) {
            case LadderStepKind::Send: {
                const LadderSegment& seg = ladder.segments[s.item];
                Row r;
                r.kind = RowKind::Arrow;
                r.t = s.t;
                r.column = ladder.column(seg.from).value_or(0);
                if (seg.to) r.to = ladder.column(*seg.to);
                r.lost = seg.fate == LadderFate::Dropped;
                r.label = segment_label(seg);
                if (seg.fate == LadderFate::Dropped || seg.arrivals.empty()) {
                    r.fate = fate_text(ladder, seg);
                } else {
                    if (seg.fate == LadderFate::Delayed)
                        r.fate = fmt::format("held {} ({}), ", short_duration(seg.delay), reason_text(ladder, seg));
                    r.fate += "arrives " + ladder.time_text(seg.arrivals[0].t);
                }
                r.fate = terminal_safe(r.fate);
                rows.push_back(r);
                for (std::size_t k = 1; k < seg.arrivals.size(); ++k) {
                    Row copy = r;
                    copy.kind = RowKind::Copy;
                    copy.label = "copy";
                    copy.fate = terminal_safe(fmt::format("copy arrives {} ({})", ladder.time_text(seg.arrivals[k].t),
                                                          reason_text(ladder, seg)));
                    rows.push_back(std::move(copy));
                }
                break;
            }
            case LadderStepKind::Arrive:
            case LadderStepKind::Lose:
                break;
            case LadderStepKind::State: {
                const LadderState& st = ladder.states[s.item];
                std::string text = state_label(ladder, st);
                // TIME_WAIT and the timer that measures it share a row.
                if (i + 1 < ladder.steps.size() && st.to == State::TimeWait) {
                    const LadderStep& next = ladder.steps[i + 1];
                    if (next.kind == LadderStepKind::Timer && next.host == s.host && next.socket == s.socket &&
                        next.t == s.t) {
                        const LadderTimer& t = ladder.timers[next.item];
                        if (t.kind == TimerKind::TimeWait && t.step == i + 1) {
                            text = owned(s, timer_note(ladder, t, i + 1));
                            ++i;
                        }
                    }
                }
                note(s, text);
                break;
            }
            case LadderStepKind::Timer:
                if (const std::string t = timer_note(ladder, ladder.timers[s.item], i); !t.empty())
                    note(s, owned(s, t));
                break;
            case LadderStepKind::Decision:
                note(s, "* " + owned(s, decision_label(ladder.decisions[s.item])));
                break;
            case LadderStepKind::Call:
                note(s, owned(s, call_label(ladder.calls[s.item])));
                break;
        }
    }

    // Quiet stretches.
    const Duration idle = ladder.idle_gap();
    std::vector<Row> all;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > 0 && rows[i].t - rows[i - 1].t > idle) {
            Row r;
            r.kind = RowKind::Idle;
            r.t = rows[i - 1].t;
            r.label = fmt::format("({} later)", short_duration(rows[i].t - rows[i - 1].t));
            all.push_back(std::move(r));
        }
        all.push_back(std::move(rows[i]));
    }

    // Widths: each gap holds its arrows' labels, its notes and the next host's name.
    std::size_t time_width = 4;
    for (const Row& r : all) time_width = std::max(time_width, ladder.time_text(r.t).size());
    std::vector<std::string> names;
    for (const LadderHost& h : ladder.hosts) names.push_back(terminal_safe(h.name));
    std::vector<std::size_t> gap(n > 1 ? n - 1 : 0, 16);
    for (std::size_t i = 0; i + 1 < n; ++i) gap[i] = std::max(gap[i], width(names[i]) + 2);
    for (const Row& r : all) {
        switch (r.kind) {
            case RowKind::Note:
            case RowKind::Idle:
                if (r.column + 1 < n) gap[r.column] = std::max(gap[r.column], width(r.label) + 3);
                break;
            case RowKind::Arrow:
            case RowKind::Copy: {
                // A label fits in one gap; a lost arrow's in the gap by its sender, with
                // room after the cross.
                const std::size_t need = width(r.label) + (r.lost ? 10 : 8);
                if (!r.to || *r.to == r.column) {
                    // Nowhere to go (drawn into the next gap), or a loop beside its own line.
                    if (r.column + 1 < n) gap[r.column] = std::max(gap[r.column], need);
                    break;
                }
                const std::size_t lo = std::min(r.column, *r.to);
                const std::size_t hi = std::max(r.column, *r.to);
                if (r.lost) {
                    std::size_t& g0 = gap[*r.to > r.column ? r.column : r.column - 1];
                    g0 = std::max(g0, need);
                    break;
                }
                std::size_t widest = lo;
                for (std::size_t k = lo; k < hi; ++k)
                    if (gap[k] > gap[widest]) widest = k;
                gap[widest] = std::max(gap[widest], need);
                break;
            }
        }
    }
    std::vector<std::size_t> xs(n);
    xs[0] = time_width + 2;
    for (std::size_t i = 1; i < n; ++i) xs[i] = xs[i - 1] + gap[i - 1];
    const std::size_t last = xs[n - 1];

    Canvas header(last + 1, g);
    header.write(time_width - 4, "time");
    for (std::size_t i = 0; i < n; ++i) header.write(xs[i], names[i]);
    out << header.str() << '\n';

    std::string shown_time;
    for (const Row& r : all) {
        Canvas c(last + 1, g);
        const bool idle_row = r.kind == RowKind::Idle;
        if (!idle_row) {
            const std::string t = ladder.time_text(r.t);
            if (t != shown_time) c.write(time_width - t.size(), t);
            shown_time = t;
        }
        for (std::size_t x : xs) c.put(x, idle_row ? g.idle : g.line);
        switch (r.kind) {
            case RowKind::Note:
            case RowKind::Idle:
                c.write(xs[r.column] + 2, r.label);
                break;
            case RowKind::Arrow:
            case RowKind::Copy: {
                const std::size_t from = xs[r.column];
                std::size_t to = 0;
                if (!r.lost && r.to == r.column) {
                    draw_loop(c, from, r);
                    c.write(std::max(c.size(), last + 1) + 2, r.fate);
                    break;
                }
                if (r.to && *r.to != r.column) {
                    to = xs[*r.to];
                } else {
                    // Nobody to reach (no route): the arrow points into the next gap, or past
                    // the last column.
                    to = r.column + 1 < n ? xs[r.column + 1] : from + width(r.label) + 9;
                }
                draw_arrow(c, from, to, xs, r, r.kind == RowKind::Copy);
                c.write(c.size() + 2, r.fate);
                break;
            }
        }
        out << c.str() << '\n';
    }
    out << "(" << g.legend << "; sequence numbers relative)\n";
}

}  // namespace tcpsim
