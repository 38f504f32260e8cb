// A scenario as plain configuration: what the loader produces from a JSON file and what
// the world is built from. No behaviour lives here.
//
// Every element keeps the JSON pointer it came from, so problems found later (at build
// or run time) can still name the field.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/core/time.hpp"
#include "tcpsim/profile/profile.hpp"
#include "tcpsim/host/socket_events.hpp"
#include "tcpsim/link/link_config.hpp"
#include "tcpsim/tcp/socket_options.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/net/crafted_segment.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/net/tcp_state.hpp"
#include "tcpsim/trace/event.hpp"
#include "tcpsim/trace/sink.hpp"

namespace tcpsim {

struct HostConfig {
    std::string name;
    Ipv4 address;
    // The profile's rules with the host's overrides ("msl", "sysctl") applied.
    ProfileRules rules;
    std::optional<std::uint32_t> isn;  // fixed initial sequence number (teaching)
    // TSval clock offset (RFC 7323 5.4); unset: drawn from the host's RNG stream.
    std::optional<std::uint32_t> timestamp_offset;
    std::string pointer;
};

struct LinkConfig {
    std::string a;  // host names
    std::string b;
    LinkDirectionConfig a_to_b;
    LinkDirectionConfig b_to_a;
    std::string pointer;
};

// When an app action runs.
enum class Trigger : std::uint8_t {
    At,          // at a simulated time
    Connected,   // the socket reached ESTABLISHED (connect returned / accepted)
    Data,        // the application read new bytes (or bytes became readable)
    PeerClosed,  // the application read end-of-stream (peer's FIN)
    Error,       // the connection failed (RST, timeout)
    Idle,        // nothing was read for `after` since connected or the last data
};
inline constexpr std::size_t kTriggerCount = 6;
static_assert(static_cast<std::size_t>(Trigger::Idle) + 1 == kTriggerCount, "a trigger was added");

// What listen, connect and setsockopt set up: kept out of line, since most actions of a
// long script are sends, reads and closes.
struct SocketSetup {
    // listen
    std::uint16_t port = 0;
    std::string accept_as;  // accepted connections are named accept_as, accept_as.2, ...
    // connect
    std::string to_host;    // host name (resolved by the world) or empty when to_ip given
    std::optional<Ipv4> to_ip;
    std::uint16_t to_port = 0;
    std::optional<std::uint16_t> from_port;
    std::optional<std::uint32_t> isn;         // the SYN's ISN, overriding the host's
    std::optional<bool> tcp_timestamps;       // offer timestamps, overriding the profile
    bool autoread = true;   // listen/connect: the app reads everything as it arrives
    // socket options (accepted sockets inherit the listener's)
    SocketOptionsChange options;
};

struct AppAction {
    Trigger trigger = Trigger::At;
    CallKind call = CallKind::Connect;
    ShutdownHow how = ShutdownHow::Write;  // shutdown
    Time at;              // Trigger::At
    Duration after;       // reactions: wait this long after the event
    // Repeats the action at this interval while its socket stays open.
    std::optional<Duration> every;
    std::uint64_t bytes = 0;      // send
    std::uint64_t max_bytes = 0;  // recv: at most this many bytes (0 = everything readable)
    std::string socket;   // the socket's name in the scenario
    std::string text;     // send these bytes instead of a generated pattern
    std::shared_ptr<const SocketSetup> setup;  // listen, connect, setsockopt
    std::shared_ptr<const CraftedSegment> crafted;  // send_segment
    std::string pointer;
};

struct AppConfig {
    std::string host;
    std::vector<AppAction> actions;
};

enum class ExpectKind : std::uint8_t {
    StateAt,          // a socket's state at a time
    FinalState,       // a socket's state when the run ends
    Segments,         // how many segments match (from, event, flags, len)
    CallResult,       // a call's result or errno
    Transition,       // a state change happened (optionally at an exact time)
    Timer,            // timer events matching (kind, action)
    StreamIntegrity,  // bytes read equal bytes written
    RunEnd,           // how the run ended
    Counter,          // a host's protocol counter (TCPTimeWaitOverflow, TWRecycled, ...)
};

struct CountSpec {
    std::optional<std::uint64_t> equals;
    std::optional<std::uint64_t> min;
    std::optional<std::uint64_t> max;
};

struct Expectation {
    ExpectKind kind = ExpectKind::FinalState;
    std::string host;  // Segments: the sending host ("from")
    std::string socket;
    std::optional<Time> at;
    std::optional<State> state;         // StateAt/FinalState: "is"; Transition: "to"
    std::optional<State> from_state;    // Transition: "from"
    // Segments
    std::optional<SegmentEvent> segment_event;
    std::optional<Flags> flags;
    std::optional<std::uint32_t> len;
    std::optional<std::uint32_t> seq;  // absolute sequence numbers (fix ISNs to predict them)
    std::optional<std::uint32_t> ack;
    // CallResult
    std::optional<CallKind> call;
    std::optional<Errno> error;       // expected errno ("0" = success)
    std::optional<std::int64_t> value; // expected byte count
    // Timer
    std::optional<TimerKind> timer;
    std::optional<TimerAction> timer_action;
    // StreamIntegrity
    bool integrity_ok = true;
    // RunEnd
    RunEnd run_end = RunEnd::Quiescent;
    // Counter: its final value is checked against `count`
    Counter counter = Counter::TimeWaitOverflow;
    CountSpec count;
    std::string description;  // the user's "why", printed on failure
    std::string pointer;
};

struct Limits {
    std::optional<Time> duration;  // run stops here by design
    Time time_cap = Time{} + minutes(60);
    std::uint64_t event_cap = 10'000'000;
};

struct Scenario {
    std::string file;
    std::string name;
    std::string description;
    std::uint64_t seed = 1;
    Limits limits;
    std::vector<HostConfig> hosts;
    std::vector<NatConfig> nats;
    std::vector<LinkConfig> links;  // between hosts and/or NATs
    std::vector<FaultConfig> faults;
    std::vector<AppConfig> apps;
    std::vector<Expectation> expectations;

    const HostConfig* find_host(const std::string& name) const;
};

}  // namespace tcpsim
