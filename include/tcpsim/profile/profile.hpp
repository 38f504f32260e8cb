// An operating system's TCP policy as data: default values plus a few rule choices.
// Rule ids (L-TW-3, B-TW-1, ...) refer to shared/BEHAVIOUR.md.
//
// A host starts from a named profile and may override any knob by its sysctl-style name,
// in the knob's own unit (seconds for net.ipv4.tcp_fin_timeout, milliseconds for
// net.inet.tcp.msl) or as a duration string:
//
//   ProfileRules r = *find_profile("linux");
//   apply_knob(r, "net.ipv4.tcp_tw_reuse", KnobValue::integer(1));
//   apply_knob(r, "net.ipv4.tcp_fin_timeout", KnobValue::text("30s"));
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tcpsim/core/time.hpp"
#include "tcpsim/net/segment.hpp"

namespace tcpsim {

// RFC 9293 3.10.7.4 (RFC 793) closes a TIME-WAIT connection on an acceptable RST;
// RFC 1337 F1 (and FreeBSD tcp_twcheck, B-TW-1) ignores it.
enum class RstInTimeWait : std::uint8_t { Close, Ignore };

// What a SYN arriving at a TIME-WAIT connection can do.
enum class SynInTimeWait : std::uint8_t {
    Reject,        // RFC 793: no reopening; an in-window SYN is an error (RST)
    SequenceOnly,  // RFC 1122 4.2.2.13 / FreeBSD B-TW-3: reopen iff SEG.SEQ > RCV.NXT
    Rfc6191,       // RFC 6191 2: timestamps first, then sequence numbers
    Linux,         // L-TW-3: SEG.SEQ > RCV.NXT or TSval > TS.Recent, ISN = SND.NXT + 65537
};

// How a TIME-WAIT entry treats segments other than reopening SYNs.
enum class TimeWaitRules : std::uint8_t {
    Rfc793,  // RFC 9293 3.10.7.4: ACK what is unacceptable, re-ACK a FIN and restart 2MSL
    Bsd,     // FreeBSD tcp_twcheck (B-TW-*): drop RSTs and SYNs, ACK all but exact dup ACKs
    Linux,   // tcp_timewait_state_process (L-TW-*): PAWS, ACKs restart the timer, rate limit
};

// How initial sequence numbers are chosen.
enum class IsnGenerator : std::uint8_t {
    Random,       // uniform per connection (teaching, and a safe default)
    Rfc793Clock,  // RFC 793 3.3: a 32-bit clock ticking every 4 microseconds
    LinuxClock,   // secure_tcp_seq: keyed hash of the 4-tuple + a 64 ns clock
    BsdClock,     // tcp_new_isn: keyed hash of the 4-tuple + ISN_BYTES_PER_SECOND (1 MiB/s)
};

// What sets TIME-WAIT's length (the trace names it when a TIME-WAIT expires).
enum class TimeWaitLength : std::uint8_t {
    TwoMsl,            // RFC 9293 3.10.7.4
    LinuxTimewaitLen,  // include/net/tcp.h TCP_TIMEWAIT_LEN, not derived from MSL
    SolarisInterval,   // tcp_time_wait_interval
    WindowsDelay,      // TcpTimedWaitDelay
    Configured,        // the time_wait knob
};

// How the receive window is chosen: its value in the SYN and what the window field says
// afterwards.
enum class ReceiveWindowRule : std::uint8_t {
    // RFC 9293 3.8.6 / RFC 7323 2.3: the free receive space, right-shifted by our scale.
    Rfc,
    // Linux tcp_select_initial_window and __tcp_select_window (L-SYN-3..5): a SYN offers
    // the space rounded down to a multiple of the MSS; later windows are the free space
    // capped by rcv_ssthresh (the initial window), rounded up to the scale's granularity,
    // and never shrink.
    Linux,
    // FreeBSD tcp_output and tcp_mss (B-SYN-2, B-SYN-3): a SYN offers the space capped at
    // 65535; once the MSS is known the buffer is rounded up to a multiple of it; windows
    // never shrink and are rounded up to the scale's granularity.
    Bsd,
    // illumos tcp_xmit_mp writes tcp_rwnd >> tcp_rcv_ws into every segment it builds,
    // SYNs included [unverified]; otherwise as Rfc.
    Solaris,
};

// Whose clock a TSval reads. Linux 4.9 sends jiffies, one clock per host; 4.10 added an
// offset hashed from the 4-tuple (95a22caee396); 4.11 cut it to the address pair for
// tw_recycle (28ee1b746f49, "downgrade to per-host timestamp offsets"); 2026 put the ports
// back (165573e41f2f, in the 6.12.y and 6.18.y stable trees too).
enum class TimestampClock : std::uint8_t {
    PerHost,         // one clock for all of a host's connections
    PerAddressPair,  // offset hashed from (saddr, daddr)
    PerConnection,   // offset hashed from the 4-tuple
};

// How old a TIME-WAIT entry must be before tcp_tw_reuse takes its 4-tuple (L-REUSE-3).
enum class TwReuseAge : std::uint8_t {
    EntryDelay,    // tcp_clock_ms() > tw_entry_stamp + tcp_tw_reuse_delay (since Dec 2024)
    RecentSecond,  // 4.x: get_seconds() - tw_ts_recent_stamp > 1 (whole seconds of the last TSval)
};

// A sysctl the kernel a profile models does not have, and what to do instead.
struct AbsentKnob {
    std::string_view name;
    std::string_view why;  // completes "expected a knob of <profile>: ..."
};

struct ProfileRules {
    std::string name;
    std::string description;
    // RFC 9293 3.4.2: Maximum Segment Lifetime.
    Duration msl;
    // What sets TIME_WAIT's length: 2*MSL, or a fixed length (Linux TCP_TIMEWAIT_LEN,
    // Solaris tcp_time_wait_interval, Windows TcpTimedWaitDelay, the time_wait knob).
    TimeWaitLength time_wait_source = TimeWaitLength::TwoMsl;
    Duration time_wait_fixed;  // the length unless the source is TwoMsl
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
    std::uint16_t ephemeral_low = 0;
    std::uint16_t ephemeral_high = 0;
    // L-PORT-1: connect() scans ports of low's parity first (Linux 4.2+), then the others.
    bool ephemeral_parity_split = false;
    // --- MSS (L-SYN-6) ---
    // The interface MTU: the MSS a SYN announces is mtu - 40 (IPv4 and TCP headers).
    std::uint16_t mtu = 1500;
    // Toward 127.0.0.0/8 and the host's own address packets go over loopback, with its
    // MTU: Linux lo 65536 (MSS 65495, the most an IPv4 packet holds), FreeBSD lo0 16384.
    std::uint32_t loopback_mtu = 65536;
    // The MSS announced in place of mtu - 40 (as `ip route ... advmss` sets it).
    std::optional<std::uint16_t> mss;
    // A peer's smaller MSS is raised to this, so every segment carries data (Linux
    // net.ipv4.tcp_min_snd_mss, FreeBSD net.inet.tcp.minmss).
    std::uint16_t min_snd_mss = 48;

