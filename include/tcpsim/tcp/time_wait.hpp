// TIME-WAIT as a compact record instead of a whole connection (as Linux replaces a socket
// by a tcp_timewait_sock, L-ENTER-1), and the rules for segments that reach it, per
// profile: RFC 9293, FreeBSD tcp_twcheck (B-TW-*) or Linux tcp_timewait_state_process
// (L-TW-*), with the SYN-acceptance rule chosen separately (RFC 793, RFC 1122, RFC 6191,
// Linux).
//
//   TimeWaitRecord r = TimeWaitRecord::from(conn, label, now);
//   TimeWaitOutcome o = on_time_wait_segment(r, tuple, seg, rules, now, has_listener);
//   if (o.reply) send(*o.reply);
#pragma once

#include <cstdint>
#include <optional>

#include "tcpsim/core/time.hpp"
#include "tcpsim/profile/profile.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/trace/event.hpp"

namespace tcpsim {

class Connection;

struct TimeWaitRecord {
    Seq snd_nxt;
    Seq rcv_nxt;
    std::uint32_t rcv_wnd = 0;        // the window last offered, in bytes (RCV.WND)
    std::uint8_t rcv_wscale = 0;      // Rcv.Wind.Shift: a reply's window field is rcv_wnd >> it
    bool reuse_address = false;       // SO_REUSEADDR of the socket it came from (L-BIND-1)
    bool ts_on = false;               // the connection used timestamps
    std::uint32_t ts_recent = 0;
    std::uint32_t ts_offset = 0;      // for the TSval of our replies
    std::optional<Time> ts_recent_stamp;
    SocketRef socket;                 // the socket it came from, as the trace names it
    Time entered;                     // tw_entry_stamp (tw_reuse delay, L-REUSE-3)
    Time expires;
    Duration length;                  // what a restart re-arms (2MSL, or 3.5 RTO with tw_recycle)
    Cause expiry_cause = Cause::TimeWait2Msl;  // what set `length`
    std::optional<Time> last_ratelimited_ack;  // L-TW-4 rate limit

    static TimeWaitRecord from(const Connection& c, SocketRef socket, Time now);
};

struct TimeWaitOutcome {
    std::optional<Segment> reply;
    bool restart_timer = false;
    bool close = false;               // leave TIME-WAIT now (CLOSED)
    // A SYN that starts a new incarnation: the entry goes and the listener takes the SYN,
    // with this ISN when the rule fixes one (else the host's ISN generator picks).
    bool reopen = false;
    std::optional<Seq> reopen_isn;
    std::optional<std::uint32_t> new_ts_recent;
    bool ratelimited_ack = false;     // the reply counts against the rate limit
    // Why: for close and reopen, the cause of TIME-WAIT -> CLOSED; otherwise the record's
    // decision about the segment.
    Cause cause = Cause::None;
};

TimeWaitOutcome on_time_wait_segment(const TimeWaitRecord& r, const FourTuple& tuple,
                                     const Segment& seg, const ProfileRules& rules, Time now,
                                     bool listener_exists);

// L-REUSE-3: may connect() take over this TIME-WAIT 4-tuple? `port_was_bound`: the local
// port came from an explicit bind() (then tcp_tw_reuse does not matter).
bool time_wait_reusable(const TimeWaitRecord& r, const FourTuple& tuple, const ProfileRules& rules,
                        Time now, bool port_was_bound);

// L-TW-3 / L-REUSE-4: the ISN of a connection that replaces a TIME-WAIT entry.
Seq isn_after_time_wait(const TimeWaitRecord& r);

// The cause a TIME-WAIT's expiry names: what set its length.
Cause time_wait_expiry_cause(TimeWaitLength source);

}  // namespace tcpsim
