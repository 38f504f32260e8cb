// The ladder diagram as terminal text: a column per host, time going down, one row per
// segment sent (an arrow from its sender's column to its receiver's, its fate at the end
// of the row), state change, timer, decision or socket call.
//
//    time  client                                server
//   0.000  | SYN_SENT                            |
//          |------- SYN seq 0 <mss 1460> ------->|  arrives 0.010
//   1.020  |-- ACK seq 2 ack 2 --x               |  lost (fault: lose the client's final ACK)
//          :  (0.99s later)                      :
//
// A state is written beside its column when it changes, a timer when it is set ("TIME_WAIT
// 60s until 61.020"), a decision after a "*". A duplicated segment's second copy is a
// dashed arrow of its own; a quiet stretch longer than Ladder::idle_gap() is a row of ':'
// with the time that passed. Plain ASCII unless `unicode` (box drawing: │ ─ ▶ ✕ ┆).
// Scenario text is written through terminal_safe.
#pragma once

#include <ostream>

#include "tcpsim/views/ladder.hpp"

namespace tcpsim {

struct LadderTextOptions {
    bool unicode = false;
};

void write_ladder_text(std::ostream& out, const Ladder& ladder, const LadderTextOptions& options = {});

}  // namespace tcpsim