    // --- receive window, window scaling (RFC 7323 2), SACK-permitted (RFC 2018) ---
    // Receive space in bytes: what the window can offer (Linux tcp_full_space, tcp_rmem[1]
    // at the default scaling_ratio of 1/2; FreeBSD net.inet.tcp.recvspace).
    std::uint32_t receive_buffer = 65535;
    ReceiveWindowRule receive_window = ReceiveWindowRule::Rfc;
    bool window_scaling = false;    // offer and accept the window scale option
    std::uint8_t window_scale = 0;  // the shift our SYN asks for (Rcv.Wind.Shift)
    bool sack = false;              // offer and accept SACK-permitted (SACK blocks are not modelled)
    OptionLayout option_layout = OptionLayout::Linux;
    IsnGenerator isn = IsnGenerator::Random;

    // --- RFC 7323 timestamps ---
    bool timestamps = false;             // offer and accept TSopt
    Duration timestamp_tick = milliseconds(1);
    TimestampClock timestamp_clock = TimestampClock::PerHost;
    // PAWS tolerance in ticks in synchronized states (Linux TCP_PAWS_WINDOW = 1).
    std::uint32_t paws_window = 0;
    // RFC 7323 5.5: TS.Recent is stale after this long idle (24 days; Linux 6.x TCP_PAWS_WRAP).
    Duration paws_stale_after = seconds(60 * 60 * 24 * 24);
    // B-TW-6 / RFC 7323 3.2: a non-RST segment without TSopt on a timestamp connection is
    // dropped (FreeBSD); Linux only skips PAWS for it.
    bool drop_missing_timestamps = false;

