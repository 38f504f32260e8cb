// JSON lines: one object per trace event with stable field names (see README "JSON lines").
#pragma once

#include <ostream>

#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

void write_json_lines(const Trace& trace, std::ostream& out);

}  // namespace tcpsim
