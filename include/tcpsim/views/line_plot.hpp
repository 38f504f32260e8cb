// A line plot of counts sampled over simulated time, written as one self-contained SVG.
//
// Memory stays bounded however long the run: samples go into at most kMaxBuckets
// buckets, each keeping the min and max of every series over the samples it covers;
// when the buckets are full, neighbours merge and each bucket covers twice as many.
// Drawn, a bucket per pixel column keeps its min and max, so a spike of one sample is
// still seen among a million. With few samples every sample is a point of its own.
//
//   LinePlot plot({{"server TIME_WAIT", false}, {"client ports in use", true}});
//   plot.add(Time{}, values);            // one value per series, every sample
//   plot.write_svg(out, {"churn", "sampled every 1s", "simulated time (s)", "count"});
//
// Only series that were ever non-zero are drawn: at most kMaxLines, those with the
// highest peaks (then the largest sums), and the plot says how many it left out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "tcpsim/core/time.hpp"

namespace tcpsim {

struct PlotSeries {
    std::string label;    // legend text (escaped when written)
    bool dashed = false;  // told apart from a solid line of the same values
};

struct PlotText {
    std::string title;
    std::string subtitle;
    std::string x_label;
    std::string y_label;
    std::string narrow_hint;  // under the legend when lines were left out: how to choose
};

class LinePlot {
  public:
    static constexpr std::size_t kMaxBuckets = 2048;
    static constexpr std::size_t kMaxLines = 12;

    explicit LinePlot(std::vector<PlotSeries> series);

    // One sample: a value for every series, at a time no earlier than the last sample's.
    void add(Time t, std::span<const std::uint32_t> values);

    std::uint64_t samples() const { return samples_; }
    std::size_t buckets() const { return buckets_.size(); }

    void write_svg(std::ostream& out, const PlotText& text) const;

  private:
    struct Bucket {
        Time first;
        Time last;
    };
    struct Range {
        std::uint32_t min = 0;
        std::uint32_t max = 0;
    };
    struct Frame;  // where times and counts land in the picture
    void merge_pairs();
    void write_points(std::string& s, const Frame& f, std::size_t series) const;

    std::vector<PlotSeries> series_;
    std::vector<Bucket> buckets_;
    std::vector<std::vector<Range>> ranges_;  // per series, one per bucket; empty while all 0
    std::vector<std::uint32_t> peak_;
    std::vector<std::uint64_t> sum_;  // over every sample: how long a count lasted
    std::uint64_t span_ = 1;     // samples a full bucket covers
    std::uint64_t in_last_ = 0;  // samples in the last bucket
    std::uint64_t samples_ = 0;
};

}  // namespace tcpsim