    // --- TIME-WAIT ---
    TimeWaitRules time_wait_rules = TimeWaitRules::Rfc793;
    RstInTimeWait rst_in_time_wait = RstInTimeWait::Close;
    SynInTimeWait syn_in_time_wait = SynInTimeWait::Reject;
    // L-TW-4: TIME-WAIT's ACKs to pure ACKs and SYNs at most once per this (Linux
    // tcp_invalid_ratelimit); zero: no limit.
    Duration invalid_ratelimit;
    // L-ENTER-3: beyond this many TIME-WAIT entries none is created (TCPTimeWaitOverflow).
    std::uint32_t max_tw_buckets = 262144;
    // L-REUSE-*: 0 off, 1 on, 2 loopback only.
    int tw_reuse = 0;
    // Mode 2 (loopback only) exists: Linux 4.18+ (79e9fed46038).
    bool tw_reuse_loopback_mode = true;
    TwReuseAge tw_reuse_age = TwReuseAge::EntryDelay;
    Duration tw_reuse_delay = seconds(1);
    // L-RECYC-*: Linux 4.9 tcp_tw_recycle.
    bool tw_recycle = false;

    // --- closing ---
    // L-ORPHAN-1: an orphaned FIN_WAIT_2 disappears after this (none: waits forever).
    std::optional<Duration> fin_timeout;
    // L-CLOSE-3: SO_LINGER{1,0} and abort send RST|ACK (Linux); RFC 9293 3.10.5: bare RST.
    bool abort_rst_has_ack = false;
    // tcp_reset(): a RST in CLOSE_WAIT reports EPIPE (Linux) rather than ECONNRESET.
    bool epipe_for_reset_in_close_wait = false;

    // --- keepalive (L-KA-*) ---
    Duration keepalive_time = seconds(7200);
    Duration keepalive_intvl = seconds(75);
    int keepalive_probes = 9;

    // Sysctls of other kernels this one lacks (setting one is an error that says why).
    std::vector<AbsentKnob> absent_knobs;

    Duration time_wait_length() const {
        return time_wait_source == TimeWaitLength::TwoMsl ? 2 * msl : time_wait_fixed;
    }
    // The MSS a SYN announces (L-SYN-6): the `mss` override, else the route's MTU less 40,
    // at most 65495 (Linux ipv4_default_advmss: IP_MAX_MTU - 40).
    std::uint16_t advertised_mss(bool loopback) const {
        if (mss) return *mss;
        const std::uint32_t route_mtu = loopback ? loopback_mtu : mtu;
        return static_cast<std::uint16_t>(route_mtu - 40 > 65495 ? 65495 : route_mtu - 40);
    }
};

std::span<const ProfileRules> all_profiles();
const ProfileRules* find_profile(std::string_view name);
std::string profile_names();  // "rfc793, rfc1122, ..." for error messages

// A value given to a knob in a scenario file: an integer (in the knob's own unit) or
// text (a duration such as "30s", a port range "32768 60999", a rule name).
struct KnobValue {
    enum class Kind { Integer, Text } kind = Kind::Integer;
    std::int64_t integer_value = 0;
    std::string text_value;

    static KnobValue integer(std::int64_t v) { return {Kind::Integer, v, {}}; }
    static KnobValue text(std::string v) { return {Kind::Text, 0, std::move(v)}; }
};

struct KnobInfo {
    std::string_view name;
    std::string_view expected;  // for error messages: "seconds from 1 to 32767, or a duration"
    std::string_view meaning;
};

std::span<const KnobInfo> all_knobs();

// Sets the knob; on a bad name or value returns what was expected (the caller adds the
// place and what was found).
std::optional<std::string> apply_knob(ProfileRules& rules, std::string_view name,
                                      const KnobValue& value);

// "LOW HIGH" with 1 <= LOW <= HIGH <= 65535, as ip_local_port_range is written.
std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_port_range(std::string_view text);

// The knob's current value, as a scenario would spell it.
std::string knob_value(const ProfileRules& rules, std::string_view name);
// Why the rules' kernel has no such knob, if it has none.
const AbsentKnob* absent_knob(const ProfileRules& rules, std::string_view name);

}  // namespace tcpsim
