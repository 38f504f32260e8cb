// The terminal timeline: one line per trace event, simulated time first.
//
//   61.010000000 client   c  FIN_WAIT_2 -> TIME_WAIT  rcv FIN (RFC 9293 3.10.7.4)
#pragma once

#include <ostream>

#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

void write_timeline(const Trace& trace, std::ostream& out);

}  // namespace tcpsim
