#include "tcpsim/views/line_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <iterator>

#include "tcpsim/views/escape.hpp"

namespace tcpsim {
namespace {

constexpr int kWidth = 1000;
constexpr int kHeight = 560;
constexpr int kLeft = 80;  // the plot area
constexpr int kRight = 780;
constexpr int kTop = 64;
constexpr int kBottom = 500;
constexpr int kPlotWidth = kRight - kLeft;
constexpr int kPlotHeight = kBottom - kTop;
constexpr int kLegendX = 800;
constexpr int kLegendRow = 18;

// Tableau 10 and two more: distinct on screen and in print.
constexpr std::array<std::string_view, LinePlot::kMaxLines> kColours{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                                     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                                     "#bcbd22", "#17becf", "#000000", "#aec7e8"};

// A tick step: 1, 2 or 5 times 10^power.
struct Step {
    std::int64_t size = 1;
    int power = 0;
};

// The smallest step with at most `target` steps over `range`. Integers, so the ticks are
// the same on every machine.
Step nice_step(std::int64_t range, std::int64_t target) {
    std::int64_t p = 1;
    for (int power = 0;; ++power, p *= 10) {
        for (std::int64_t m : {1, 2, 5})
            if (m * p * target >= range) return {m * p, power};
    }
}

// A time tick in seconds, with as many decimals as a step of 10^power ns needs.
std::string tick_seconds(std::int64_t ns, int power) {
    const int decimals = std::max(0, 9 - power);
    if (decimals == 0) return std::to_string(ns / 1'000'000'000);
    const std::string frac = fmt::format("{:09}", ns % 1'000'000'000);
    return fmt::format("{}.{}", ns / 1'000'000'000, frac.substr(0, static_cast<std::size_t>(decimals)));
}

// A count tick: 30000 reads as 30k when the steps are whole thousands.
std::string tick_count(std::int64_t v, std::int64_t step) {
    return step >= 1000 && v > 0 ? fmt::format("{}k", v / 1000) : std::to_string(v);
}

// Lines drawn first are wider, so one under a later line with the same values still shows
// at its edges (a TIME_WAIT count and the ports it holds often coincide).
std::string line_width(std::size_t k, std::size_t lines) {
    const std::size_t wider = std::min<std::size_t>(lines - 1 - k, 3);
    return fmt::format("{:.1f}", 1.5 + 1.0 * static_cast<double>(wider));
}

}  // namespace

LinePlot::LinePlot(std::vector<PlotSeries> series)
    : series_(std::move(series)), ranges_(series_.size()), peak_(series_.size(), 0), sum_(series_.size(), 0) {}

void LinePlot::merge_pairs() {
    const std::size_t half = buckets_.size() / 2;
    for (std::size_t i = 0; i < half; ++i) buckets_[i] = {buckets_[2 * i].first, buckets_[2 * i + 1].last};
    buckets_.resize(half);
    for (std::vector<Range>& r : ranges_) {
        if (r.empty()) continue;
        for (std::size_t i = 0; i < half; ++i)
            r[i] = {std::min(r[2 * i].min, r[2 * i + 1].min), std::max(r[2 * i].max, r[2 * i + 1].max)};
        r.resize(half);
    }
    span_ *= 2;
}

void LinePlot::add(Time t, std::span<const std::uint32_t> values) {
    assert(values.size() == series_.size());
    assert(buckets_.empty() || buckets_.back().last <= t);
    const bool fresh = buckets_.empty() || in_last_ == span_;
    if (fresh) {
        if (buckets_.size() == kMaxBuckets) merge_pairs();
        buckets_.push_back({t, t});
        in_last_ = 0;
    }
    buckets_.back().last = t;
    for (std::size_t i = 0; i < series_.size(); ++i) {
        const std::uint32_t v = values[i];
        std::vector<Range>& r = ranges_[i];
        if (r.empty() && v == 0) continue;
        peak_[i] = std::max(peak_[i], v);
        sum_[i] += v;
        if (r.empty()) {
            // Until now the series was 0 in every bucket, the current one included.
            r.assign(buckets_.size(), Range{});
            r.back() = {in_last_ == 0 ? v : 0, v};
        } else if (fresh) {
            r.push_back({v, v});
        } else {
            r.back() = {std::min(r.back().min, v), std::max(r.back().max, v)};
        }
    }
    ++in_last_;
    ++samples_;
}

struct LinePlot::Frame {
    Time t_min;
    std::int64_t t_span = 1;  // ns, > 0
    std::int64_t y_max = 1;   // > 0

    double x(Time t) const { return kLeft + static_cast<double>((t - t_min).ns) * kPlotWidth / t_span; }
    double y(std::uint32_t v) const { return kBottom - static_cast<double>(v) * kPlotHeight / y_max; }
    std::int64_t column(Time t) const { return (t - t_min).ns * kPlotWidth / t_span; }
};

void LinePlot::write_points(std::string& s, const Frame& f, std::size_t series) const {
    const std::vector<Range>& r = ranges_[series];
    auto w = std::back_inserter(s);
    bool first = true;
    const auto point = [&](double x, std::uint32_t v) {
        fmt::format_to(w, "{}{:.1f},{:.1f}", first ? "" : " ", x, f.y(v));
        first = false;
    };
    // Few samples: each is a point of its own.
    if (span_ == 1 && buckets_.size() <= static_cast<std::size_t>(kPlotWidth)) {
        for (std::size_t b = 0; b < buckets_.size(); ++b) point(f.x(buckets_[b].first), r[b].max);
        return;
    }
    // Otherwise each pixel column keeps the min and max of its buckets, the one nearer the
    // previous column first so the line joins up.
    const auto distance = [](std::uint32_t a, std::uint32_t b) { return a > b ? a - b : b - a; };
    std::uint32_t previous = r.front().min;
    for (std::size_t b = 0; b < buckets_.size();) {
        const std::int64_t column = f.column(buckets_[b].first);
        Range c = r[b];
        for (++b; b < buckets_.size() && f.column(buckets_[b].first) == column; ++b)
            c = {std::min(c.min, r[b].min), std::max(c.max, r[b].max)};
        const double x = static_cast<double>(kLeft + column);
        const bool max_first = distance(previous, c.max) < distance(previous, c.min);
        point(x, max_first ? c.max : c.min);
        if (c.min != c.max) point(x, max_first ? c.min : c.max);
        previous = max_first ? c.min : c.max;
    }
}

void LinePlot::write_svg(std::ostream& out, const PlotText& text) const {
    // Drawn highest peak first (then the longest-lasting), so small counts stay on top of a
    // pile-up; listed in the legend in series order.
    std::vector<std::size_t> drawn;
    for (std::size_t i = 0; i < series_.size(); ++i)
        if (!ranges_[i].empty()) drawn.push_back(i);
    const std::size_t nonzero = drawn.size();
    std::stable_sort(drawn.begin(), drawn.end(), [&](std::size_t a, std::size_t b) {
        return peak_[a] != peak_[b] ? peak_[a] > peak_[b] : sum_[a] > sum_[b];
    });
    if (drawn.size() > kMaxLines) drawn.resize(kMaxLines);
    std::vector<std::size_t> legend = drawn;
    std::sort(legend.begin(), legend.end());
    const auto position = [](const std::vector<std::size_t>& v, std::size_t i) {
        return static_cast<std::size_t>(std::find(v.begin(), v.end(), i) - v.begin());
    };
    const auto colour = [&](std::size_t i) { return kColours[position(legend, i)]; };
    const auto width = [&](std::size_t i) { return line_width(position(drawn, i), drawn.size()); };
    const auto dash = [&](std::size_t i) { return series_[i].dashed ? " stroke-dasharray=\"6 3\"" : ""; };

    std::uint32_t peak = 1;
    for (std::size_t i : drawn) peak = std::max(peak, peak_[i]);
    const Step y_step = nice_step(peak, 6);
    Frame f;
    f.y_max = (peak / y_step.size + 1) * y_step.size;  // headroom: the peak never lies on the frame
    f.t_min = buckets_.empty() ? Time{} : buckets_.front().first;
    const Time t_last = buckets_.empty() ? Time{} : buckets_.back().last;
    const Time t_max = t_last > f.t_min ? t_last : f.t_min + seconds(1);  // an axis needs a span
    f.t_span = (t_max - f.t_min).ns;
    const Step x_step = nice_step(f.t_span, 10);
    const std::int64_t first_tick = (f.t_min.ns + x_step.size - 1) / x_step.size * x_step.size;
    const auto y_at = [&](std::int64_t v) { return f.y(static_cast<std::uint32_t>(v)); };

    std::string s;
    auto w = std::back_inserter(s);
    fmt::format_to(w,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                   "font-family=\"sans-serif\" font-size=\"12\">\n",
                   kWidth, kHeight);
    fmt::format_to(w, "<title>{}</title>\n", xml_escape(text.title));
    fmt::format_to(w, "<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n", kWidth, kHeight);
    fmt::format_to(w, "<text x=\"{}\" y=\"26\" font-size=\"16\" font-weight=\"bold\">{}</text>\n", kLeft,
                   xml_escape(text.title));
    fmt::format_to(w, "<text x=\"{}\" y=\"46\" fill=\"#555555\">{}</text>\n", kLeft, xml_escape(text.subtitle));

    // Grid, axes, ticks and their labels.
    s += "<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n";
    for (std::int64_t v = 0; v <= f.y_max; v += y_step.size)
        fmt::format_to(w, "<line x1=\"{0}\" y1=\"{2:.1f}\" x2=\"{1}\" y2=\"{2:.1f}\"/>\n", kLeft, kRight, y_at(v));
    for (std::int64_t t = first_tick; t <= t_max.ns; t += x_step.size)
        fmt::format_to(w, "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>\n", f.x(Time{t}), kTop, kBottom);
    s += "</g>\n";
    fmt::format_to(w,
                   "<g stroke=\"#333333\" stroke-width=\"1\"><line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>"
                   "<line x1=\"{0}\" y1=\"{3}\" x2=\"{0}\" y2=\"{2}\"/></g>\n",
                   kLeft, kRight, kBottom, kTop);
    s += "<g fill=\"#333333\" text-anchor=\"end\">\n";
    for (std::int64_t v = 0; v <= f.y_max; v += y_step.size)
        fmt::format_to(w, "<text x=\"{}\" y=\"{:.1f}\">{}</text>\n", kLeft - 6, y_at(v) + 4,
                       tick_count(v, y_step.size));
    s += "</g>\n<g fill=\"#333333\" text-anchor=\"middle\">\n";
    for (std::int64_t t = first_tick; t <= t_max.ns; t += x_step.size)
        fmt::format_to(w, "<text x=\"{:.1f}\" y=\"{}\">{}</text>\n", f.x(Time{t}), kBottom + 18,
                       tick_seconds(t, x_step.power));
    s += "</g>\n";
    fmt::format_to(w, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", kLeft + kPlotWidth / 2,
                   kBottom + 42, xml_escape(text.x_label));
    fmt::format_to(w, "<text x=\"24\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 24 {0})\">{1}</text>\n",
                   kTop + kPlotHeight / 2, xml_escape(text.y_label));

    // The lines, each with its label as a tooltip.
    for (std::size_t i : drawn) {
        fmt::format_to(w, "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} points=\"", colour(i), width(i),
                       dash(i));
        write_points(s, f, i);
        fmt::format_to(w, "\"><title>{}</title></polyline>\n", xml_escape(series_[i].label));
    }
    if (drawn.empty())
        fmt::format_to(
            w, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555555\">every count stayed at 0</text>\n",
            kLeft + kPlotWidth / 2, kTop + kPlotHeight / 2);

    // The legend.
    s += "<g>\n";
    for (std::size_t k = 0; k < legend.size(); ++k) {
        const std::size_t i = legend[k];
        const int y = kTop + 8 + static_cast<int>(k) * kLegendRow;
        fmt::format_to(w, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
                       kLegendX, y, kLegendX + 28, y, colour(i), width(i), dash(i));
        fmt::format_to(w, "<text x=\"{}\" y=\"{}\">{}</text>\n", kLegendX + 34, y + 4, xml_escape(series_[i].label));
    }
    if (nonzero > drawn.size()) {
        const int y = kTop + 8 + static_cast<int>(drawn.size()) * kLegendRow + 4;
        fmt::format_to(w, "<text x=\"{}\" y=\"{}\" fill=\"#555555\">and {} more lines, none higher</text>\n", kLegendX,
                       y, nonzero - drawn.size());
        if (!text.narrow_hint.empty())
            fmt::format_to(w, "<text x=\"{}\" y=\"{}\" fill=\"#555555\">{}</text>\n", kLegendX, y + kLegendRow,
                           xml_escape(text.narrow_hint));
    }
    s += "</g>\n</svg>\n";
    out << s;
}

}  // namespace tcpsim
