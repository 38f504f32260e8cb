// The typed events a run produces. Every view (timeline, JSON lines, verdicts) is a
// function of these; nothing else of the world reaches a view.
//
// One flat struct rather than a variant: events are written millions of times per
// second, and most fields are small. `kind` says which fields are meaningful.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpsim/core/errno.hpp"
#include "tcpsim/core/time.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/net/tcp_state.hpp"

namespace tcpsim {

// Counter: a host's protocol counter went up (named as Linux's MIB counters:
// TCPTimeWaitOverflow, TWRecycled, PAWSPassiveRejected...); `text` names it, `value` is
// the new total.
enum class TraceKind : std::uint8_t { Segment, State, Timer, Call, Link, Counter };

// What happened to a segment. Send/Deliver happen at a host; the rest on a link.
enum class SegmentEvent : std::uint8_t { Send, Deliver, Drop, Duplicate, Delay };

enum class TimerKind : std::uint8_t { Retransmit, TimeWait, FinWait2, Keepalive, Persist };

enum class TimerAction : std::uint8_t { Set, Restart, Cancel, Expire };

enum class CallKind : std::uint8_t {
    Bind,
    Listen,
    Connect,
    Accept,
    Send,
    Recv,
    Shutdown,
    Close,
    Abort,
    Setsockopt,
    Reboot,  // the host crashed and came back: every socket and connection is gone
};

std::string_view to_string(TraceKind k);
std::string_view to_string(SegmentEvent e);
std::string_view to_string(TimerKind k);
std::string_view to_string(TimerAction a);
std::string_view to_string(CallKind c);
std::optional<SegmentEvent> parse_segment_event(std::string_view s);
std::optional<TimerKind> parse_timer_kind(std::string_view s);
std::optional<TimerAction> parse_timer_action(std::string_view s);
std::optional<CallKind> parse_call_kind(std::string_view s);

// Why a state changed: the event in RFC words and the clause (or OS rule) behind it.
// Both point at string literals.
struct Cause {
    const char* event = "";
    const char* clause = "";
};

inline constexpr std::int32_t kNoSocket = -1;

struct TraceEvent {
    Time t;
    TraceKind kind = TraceKind::Segment;
    std::uint16_t host = 0;            // index into TraceHeader::hosts
    std::int32_t socket = kNoSocket;   // index into Trace socket labels
    bool has_conn = false;
    FourTuple conn;                    // local first, as seen from `host`

    // Segment
    SegmentEvent segment_event = SegmentEvent::Send;
    Flags flags = Flags::None;
    Seq seq;
    Seq ack;
    std::uint32_t len = 0;
    std::uint16_t win = 0;
    std::optional<std::uint16_t> mss;
    std::optional<TimestampOption> ts;
    const char* reason = "";  // drop/duplicate/delay: "loss", "fault", "duplicate", "reorder"
    std::int32_t text = -1;   // index into Trace texts: a fault's description (Link events)
    Duration delay;            // segment Delay / Send: the link's one-way delay for it

    // State
    State from = State::Closed;
    State to = State::Closed;
    Cause cause;
    Errno error = Errno::Ok;  // also Call results

    // Timer
    TimerKind timer = TimerKind::Retransmit;
    TimerAction action = TimerAction::Set;
    Time expires;

    // Call: result is error when not Ok, otherwise `value` (bytes or 0).
    CallKind call = CallKind::Connect;
    std::int64_t value = 0;
    bool integrity_ok = true;  // Recv: the bytes read equal the bytes the peer wrote
};

// Copies a segment's header fields (flags, seq, ack, len, win, MSS, timestamps) into `e`.
void set_segment_fields(TraceEvent& e, const Segment& s);

}  // namespace tcpsim
