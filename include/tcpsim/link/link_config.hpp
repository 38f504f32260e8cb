// How a virtual link behaves per direction, and scripted faults: plain configuration the
// network is built from (the scenario loader fills these in).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tcpsim/core/time.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/net/segment.hpp"

namespace tcpsim {

struct LinkDirectionConfig {
    Duration delay = milliseconds(1);
    Duration jitter;          // uniform extra delay in [0, jitter]
    double loss = 0.0;        // probability a segment is dropped
    double duplicate = 0.0;   // probability a segment is delivered twice
    double reorder = 0.0;     // probability a segment is held back by reorder_delay
    Duration reorder_delay = milliseconds(10);
};

enum class FaultAction : std::uint8_t { Drop, Duplicate, Delay };

// Which segments a fault applies to. Every present field must match.
struct FaultMatch {
    std::optional<std::string> from;  // sending host
    std::optional<Flags> flags;       // exact flag set, e.g. ACK means ACK and nothing else
    std::optional<std::uint32_t> len; // payload length
    std::optional<Time> after;        // sent at or after
    std::optional<Time> before;       // sent before
    // Among the segments matching the fields above (counted from 1): only the nth, or the
    // first `times`; neither means every one.
    std::optional<std::uint32_t> nth;
    std::optional<std::uint32_t> times;
};

struct FaultConfig {
    FaultMatch match;
    FaultAction action = FaultAction::Drop;
    Duration delay;  // Delay: extra time before delivery
    std::string description;  // the user's words, or one made from the match
    std::string pointer;
};

// A NAT box: hosts listed in `inside` reach every host they have no direct link to
// through it; it rewrites their source address to its own and the source port to one of
// its pool, and maps replies back. TCP options (timestamps) pass through unchanged.
struct NatConfig {
    std::string name;
    Ipv4 address;                    // the public address
    std::vector<std::string> inside; // host names
    std::uint16_t port_low = 20000;  // source ports it hands out
    std::uint16_t port_high = 65535;
    Duration mapping_timeout = minutes(2);  // idle mapping lifetime (conntrack TIME_WAIT is 2 min)
    std::string pointer;
};

}  // namespace tcpsim
