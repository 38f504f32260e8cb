// JSON lines: one object per trace event with stable field names (see README "JSON
// lines"), written as the run goes.
#pragma once

#include <ostream>

#include "tcpsim/trace/sink.hpp"

namespace tcpsim {

class JsonLinesView final : public TraceView {
public:
    explicit JsonLinesView(std::ostream& out) : out_(out) {}

    void on_begin(const TraceNames& names) override;
    void on_event(const TraceEvent& e) override;
    void on_finish(const TraceSummary& summary) override;

private:
    std::ostream& out_;
    const TraceNames* names_ = nullptr;
};

}  // namespace tcpsim
