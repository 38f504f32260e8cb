// Socket options a connection obeys, as setsockopt() sets them.
//
//   SocketOptions o;
//   o.keepalive = true;
//   o.keep_idle = seconds(3);    // TCP_KEEPIDLE; unset means the profile's keepalive_time
//   o.linger = Duration{};       // SO_LINGER{1,0}: close() resets instead of closing
#pragma once

#include <cstdint>
#include <optional>

#include "tcpsim/core/time.hpp"

namespace tcpsim {

struct SocketOptions {
    bool reuse_address = false;            // SO_REUSEADDR
    bool keepalive = false;                // SO_KEEPALIVE
    std::optional<Duration> keep_idle;     // TCP_KEEPIDLE
    std::optional<Duration> keep_interval; // TCP_KEEPINTVL
    std::optional<int> keep_count;         // TCP_KEEPCNT
    std::optional<Duration> linger;        // SO_LINGER on, with this time
    // Set by a scenario's connect, not by any setsockopt(): the ISN the SYN carries
    // (whatever the profile or a TIME-WAIT takeover would choose), and whether the SYN
    // offers timestamps (else the profile's tcp_timestamps).
    std::optional<std::uint32_t> isn;
    std::optional<bool> timestamps;
};

// Options named in one setsockopt-like step; unnamed ones keep their value.
struct SocketOptionsChange {
    std::optional<bool> reuse_address;
    std::optional<bool> keepalive;
    std::optional<Duration> keep_idle;
    std::optional<Duration> keep_interval;
    std::optional<int> keep_count;
    std::optional<std::optional<Duration>> linger;  // set to nullopt: SO_LINGER off

    bool empty() const {
        return !reuse_address && !keepalive && !keep_idle && !keep_interval && !keep_count && !linger;
    }
    void apply_to(SocketOptions& o) const {
        if (reuse_address) o.reuse_address = *reuse_address;
        if (keepalive) o.keepalive = *keepalive;
        if (keep_idle) o.keep_idle = *keep_idle;
        if (keep_interval) o.keep_interval = *keep_interval;
        if (keep_count) o.keep_count = *keep_count;
        if (linger) o.linger = *linger;
    }
};

}  // namespace tcpsim
