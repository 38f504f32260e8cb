#include "tcpsim/trace/event.hpp"

#include <array>
#include <utility>

namespace tcpsim {
namespace {

template <typename E, std::size_t N>
std::optional<E> find_name(const std::array<std::pair<E, std::string_view>, N>& table,
                           std::string_view s) {
    for (const auto& [value, name] : table) {
        if (name == s) return value;
    }
    return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
    for (const auto& [value, name] : table) {
        if (value == v) return name;
    }
    return "?";
}

constexpr std::array<std::pair<TraceKind, std::string_view>, 7> kKinds{{
    {TraceKind::Segment, "segment"},
    {TraceKind::State, "state"},
    {TraceKind::Timer, "timer"},
    {TraceKind::Call, "call"},
    {TraceKind::Link, "link"},
    {TraceKind::Counter, "counter"},
    {TraceKind::Decision, "decision"},
}};
constexpr std::array<std::pair<LinkReason, std::string_view>, 8> kLinkReasons{{
    {LinkReason::None, ""},
    {LinkReason::Loss, "loss"},
    {LinkReason::Fault, "fault"},
    {LinkReason::Duplicate, "duplicate"},
    {LinkReason::Reorder, "reorder"},
    {LinkReason::NoRoute, "no route"},
    {LinkReason::NatNoMapping, "nat: no mapping"},
    {LinkReason::NatNoFreePort, "nat: no free port"},
}};
constexpr std::array<std::pair<SegmentEvent, std::string_view>, 5> kSegmentEvents{{
    {SegmentEvent::Send, "send"},
    {SegmentEvent::Deliver, "deliver"},
    {SegmentEvent::Drop, "drop"},
    {SegmentEvent::Duplicate, "duplicate"},
    {SegmentEvent::Delay, "delay"},
}};
constexpr std::array<std::pair<TimerKind, std::string_view>, 5> kTimers{{
    {TimerKind::Retransmit, "retransmit"},
    {TimerKind::TimeWait, "time_wait"},
    {TimerKind::FinWait2, "fin_wait_2"},
    {TimerKind::Keepalive, "keepalive"},
    {TimerKind::Persist, "persist"},
}};
constexpr std::array<std::pair<TimerAction, std::string_view>, 4> kTimerActions{{
    {TimerAction::Set, "set"},
    {TimerAction::Restart, "restart"},
    {TimerAction::Cancel, "cancel"},
    {TimerAction::Expire, "expire"},
}};
constexpr std::array<std::pair<CallKind, std::string_view>, 12> kCalls{{
    {CallKind::Bind, "bind"},
    {CallKind::Listen, "listen"},
    {CallKind::Connect, "connect"},
    {CallKind::Accept, "accept"},
    {CallKind::Send, "send"},
    {CallKind::Recv, "recv"},
    {CallKind::Shutdown, "shutdown"},
    {CallKind::Close, "close"},
    {CallKind::Abort, "abort"},
    {CallKind::Setsockopt, "setsockopt"},
    {CallKind::Reboot, "reboot"},
    {CallKind::SendSegment, "send_segment"},
}};

}  // namespace

void set_segment_fields(TraceEvent& e, const Segment& s) {
    e.segment = s.id;
    e.flags = s.flags;
    e.seq = s.seq;
    e.ack = s.ack;
    e.len = s.len();
    e.win = s.window;
    e.options = s.options;
    if (s.payload) e.payload = {s.payload->data(), s.payload->size()};
}

std::string_view to_string(TraceKind k) { return name_of(kKinds, k); }
std::string_view to_string(SegmentEvent e) { return name_of(kSegmentEvents, e); }
std::string_view to_string(LinkReason r) { return name_of(kLinkReasons, r); }
std::string_view to_string(TimerKind k) { return name_of(kTimers, k); }
std::string_view to_string(TimerAction a) { return name_of(kTimerActions, a); }
std::string_view to_string(CallKind c) { return name_of(kCalls, c); }
std::optional<SegmentEvent> parse_segment_event(std::string_view s) { return find_name(kSegmentEvents, s); }
std::optional<TimerKind> parse_timer_kind(std::string_view s) { return find_name(kTimers, s); }
std::optional<TimerAction> parse_timer_action(std::string_view s) { return find_name(kTimerActions, s); }
std::optional<CallKind> parse_call_kind(std::string_view s) { return find_name(kCalls, s); }

}  // namespace tcpsim
