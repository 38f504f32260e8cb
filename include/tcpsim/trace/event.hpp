// The typed events a run produces. Every view (timeline, JSON lines, pcap, ladder,
// verdicts...) is a function of these; nothing else of the world reaches a view.
//
// One flat struct rather than a variant: events are written millions of times per
// second, and most fields are small. `kind` says which fields are meaningful.
//
// Every segment has an id, the same on every event about it (send, drop, duplicate,
// delay, deliver, and the decisions a receiver made about it), so views pair them up.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tcpsim/core/errno.hpp"
#include "tcpsim/core/time.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/net/tcp_state.hpp"
#include "tcpsim/trace/cause.hpp"
#include "tcpsim/trace/counter.hpp"

namespace tcpsim {

// Decision: a stack decided something about a segment (or a call) that its state and
// the segments it sends do not show by themselves: a segment ignored or dropped, an ACK
// left unsent by a rate limit, a connect() with no free port.
enum class TraceKind : std::uint8_t { Segment, State, Timer, Call, Link, Counter, Decision };

// What happened to a segment. Send/Deliver happen at a host; the rest on a link.
enum class SegmentEvent : std::uint8_t { Send, Deliver, Drop, Duplicate, Delay };

// Why a link dropped, duplicated or delayed a segment.
enum class LinkReason : std::uint8_t { None, Loss, Fault, Duplicate, Reorder, NoRoute, NatNoMapping, NatNoFreePort };

// A Link event: a scripted fault hit a segment, or a NAT made a mapping for one.
enum class LinkEvent : std::uint8_t { Fault, NatMapping };

enum class TimerKind : std::uint8_t { Retransmit, TimeWait, FinWait2, Keepalive, Persist };
inline constexpr std::size_t kTimerKinds = 5;

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
    SendSegment,  // a raw socket sent a segment the scenario crafted
};

std::string_view to_string(TraceKind k);
std::string_view to_string(SegmentEvent e);
std::string_view to_string(LinkReason r);
std::string_view to_string(TimerKind k);
std::string_view to_string(TimerAction a);
std::string_view to_string(CallKind c);
std::optional<SegmentEvent> parse_segment_event(std::string_view s);
std::optional<TimerKind> parse_timer_kind(std::string_view s);
std::optional<TimerAction> parse_timer_action(std::string_view s);
std::optional<CallKind> parse_call_kind(std::string_view s);

inline constexpr std::int32_t kNoSocket = -1;

// A socket as the scenario names it: `name` indexes TraceNames::sockets; connections a
// listener accepts are numbered, instance 1 printing as "s", instance n as "s.n".
struct SocketRef {
    std::int32_t name = kNoSocket;
    std::uint32_t instance = 0;

    bool valid() const { return name != kNoSocket; }
    bool operator==(const SocketRef&) const = default;
};

// Why connect() found no port: what held the ports of the range toward that destination.
struct PortsHeld {
    std::uint32_t range = 0;        // ports connect() may choose from
    std::uint32_t connections = 0;  // held by a live connection to the same destination
    std::uint32_t time_wait = 0;    // held by a TIME-WAIT entry it may not take over
    std::uint32_t bound = 0;        // held by an explicit bind() or a listener
};

struct TraceEvent {
    Time t;
    TraceKind kind = TraceKind::Segment;
    std::uint16_t host = 0;  // index into TraceNames::hosts
    SocketRef socket;
    bool has_conn = false;
    FourTuple conn;  // local first, as seen from `host`; a segment's on a link: src, dst

    // Segment (and the segment a Decision or Link event is about).
    std::uint64_t segment = 0;  // the segment's id; 0: none
    SegmentEvent segment_event = SegmentEvent::Send;
    Flags flags = Flags::None;
    Seq seq;
    Seq ack;
    std::uint32_t len = 0;
    std::uint16_t win = 0;
    SegmentOptions options;
    // The payload, borrowed: valid only while a sink handles the event (stored traces
    // drop it).
    std::span<const std::uint8_t> payload;
    LinkReason reason = LinkReason::None;  // drop/duplicate/delay
    Duration delay;                        // Delay: how much later

    // Link
    LinkEvent link = LinkEvent::Fault;
    std::int32_t fault = -1;    // index into TraceNames::faults
    std::uint16_t nat = 0;      // index into TraceNames::nats
    Endpoint mapped;            // NatMapping: the public address and port given to conn.local

    // State; also the cause of a Decision.
    State from = State::Closed;
    State to = State::Closed;
    Cause cause = Cause::None;
    Errno error = Errno::Ok;  // also Call results
    Duration length;          // a TIME-WAIT's length, for its expiry's cause

    // Timer
    TimerKind timer = TimerKind::Retransmit;
    TimerAction action = TimerAction::Set;
    Time expires;

    // Call: result is error when not Ok, otherwise `value` (bytes or 0). Counter: `value`
    // is the new total.
    CallKind call = CallKind::Connect;
    std::int64_t value = 0;
    bool integrity_ok = true;  // Recv: the bytes read equal the bytes the peer wrote
    Counter counter = Counter::TimeWaitOverflow;
    PortsHeld ports;  // Decision PortsExhausted
};

// Copies a segment's id, header fields, options and (borrowed) payload into `e`.
void set_segment_fields(TraceEvent& e, const Segment& s);

}  // namespace tcpsim
