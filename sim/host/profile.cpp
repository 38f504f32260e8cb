#include "tcpsim/host/profile.hpp"

#include <array>
#include <charconv>
#include <functional>

namespace tcpsim {
namespace {

std::vector<ProfileRules> make_profiles() {
    std::vector<ProfileRules> p;

    ProfileRules rfc;
    rfc.name = "rfc793";
    rfc.description = "RFC 793/9293 textbook: MSL 2 min, TIME-WAIT 2*MSL, RFC 6298 timers";
    rfc.msl = minutes(2);  // RFC 9293 3.4.2
    rfc.rto_initial = seconds(1);  // RFC 6298 2.1
    rfc.rto_min = seconds(1);      // RFC 6298 2.4
    rfc.rto_max = seconds(60);     // RFC 6298 2.5: "at least 60 seconds"
    rfc.syn_retries = 6;   // RFC 9293 3.8.3: SYN R2 at least 3 minutes (1+2+...+60 s caps)
    rfc.synack_retries = 6;
    rfc.data_retries = 8;  // RFC 9293 3.8.3: R2 at least 100 s
    rfc.challenge_ack = false;
    rfc.rst_in_time_wait = RstInTimeWait::Close;  // RFC 9293 3.10.7.4 "second"
    rfc.ephemeral_low = 49152;                    // RFC 6335 dynamic ports
    rfc.ephemeral_high = 65535;
    p.push_back(rfc);

    ProfileRules linux;
    linux.name = "linux";
    linux.description = "Linux 6.x: TIME_WAIT fixed 60 s (TCP_TIMEWAIT_LEN), RTO 200 ms..120 s";
    linux.msl = seconds(30);
    linux.time_wait_fixed = seconds(60);  // include/net/tcp.h TCP_TIMEWAIT_LEN
    linux.rto_initial = seconds(1);       // TCP_TIMEOUT_INIT
    linux.rto_min = milliseconds(200);    // TCP_RTO_MIN
    linux.rto_max = seconds(120);         // TCP_RTO_MAX
    linux.rto_min_in_variance = true;     // tcp_input.c tcp_set_rto / tcp_rtt_estimator
    linux.syn_retries = 6;                // net.ipv4.tcp_syn_retries
    linux.synack_retries = 5;             // net.ipv4.tcp_synack_retries
    linux.data_retries = 15;              // net.ipv4.tcp_retries2
    linux.challenge_ack = true;           // tcp_validate_incoming, RFC 5961
    linux.rst_in_time_wait = RstInTimeWait::Close;  // tcp_rfc1337 = 0 (L-TW-1)
    linux.ephemeral_low = 32768;                    // ip_local_port_range
    linux.ephemeral_high = 60999;
    p.push_back(linux);

    ProfileRules bsd;
    bsd.name = "bsd";
    bsd.description = "FreeBSD-like: TIME_WAIT 2*msl with msl 30 s, RST ignored in TIME_WAIT";
    bsd.msl = seconds(30);  // tcp_timer.h TCPTV_MSL
    bsd.rto_initial = seconds(1);
    bsd.rto_min = milliseconds(30);  // net.inet.tcp.rexmit_min
    bsd.rto_max = seconds(64);       // TCPTV_REXMTMAX
    bsd.syn_retries = 6;
    bsd.synack_retries = 3;  // net.inet.tcp.syncache.rexmtlimit
    bsd.data_retries = 12;   // TCP_MAXRXTSHIFT
    bsd.challenge_ack = true;  // net.inet.tcp.insecure_rst = 0
    bsd.rst_in_time_wait = RstInTimeWait::Ignore;  // B-TW-1
    bsd.ephemeral_low = 10000;  // net.inet.ip.portrange.first
    bsd.ephemeral_high = 65535;
    p.push_back(bsd);
    return p;
}

const std::vector<ProfileRules>& profiles() {
    static const std::vector<ProfileRules> table = make_profiles();
    return table;
}

using Setter = std::function<std::optional<std::string>(ProfileRules&, const KnobValue&)>;
using Getter = std::function<std::string(const ProfileRules&)>;

struct Knob {
    KnobInfo info;
    Setter set;
    Getter get;
};

std::optional<Duration> as_duration(const KnobValue& v) {
    if (v.kind != KnobValue::Kind::Text) return std::nullopt;
    return parse_duration(v.text_value);
}

Knob duration_knob(std::string_view name, std::string_view meaning, Duration ProfileRules::*field,
                   Duration lo, Duration hi, std::string_view expected) {
    return Knob{{name, expected, meaning},
                [=](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                    auto d = as_duration(v);
                    if (!d || *d < lo || *d > hi) return std::string(expected);
                    r.*field = *d;
                    return std::nullopt;
                },
                [=](const ProfileRules& r) { return format_duration(r.*field); }};
}

Knob int_knob(std::string_view name, std::string_view meaning, int ProfileRules::*field, int lo,
              int hi, std::string_view expected) {
    return Knob{{name, expected, meaning},
                [=](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                    if (v.kind != KnobValue::Kind::Integer || v.integer_value < lo ||
                        v.integer_value > hi)
                        return std::string(expected);
                    r.*field = static_cast<int>(v.integer_value);
                    return std::nullopt;
                },
                [=](const ProfileRules& r) { return std::to_string(r.*field); }};
}

std::optional<std::pair<int, int>> parse_port_range(std::string_view s) {
    int a = 0;
    int b = 0;
    auto r1 = std::from_chars(s.data(), s.data() + s.size(), a);
    if (r1.ec != std::errc{}) return std::nullopt;
    const char* p = r1.ptr;
    const char* end = s.data() + s.size();
    if (p == end || (*p != ' ' && *p != '\t' && *p != '-')) return std::nullopt;
    while (p != end && (*p == ' ' || *p == '\t' || *p == '-')) ++p;
    auto r2 = std::from_chars(p, end, b);
    if (r2.ec != std::errc{} || r2.ptr != end) return std::nullopt;
    if (a < 1 || b > 65535 || a > b) return std::nullopt;
    return std::pair{a, b};
}

const std::vector<Knob>& knobs() {
    static const std::vector<Knob> table = [] {
        std::vector<Knob> k;
        k.push_back(duration_knob("msl", "Maximum Segment Lifetime; TIME_WAIT is 2*msl unless fixed",
                                  &ProfileRules::msl, milliseconds(1), minutes(60),
                                  "a duration from 1ms to 60min, such as \"30s\""));
        k.push_back(Knob{{"time_wait",
                          "a duration from 0s to 60min, or \"2msl\"",
                          "TIME_WAIT length; \"2msl\" follows msl"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind == KnobValue::Kind::Text && v.text_value == "2msl") {
                                 r.time_wait_fixed.reset();
                                 return std::nullopt;
                             }
                             auto d = as_duration(v);
                             if (!d || *d > minutes(60))
                                 return std::string("a duration from 0s to 60min, or \"2msl\"");
                             r.time_wait_fixed = *d;
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) {
                             return r.time_wait_fixed ? format_duration(*r.time_wait_fixed)
                                                      : std::string("2msl");
                         }});
        k.push_back(duration_knob("rto_initial", "RTO before any RTT sample (RFC 6298 2.1)",
                                  &ProfileRules::rto_initial, milliseconds(1), minutes(10),
                                  "a duration from 1ms to 10min"));
        k.push_back(duration_knob("rto_min", "lower bound of the RTO (RFC 6298 2.4)",
                                  &ProfileRules::rto_min, microseconds(1), minutes(10),
                                  "a duration from 1us to 10min"));
        k.push_back(duration_knob("rto_max", "upper bound of the RTO (RFC 6298 2.5)",
                                  &ProfileRules::rto_max, milliseconds(1), minutes(60),
                                  "a duration from 1ms to 60min"));
        k.push_back(int_knob("net.ipv4.tcp_syn_retries", "SYN retransmissions before ETIMEDOUT",
                             &ProfileRules::syn_retries, 1, 127, "an integer from 1 to 127"));
        k.push_back(int_knob("net.ipv4.tcp_synack_retries", "SYN-ACK retransmissions",
                             &ProfileRules::synack_retries, 1, 255, "an integer from 1 to 255"));
        k.push_back(int_knob("net.ipv4.tcp_retries2",
                             "data/FIN retransmissions before the connection is dropped",
                             &ProfileRules::data_retries, 1, 255, "an integer from 1 to 255"));
        k.push_back(Knob{{"challenge_ack", "0 or 1",
                          "RFC 5961 challenge ACKs (1) or RFC 793 RST/SYN handling (0)"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind != KnobValue::Kind::Integer ||
                                 (v.integer_value != 0 && v.integer_value != 1))
                                 return std::string("0 or 1");
                             r.challenge_ack = v.integer_value == 1;
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) { return std::string(r.challenge_ack ? "1" : "0"); }});
        k.push_back(Knob{{"net.ipv4.tcp_rfc1337", "0 or 1",
                          "1: ignore RST in TIME_WAIT (RFC 1337 F1); 0: RST ends TIME_WAIT"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind != KnobValue::Kind::Integer ||
                                 (v.integer_value != 0 && v.integer_value != 1))
                                 return std::string("0 or 1");
                             r.rst_in_time_wait =
                                 v.integer_value == 1 ? RstInTimeWait::Ignore : RstInTimeWait::Close;
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) {
                             return std::string(r.rst_in_time_wait == RstInTimeWait::Ignore ? "1" : "0");
                         }});
        k.push_back(Knob{{"net.ipv4.ip_local_port_range",
                          "two ports \"LOW HIGH\" with 1 <= LOW <= HIGH <= 65535",
                          "ephemeral ports for connect()"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             auto range = v.kind == KnobValue::Kind::Text
                                              ? parse_port_range(v.text_value)
                                              : std::nullopt;
                             if (!range)
                                 return std::string(
                                     "two ports \"LOW HIGH\" with 1 <= LOW <= HIGH <= 65535");
                             r.ephemeral_low = static_cast<std::uint16_t>(range->first);
                             r.ephemeral_high = static_cast<std::uint16_t>(range->second);
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) {
                             return std::to_string(r.ephemeral_low) + " " +
                                    std::to_string(r.ephemeral_high);
                         }});
        k.push_back(Knob{{"mss", "an integer from 64 to 65495", "MSS announced in our SYN"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind != KnobValue::Kind::Integer || v.integer_value < 64 ||
                                 v.integer_value > 65495)
                                 return std::string("an integer from 64 to 65495");
                             r.mss = static_cast<std::uint16_t>(v.integer_value);
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) { return std::to_string(r.mss); }});
        k.push_back(Knob{{"receive_buffer", "an integer from 1 to 65535",
                          "receive window offered (no window scaling)"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind != KnobValue::Kind::Integer || v.integer_value < 1 ||
                                 v.integer_value > 65535)
                                 return std::string("an integer from 1 to 65535");
                             r.receive_buffer = static_cast<std::uint32_t>(v.integer_value);
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) { return std::to_string(r.receive_buffer); }});
        return k;
    }();
    return table;
}

}  // namespace

std::span<const ProfileRules> all_profiles() { return profiles(); }

const ProfileRules* find_profile(std::string_view name) {
    for (const auto& p : profiles()) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

std::string profile_names() {
    std::string out;
    for (const auto& p : profiles()) {
        if (!out.empty()) out += ", ";
        out += p.name;
    }
    return out;
}

std::span<const KnobInfo> all_knobs() {
    static const std::vector<KnobInfo> infos = [] {
        std::vector<KnobInfo> v;
        for (const auto& k : knobs()) v.push_back(k.info);
        return v;
    }();
    return infos;
}

std::optional<std::string> apply_knob(ProfileRules& rules, std::string_view name,
                                      const KnobValue& value) {
    for (const auto& k : knobs()) {
        if (k.info.name == name) return k.set(rules, value);
    }
    std::string known;
    for (const auto& k : knobs()) {
        if (!known.empty()) known += ", ";
        known += k.info.name;
    }
    return "a known knob (" + known + ")";
}

std::string knob_value(const ProfileRules& rules, std::string_view name) {
    for (const auto& k : knobs()) {
        if (k.info.name == name) return k.get(rules);
    }
    return {};
}

}  // namespace tcpsim
