// An operating system's TCP policy as data: default values plus a few rule choices.
//
// A host starts from a named profile and may override any knob by its sysctl-style name:
//
//   ProfileRules r = *find_profile("linux");
//   apply_knob(r, "net.ipv4.tcp_syn_retries", KnobValue::integer(3));
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tcpsim/core/time.hpp"

namespace tcpsim {

// RFC 9293 3.10.7.4 (RFC 793) closes a TIME-WAIT connection on an acceptable RST;
// RFC 1337 F1 (and FreeBSD tcp_twcheck) ignores it.
enum class RstInTimeWait : std::uint8_t { Close, Ignore };

struct ProfileRules {
    std::string name;
    std::string description;
    // RFC 9293 3.4.2: Maximum Segment Lifetime.
    Duration msl;
    // Set when TIME_WAIT does not follow 2*MSL (Linux TCP_TIMEWAIT_LEN is a fixed 60 s).
    std::optional<Duration> time_wait_fixed;
    // RFC 6298 2.1/2.4/2.5.
    Duration rto_initial;
    Duration rto_min;
    Duration rto_max;
    // Linux tcp_set_rto adds tcp_rto_min to SRTT (RTO = SRTT + max(4*RTTVAR, rto_min));
    // RFC 6298 2.4 only clamps (RTO = max(SRTT + 4*RTTVAR, rto_min)).
    bool rto_min_in_variance = false;
    // Retransmissions before giving up: SYN (connect), SYN-ACK, and data/FIN.
    int syn_retries = 0;
    int synack_retries = 0;
    int data_retries = 0;
    // RFC 5961 3.2/4.2: challenge ACK for an inexact in-window RST and any SYN in a
    // synchronized state (otherwise RFC 793: reset on in-window RST, RST on in-window SYN).
    bool challenge_ack = false;
    RstInTimeWait rst_in_time_wait = RstInTimeWait::Close;
    std::uint16_t ephemeral_low = 0;
    std::uint16_t ephemeral_high = 0;
    std::uint16_t mss = 1460;
    std::uint32_t receive_buffer = 65535;

    Duration time_wait_length() const { return time_wait_fixed ? *time_wait_fixed : 2 * msl; }
};

std::span<const ProfileRules> all_profiles();
const ProfileRules* find_profile(std::string_view name);
std::string profile_names();  // "rfc793, linux, bsd" for error messages

// A value given to a knob in a scenario file: a duration string, an integer, or a pair of
// integers (port ranges as "32768 60999").
struct KnobValue {
    enum class Kind { Integer, Text } kind = Kind::Integer;
    std::int64_t integer_value = 0;
    std::string text_value;

    static KnobValue integer(std::int64_t v) { return {Kind::Integer, v, {}}; }
    static KnobValue text(std::string v) { return {Kind::Text, 0, std::move(v)}; }
};

struct KnobInfo {
    std::string_view name;
    std::string_view expected;  // for error messages: "a duration from 1ms to 1h"
    std::string_view meaning;
};

std::span<const KnobInfo> all_knobs();

// Sets the knob; on a bad name or value returns what was expected (the caller adds the
// place and what was found).
std::optional<std::string> apply_knob(ProfileRules& rules, std::string_view name,
                                      const KnobValue& value);

// The knob's current value, as a scenario would spell it.
std::string knob_value(const ProfileRules& rules, std::string_view name);

}  // namespace tcpsim
