#include "tcpsim/views/line_plot.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "svg_checks.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

TEST_CASE("line plot keeps each pixel column's min and max when samples outnumber pixels") {
    LinePlot plot({{"spiky", false}});
    for (std::uint32_t i = 0; i < 200'000; ++i) {
        const std::uint32_t v = i == 123'457 ? 7 : 1;  // one sample in 200,000 stands out
        plot.add(Time{} + milliseconds(i), std::span<const std::uint32_t>(&v, 1));
    }
    CHECK(plot.samples() == 200'000);
    CHECK(plot.buckets() <= LinePlot::kMaxBuckets);
    CHECK(plot.buckets() > LinePlot::kMaxBuckets / 2);
    std::ostringstream out;
    plot.write_svg(out, {"t", "", "x", "y"});
    const std::string points = points_of(out.str(), "spiky");
    const std::size_t n = occurrences(points, ",");
    CHECK(n <= 2 * 701);
    CHECK(n >= 700);
    // Peak 7 on an axis to 8: y = 500 - 7 * 436 / 8.
    CHECK(occurrences(points, ",118.5") == 1);
    CHECK(occurrences(points, ",445.5") == n - 1);  // all the others are at 1
}

TEST_CASE("line plot draws the twelve series with the highest peaks and says how many it left out") {
    std::vector<PlotSeries> series;
    std::vector<std::uint32_t> values;
    for (std::uint32_t i = 0; i < 15; ++i) {
        series.push_back({"s" + std::to_string(i), false});
        values.push_back(i);  // s0 stays 0: never drawn, never counted
    }
    LinePlot plot(series);
    plot.add(Time{}, values);
    plot.add(Time{} + seconds(1), values);
    std::ostringstream out;
    plot.write_svg(out, {"t", "", "x", "y"});
    const std::string svg = out.str();
    CHECK(occurrences(svg, "<polyline") == 12);
    CHECK(points_of(svg, "s1") == "");
    CHECK(points_of(svg, "s2") == "");
    CHECK(points_of(svg, "s3") != "");
    CHECK(points_of(svg, "s14") != "");
    CHECK(svg.find(">and 2 more lines, none higher</text>") != std::string::npos);
}

TEST_CASE("line plot of a run where every count stays 0 says so") {
    LinePlot plot({{"a", false}});
    const std::uint32_t zero = 0;
    plot.add(Time{}, std::span<const std::uint32_t>(&zero, 1));
    std::ostringstream out;
    plot.write_svg(out, {"t", "", "x", "y"});
    CHECK(xml_problem(out.str()) == "");
    CHECK(occurrences(out.str(), "<polyline") == 0);
    CHECK(out.str().find("every count stayed at 0") != std::string::npos);
}

TEST_CASE("among lines of equal peaks the plot keeps those that lasted longest") {
    std::vector<PlotSeries> series;
    for (int i = 0; i < 14; ++i) series.push_back({"s" + std::to_string(i), false});
    LinePlot plot(series);
    for (std::uint32_t t = 0; t < 14; ++t) {
        std::vector<std::uint32_t> values;
        for (std::uint32_t i = 0; i < 14; ++i) values.push_back(t <= i ? 1 : 0);  // s<i> is 1 for i+1 samples
        plot.add(Time{} + seconds(t), values);
    }
    std::ostringstream out;
    plot.write_svg(out, {"t", "", "x", "y"});
    const std::string svg = out.str();
    CHECK(occurrences(svg, "<polyline") == 12);
    CHECK(points_of(svg, "s0") == "");
    CHECK(points_of(svg, "s1") == "");
    CHECK(points_of(svg, "s2") != "");
    CHECK(svg.find(">and 2 more lines, none higher</text>") != std::string::npos);
}
