// TIME-WAIT as a compact record instead of a whole connection (as Linux replaces a socket
// by a tcp_timewait_sock, L-ENTER-1), and the rules for segments that reach it.
//
//   TimeWaitRecord r = TimeWaitRecord::from(conn);
//   TimeWaitOutcome o = on_time_wait_segment(r, tuple, seg, rules);
//   if (o.reply) send(*o.reply);
#pragma once

#include <cstdint>
#include <optional>

#include "tcpsim/core/time.hpp"
#include "tcpsim/host/profile.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/trace/event.hpp"

namespace tcpsim {

class Connection;

struct TimeWaitRecord {
    Seq snd_nxt;
    Seq rcv_nxt;
    std::uint16_t rcv_wnd = 0;
    std::int32_t socket = kNoSocket;  // trace label of the socket it came from
    Time expires;

    static TimeWaitRecord from(const Connection& c, std::int32_t socket);
};

struct TimeWaitOutcome {
    std::optional<Segment> reply;
    bool restart_timer = false;
    bool close = false;  // leave TIME-WAIT now (CLOSED)
    Cause cause;
};

TimeWaitOutcome on_time_wait_segment(const TimeWaitRecord& r, const FourTuple& tuple,
                                     const Segment& seg, const ProfileRules& rules);

}  // namespace tcpsim
