#include "tcpsim/profile/profile.hpp"

#include <array>
#include <charconv>
#include <functional>
#include <type_traits>

namespace tcpsim {
namespace {

// RFC 9293 / RFC 793 as written: MSL 2 min, RFC 6298 timers, no reopening of TIME-WAIT.
ProfileRules rfc793() {
    ProfileRules r;
    r.name = "rfc793";
    r.description = "RFC 793/9293 textbook: MSL 2 min, TIME-WAIT 2*MSL, RST closes TIME-WAIT, no reopen";
    r.msl = minutes(2);            // RFC 9293 3.4.2
    r.rto_initial = seconds(1);    // RFC 6298 2.1
    r.rto_min = seconds(1);        // RFC 6298 2.4
    r.rto_max = seconds(60);       // RFC 6298 2.5: "at least 60 seconds"
    r.syn_retries = 6;             // RFC 9293 3.8.3: SYN R2 at least 3 minutes
    r.synack_retries = 6;
    r.data_retries = 8;            // RFC 9293 3.8.3: R2 at least 100 s
    r.ephemeral_low = 49152;       // RFC 6335 dynamic ports
    r.ephemeral_high = 65535;
    r.min_snd_mss = 48;            // RFC 9293 names none: Linux's 40 bytes of options + 8 of data
    r.mtu = 1500;                  // Ethernet
    r.loopback_mtu = 65536;        // as Linux lo
    r.receive_buffer = 65535;      // the largest unscaled window
    r.receive_window = ReceiveWindowRule::Rfc;
    r.window_scaling = false;      // RFC 9293's segments: MSS only
    r.sack = false;
    r.option_layout = OptionLayout::Linux;
    r.isn = IsnGenerator::Random;
    r.rst_in_time_wait = RstInTimeWait::Close;  // RFC 9293 3.10.7.4 "second"
    r.syn_in_time_wait = SynInTimeWait::Reject;
    r.keepalive_time = seconds(7200);  // RFC 9293 3.8.4 (MUST-28): at least two hours
    r.keepalive_intvl = seconds(75);
    r.keepalive_probes = 9;
    return r;
}

std::vector<ProfileRules> make_profiles() {
    std::vector<ProfileRules> p;
    p.push_back(rfc793());

    ProfileRules rfc1122 = rfc793();
    rfc1122.name = "rfc1122";
    rfc1122.description = "RFC 1122: as rfc793, but a SYN with a higher sequence number reopens TIME-WAIT";
    rfc1122.syn_in_time_wait = SynInTimeWait::SequenceOnly;  // RFC 1122 4.2.2.13, RFC 9293 MAY-2
    p.push_back(rfc1122);

    ProfileRules rfc6191 = rfc793();
    rfc6191.name = "rfc6191";
    rfc6191.description = "RFC 6191: timestamps on; TIME-WAIT reopened by timestamp, then sequence number";
    rfc6191.timestamps = true;
    rfc6191.syn_in_time_wait = SynInTimeWait::Rfc6191;
    p.push_back(rfc6191);

    ProfileRules bsd = rfc793();
    bsd.name = "bsd";
    bsd.description = "FreeBSD-like: TIME_WAIT 2*msl with msl 30 s, RST ignored in TIME_WAIT, reopen by sequence";
    bsd.msl = seconds(30);           // tcp_timer.h TCPTV_MSL
    bsd.rto_min = milliseconds(30);  // net.inet.tcp.rexmit_min
    bsd.rto_max = seconds(64);       // TCPTV_REXMTMAX
    bsd.synack_retries = 3;          // net.inet.tcp.syncache.rexmtlimit
    bsd.data_retries = 12;           // TCP_MAXRXTSHIFT
    bsd.challenge_ack = true;        // net.inet.tcp.insecure_rst = 0
    bsd.ephemeral_low = 10000;       // net.inet.ip.portrange.first
    bsd.ephemeral_high = 65535;
    bsd.min_snd_mss = 216;           // net.inet.tcp.minmss, netinet/tcp.h TCP_MINMSS
    bsd.isn = IsnGenerator::BsdClock;
    bsd.timestamps = true;           // net.inet.tcp.rfc1323
    bsd.timestamp_clock = TimestampClock::PerConnection;  // net.inet.tcp.ts_offset_per_conn
    bsd.drop_missing_timestamps = true;                   // B-TW-6
    bsd.time_wait_rules = TimeWaitRules::Bsd;             // B-TW-*
    bsd.rst_in_time_wait = RstInTimeWait::Ignore;         // B-TW-1
    bsd.syn_in_time_wait = SynInTimeWait::SequenceOnly;   // B-TW-3
    bsd.fin_timeout = seconds(60);                        // TCPTV_FINWAIT2_TIMEOUT
    bsd.keepalive_probes = 8;                             // TCPTV_KEEPCNT
    bsd.abort_rst_has_ack = true;                         // tcp_drop -> tcp_respond [unverified]
    bsd.loopback_mtu = 16384;                             // lo0
    bsd.receive_buffer = 65536;                           // net.inet.tcp.recvspace
    bsd.receive_window = ReceiveWindowRule::Bsd;          // B-SYN-2, B-SYN-3
    bsd.window_scaling = true;                            // net.inet.tcp.rfc1323 = 1
    bsd.window_scale = 6;  // smallest s with 65535 << s >= kern.ipc.maxsockbuf (2 MiB), B-SYN-2
    bsd.sack = true;                                      // net.inet.tcp.sack.enable
    bsd.option_layout = OptionLayout::FreeBsd;            // tcp_addoptions, B-SYN-1
    p.push_back(bsd);

    ProfileRules linux = rfc793();
    linux.name = "linux";
    linux.description = "Linux 6.x: TIME_WAIT fixed 60 s, L-TW rules, tw_reuse, RTO 200 ms..120 s";
    linux.msl = seconds(30);
    linux.time_wait_source = TimeWaitLength::LinuxTimewaitLen;
    linux.time_wait_fixed = seconds(60);  // include/net/tcp.h TCP_TIMEWAIT_LEN
    linux.rto_min = milliseconds(200);    // TCP_RTO_MIN
    linux.rto_max = seconds(120);         // TCP_RTO_MAX
    linux.rto_min_in_variance = true;     // tcp_set_rto / tcp_rtt_estimator
    linux.syn_retries = 6;                // net.ipv4.tcp_syn_retries
    linux.synack_retries = 5;             // net.ipv4.tcp_synack_retries
    linux.data_retries = 15;              // net.ipv4.tcp_retries2
    linux.challenge_ack = true;           // tcp_validate_incoming, RFC 5961
    linux.ephemeral_low = 32768;          // ip_local_port_range
    linux.ephemeral_high = 60999;
    linux.ephemeral_parity_split = true;  // L-PORT-1
    linux.min_snd_mss = 48;               // net.ipv4.tcp_min_snd_mss, TCP_MIN_SND_MSS
    linux.isn = IsnGenerator::LinuxClock;
    linux.timestamps = true;              // net.ipv4.tcp_timestamps = 1
    // secure_tcp_seq_and_ts_off hashes the 4-tuple (165573e41f2f, in 6.18.y; measured on
    // 6.18.44). Older 6.x kernels hash the address pair: timestamp_clock "address_pair".
    linux.timestamp_clock = TimestampClock::PerConnection;
    linux.paws_window = 1;                // TCP_PAWS_WINDOW
    linux.paws_stale_after = seconds(2147);  // TCP_PAWS_WRAP = INT_MAX / USEC_PER_SEC
    linux.rst_in_time_wait = RstInTimeWait::Close;  // tcp_rfc1337 = 0 (L-TW-1)
    linux.syn_in_time_wait = SynInTimeWait::Linux;  // L-TW-3
    linux.time_wait_rules = TimeWaitRules::Linux;   // L-TW-1..6
    linux.invalid_ratelimit = milliseconds(500);    // net.ipv4.tcp_invalid_ratelimit
    linux.tw_reuse = 2;                   // loopback only (L-REUSE-2)
    linux.fin_timeout = seconds(60);      // net.ipv4.tcp_fin_timeout
    linux.abort_rst_has_ack = true;       // tcp_send_active_reset
    linux.epipe_for_reset_in_close_wait = true;  // tcp_reset()
    linux.receive_buffer = 65536;         // tcp_full_space: tcp_rmem[1] 131072 at scaling_ratio 1/2
    linux.receive_window = ReceiveWindowRule::Linux;  // L-SYN-3..5
    linux.window_scaling = true;          // net.ipv4.tcp_window_scaling
    // ilog2(max(tcp_rmem[2], rmem_max)) - 15 (L-SYN-3): 6.18 with tcp_rmem[2] = 32 MiB (a
    // host of 4 GiB or more) gives 10, as measured on 6.18; 6.12's 6 MiB gave 7.
    linux.window_scale = 10;
    linux.sack = true;                    // net.ipv4.tcp_sack
    linux.option_layout = OptionLayout::Linux;  // tcp_options_write, L-SYN-1
    linux.absent_knobs = {{"net.ipv4.tcp_tw_recycle",
                           "net.ipv4.tcp_tw_recycle was removed in Linux 4.12, commit 4396e46187ca "
                           "\"tcp: remove tcp_tw_recycle\"; the profile linux-4.9 has it"}};
    p.push_back(linux);

    // Linux 4.9 (the LTS of December 2016), where it differs from 6.x for teardown; its
    // TIME-WAIT rules (tcp_timewait_state_process) are those of 6.x.
    ProfileRules linux49 = linux;
    linux49.name = "linux-4.9";
    linux49.description =
        "Linux 4.9: tcp_tw_recycle (off by default), one TSval clock per host, tw_reuse 0/1 (off) "
        "with a whole-second age test; otherwise as linux";
    linux49.absent_knobs = {{"net.ipv4.tcp_tw_reuse_delay",
                             "Linux 4.9 has no net.ipv4.tcp_tw_reuse_delay (it came with the net-next "
                             "merge 154dee7c3265 of December 2024): tw_reuse waits until get_seconds() - "
                             "tw_ts_recent_stamp > 1; the profile linux has it"}};
    // tcp_time_stamp is jiffies and tcp_create_openreq_child sets tsoffset = 0: every
    // connection reads the host's clock (per-connection offsets came in 4.10, 95a22caee396).
    linux49.timestamp_clock = TimestampClock::PerHost;
    linux49.timestamp_tick = milliseconds(4);  // jiffies at HZ=250 [Debian's config]; 1 ms since 4.13 (9a568de4818d)
    linux49.paws_stale_after = seconds(60 * 60 * 24 * 24);  // TCP_PAWS_24DAYS
    linux49.tw_reuse = 0;                      // net.ipv4.tcp_tw_reuse default
    linux49.tw_reuse_loopback_mode = false;    // mode 2 came in 2018 (79e9fed46038)
    linux49.tw_reuse_age = TwReuseAge::RecentSecond;  // tcp_twsk_unique, L-REUSE-3
    p.push_back(linux49);

    ProfileRules solaris = bsd;
    solaris.name = "solaris";
    solaris.description = "Solaris-like: tcp_time_wait_interval 60 s, otherwise BSD rules";
    solaris.time_wait_source = TimeWaitLength::SolarisInterval;
    solaris.time_wait_fixed = seconds(60);  // tcp_time_wait_interval, default 60000 ms
    solaris.rto_min = milliseconds(400);    // tcp_rexmit_interval_min [unverified]
    solaris.ephemeral_low = 32768;          // tcp_smallest_anon_port
    solaris.ephemeral_high = 65535;         // tcp_largest_anon_port
    solaris.loopback_mtu = 8232;            // lo0 [unverified]
    solaris.receive_buffer = 1048576;       // recv_buf, TCP_RECV_HIWATER
    solaris.receive_window = ReceiveWindowRule::Solaris;
    solaris.window_scale = 5;               // tcp_set_ws_value: smallest s with recv_buf >> s <= 65535 (S-SYN-1)
    solaris.option_layout = OptionLayout::Illumos;  // tcp_xmit_mp_aux_iss
    p.push_back(solaris);

    ProfileRules windows = bsd;
    windows.name = "windows";
    windows.description = "Windows-like: TcpTimedWaitDelay 120 s, ports 49152-65535, otherwise BSD rules";
    windows.time_wait_source = TimeWaitLength::WindowsDelay;
    windows.time_wait_fixed = seconds(120);  // TcpTimedWaitDelay default 0x78 (Server 2003 docs)
    windows.rto_min = milliseconds(300);     // [unverified]
    windows.ephemeral_low = 49152;           // Vista+ dynamic port range
    windows.ephemeral_high = 65535;
    windows.timestamps = false;              // netsh "Timestamps: disabled" by default
    windows.drop_missing_timestamps = false;
    windows.loopback_mtu = 65536;            // [unverified]
    windows.receive_buffer = 64240;          // the SYN window of Windows 10 captures [unverified]
    windows.receive_window = ReceiveWindowRule::Rfc;  // [unverified]
    windows.window_scale = 8;                // p0f's Windows 7/8 signatures [unverified]
    windows.option_layout = OptionLayout::Windows;  // W-SYN-1 [unverified]
    p.push_back(windows);
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

// RFC 7323 2.3: 65535 << 14, the largest window a scaled field can say.
constexpr std::int64_t kMaxScaledWindow = std::int64_t{65535} << 14;

// A duration knob: an integer counts `unit`s (the sysctl's own unit), text is a duration.
// Knobs of tcpsim's own (unit 0) take duration text only.
constexpr Duration kTextOnly{};

std::optional<Duration> as_duration(const KnobValue& v, Duration unit) {
    if (v.kind == KnobValue::Kind::Text) return parse_duration(v.text_value);
    if (unit == kTextOnly || v.integer_value < 0 || v.integer_value > 1'000'000'000) return std::nullopt;
    return unit * v.integer_value;
}

std::string in_unit(Duration d, Duration unit) {
    if (unit == kTextOnly || d.ns % unit.ns != 0) return format_duration(d);
    return std::to_string(d.ns / unit.ns);
}

template <typename Field>
Knob duration_knob(std::string_view name, std::string_view expected, std::string_view meaning,
                   Field field, Duration unit, Duration lo, Duration hi) {
    return Knob{{name, expected, meaning},
                [=](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                    auto d = as_duration(v, unit);
                    if (!d || *d < lo || *d > hi) return std::string(expected);
                    field(r) = *d;
                    return std::nullopt;
                },
                [=](const ProfileRules& r) -> std::string {
                    ProfileRules copy = r;  // the field accessor is written once, for writing
                    const auto& value = field(copy);
                    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, Duration>) {
                        return in_unit(value, unit);
                    } else {
                        return value ? in_unit(*value, unit) : std::string("none");
                    }
                }};
}

// An OS setting that fixes TIME_WAIT's length (and names it as the length's source).
Knob time_wait_knob(std::string_view name, std::string_view expected, std::string_view meaning,
                    TimeWaitLength source, Duration unit, Duration lo, Duration hi) {
    return Knob{{name, expected, meaning},
                [=](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                    auto d = as_duration(v, unit);
                    if (!d || *d < lo || *d > hi) return std::string(expected);
                    r.time_wait_source = source;
                    r.time_wait_fixed = *d;
                    return std::nullopt;
                },
                [=](const ProfileRules& r) -> std::string {
                    return r.time_wait_source == TimeWaitLength::TwoMsl ? std::string("none")
                                                                        : in_unit(r.time_wait_fixed, unit);
                }};
}

template <typename T>
Knob integer_knob(std::string_view name, std::string_view expected, std::string_view meaning,
                  T ProfileRules::*field, std::int64_t lo, std::int64_t hi) {
    return Knob{{name, expected, meaning},
                [=](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                    if (v.kind != KnobValue::Kind::Integer || v.integer_value < lo || v.integer_value > hi)
                        return std::string(expected);
                    r.*field = static_cast<T>(v.integer_value);
                    return std::nullopt;
                },
                [=](const ProfileRules& r) { return std::to_string(static_cast<std::int64_t>(r.*field)); }};
}

// 0/1 knobs, as sysctl spells booleans.
Knob flag_knob(std::string_view name, std::string_view meaning, bool ProfileRules::*field,
               bool inverted = false) {
    return Knob{{name, "0 or 1", meaning},
                [=](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                    if (v.kind != KnobValue::Kind::Integer || (v.integer_value != 0 && v.integer_value != 1))
                        return std::string("0 or 1");
                    r.*field = (v.integer_value == 1) != inverted;
                    return std::nullopt;
                },
                [=](const ProfileRules& r) { return std::string((r.*field != inverted) ? "1" : "0"); }};
}

template <typename E, std::size_t N>
Knob enum_knob(std::string_view name, std::string_view expected, std::string_view meaning,
               E ProfileRules::*field, std::array<std::pair<E, std::string_view>, N> names) {
    return Knob{{name, expected, meaning},
                [=](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                    if (v.kind == KnobValue::Kind::Text) {
                        for (const auto& [value, n] : names) {
                            if (n == v.text_value) {
                                r.*field = value;
                                return std::nullopt;
                            }
                        }
                    }
                    return std::string(expected);
                },
                [=](const ProfileRules& r) {
                    for (const auto& [value, n] : names)
                        if (value == r.*field) return std::string(n);
                    return std::string("?");
                }};
}

const std::vector<Knob>& knobs() {
    static const std::vector<Knob> table = [] {
        constexpr Duration ms = milliseconds(1);
        constexpr Duration s = seconds(1);
        std::vector<Knob> k;
        k.push_back(duration_knob("msl", "a duration from 1ms to 60min, such as \"30s\"",
                                  "Maximum Segment Lifetime; TIME_WAIT is 2*msl unless fixed",
                                  [](ProfileRules& r) -> Duration& { return r.msl; }, kTextOnly, ms, minutes(60)));
        k.push_back(duration_knob("net.inet.tcp.msl", "milliseconds from 1 to 3600000, or a duration",
                                  "FreeBSD's MSL in milliseconds (TIME_WAIT = 2*msl)",
                                  [](ProfileRules& r) -> Duration& { return r.msl; }, ms, ms, minutes(60)));
        k.push_back(Knob{{"time_wait", "a duration from 0s to 60min, or \"2msl\"",
                          "TIME_WAIT length; \"2msl\" follows msl"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind == KnobValue::Kind::Text && v.text_value == "2msl") {
                                 r.time_wait_source = TimeWaitLength::TwoMsl;
                                 return std::nullopt;
                             }
                             auto d = v.kind == KnobValue::Kind::Text ? parse_duration(v.text_value)
                                                                      : std::nullopt;
                             if (!d || *d > minutes(60))
                                 return std::string("a duration from 0s to 60min, or \"2msl\"");
                             r.time_wait_source = TimeWaitLength::Configured;
                             r.time_wait_fixed = *d;
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) {
                             return r.time_wait_source == TimeWaitLength::TwoMsl ? std::string("2msl")
                                                                                 : format_duration(r.time_wait_fixed);
                         }});
        k.push_back(time_wait_knob("tcp_time_wait_interval", "milliseconds from 1000 to 600000, or a duration",
                                   "Solaris TIME_WAIT length in milliseconds", TimeWaitLength::SolarisInterval,
                                   ms, seconds(1), minutes(10)));
        k.push_back(time_wait_knob("TcpTimedWaitDelay", "seconds from 0 to 300, or a duration",
                                   "Windows TIME_WAIT length in seconds", TimeWaitLength::WindowsDelay, s,
                                   Duration{}, seconds(300)));
        k.push_back(duration_knob("rto_initial", "a duration from 1ms to 10min",
                                  "RTO before any RTT sample (RFC 6298 2.1)",
                                  [](ProfileRules& r) -> Duration& { return r.rto_initial; }, kTextOnly, ms, minutes(10)));
        k.push_back(duration_knob("rto_min", "a duration from 1us to 10min", "lower bound of the RTO (RFC 6298 2.4)",
                                  [](ProfileRules& r) -> Duration& { return r.rto_min; }, kTextOnly, microseconds(1),
                                  minutes(10)));
        k.push_back(duration_knob("rto_max", "a duration from 1ms to 60min", "upper bound of the RTO (RFC 6298 2.5)",
                                  [](ProfileRules& r) -> Duration& { return r.rto_max; }, kTextOnly, ms, minutes(60)));
        k.push_back(integer_knob("net.ipv4.tcp_syn_retries", "an integer from 1 to 127",
                                 "SYN retransmissions before connect() fails with ETIMEDOUT",
                                 &ProfileRules::syn_retries, 1, 127));
        k.push_back(integer_knob("net.ipv4.tcp_synack_retries", "an integer from 1 to 255",
                                 "SYN-ACK retransmissions", &ProfileRules::synack_retries, 1, 255));
        k.push_back(integer_knob("net.ipv4.tcp_retries2", "an integer from 1 to 255",
                                 "data/FIN retransmissions before the connection is dropped",
                                 &ProfileRules::data_retries, 1, 255));
        k.push_back(flag_knob("challenge_ack", "RFC 5961 challenge ACKs (1) or RFC 793 RST/SYN handling (0)",
                              &ProfileRules::challenge_ack));
        k.push_back(Knob{{"net.ipv4.tcp_rfc1337", "0 or 1",
                          "1: ignore RST in TIME_WAIT (RFC 1337 F1); 0: RST ends TIME_WAIT"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind != KnobValue::Kind::Integer || (v.integer_value != 0 && v.integer_value != 1))
                                 return std::string("0 or 1");
                             r.rst_in_time_wait = v.integer_value == 1 ? RstInTimeWait::Ignore : RstInTimeWait::Close;
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) {
                             return std::string(r.rst_in_time_wait == RstInTimeWait::Ignore ? "1" : "0");
                         }});
        k.push_back(Knob{{"net.ipv4.ip_local_port_range", "two ports \"LOW HIGH\" with 1 <= LOW <= HIGH <= 65535",
                          "ephemeral ports for connect()"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             auto range = v.kind == KnobValue::Kind::Text ? parse_port_range(v.text_value)
                                                                          : std::nullopt;
                             if (!range) return std::string("two ports \"LOW HIGH\" with 1 <= LOW <= HIGH <= 65535");
                             r.ephemeral_low = range->first;
                             r.ephemeral_high = range->second;
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) {
                             return std::to_string(r.ephemeral_low) + " " + std::to_string(r.ephemeral_high);
                         }});
        k.push_back(integer_knob("mtu", "an integer from 576 to 65535",
                                 "interface MTU: the MSS a SYN announces is mtu - 40 (loopback has its own MTU)",
                                 &ProfileRules::mtu, 576, 65535));
        k.push_back(Knob{{"mss", "an integer from 64 to 65495",
                          "MSS announced in our SYN in place of mtu - 40 (as ip route ... advmss)"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind != KnobValue::Kind::Integer || v.integer_value < 64 || v.integer_value > 65495)
                                 return std::string("an integer from 64 to 65495");
                             r.mss = static_cast<std::uint16_t>(v.integer_value);
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) { return r.mss ? std::to_string(*r.mss) : std::string("none"); }});
        // Linux __tcp_mtu_to_mss raises the MSS to tcp_min_snd_mss (sysctl range 48..65535);
        // FreeBSD tcp_mss_update raises a peer's offer to minmss, then anything to 64.
        k.push_back(integer_knob("net.ipv4.tcp_min_snd_mss", "an integer from 48 to 65535",
                                 "smallest send MSS: a peer's smaller MSS option is raised to it (Linux)",
                                 &ProfileRules::min_snd_mss, 48, 65535));
        k.push_back(integer_knob("net.inet.tcp.minmss",
                                 "an integer from 64 to 65535 (FreeBSD's tcp_mss_update raises anything lower to 64)",
                                 "smallest send MSS: a peer's smaller MSS option is raised to it (FreeBSD)",
                                 &ProfileRules::min_snd_mss, 64, 65535));
        k.push_back(integer_knob("receive_buffer", "an integer from 1 to 1073725440",
                                 "receive space in bytes: the most the receive window offers",
                                 &ProfileRules::receive_buffer, 1, kMaxScaledWindow));
        k.push_back(integer_knob("net.inet.tcp.recvspace", "an integer from 1 to 1073725440",
                                 "FreeBSD's receive buffer in bytes: the same receive space",
                                 &ProfileRules::receive_buffer, 1, kMaxScaledWindow));
        k.push_back(enum_knob("receive_window_rules", "one of rfc, linux, bsd, solaris",
                              "how the receive window is chosen (RFC 7323, Linux, FreeBSD, illumos)",
                              &ProfileRules::receive_window,
                              std::array<std::pair<ReceiveWindowRule, std::string_view>, 4>{
                                  {{ReceiveWindowRule::Rfc, "rfc"},
                                   {ReceiveWindowRule::Linux, "linux"},
                                   {ReceiveWindowRule::Bsd, "bsd"},
                                   {ReceiveWindowRule::Solaris, "solaris"}}}));
        k.push_back(flag_knob("net.ipv4.tcp_window_scaling", "RFC 7323 window scaling offered and accepted",
                              &ProfileRules::window_scaling));
        k.push_back(integer_knob("window_scale", "an integer from 0 to 14",
                                 "the shift our SYN asks for (Linux: ilog2(max(tcp_rmem[2], rmem_max)) - 15)",
                                 &ProfileRules::window_scale, 0, 14));
        k.push_back(flag_knob("net.ipv4.tcp_sack", "SACK-permitted offered and accepted (RFC 2018)",
                              &ProfileRules::sack));
        k.push_back(flag_knob("net.inet.tcp.sack.enable", "FreeBSD's name: SACK-permitted offered and accepted",
                              &ProfileRules::sack));
        // FreeBSD tcp_subr.c: 1 both RFC 1323 options, 2 window scaling only, 3 timestamps only.
        k.push_back(Knob{{"net.inet.tcp.rfc1323", "0, 1, 2 or 3",
                          "FreeBSD: 0 neither, 1 window scaling and timestamps, 2 window scaling, 3 timestamps"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             if (v.kind != KnobValue::Kind::Integer || v.integer_value < 0 || v.integer_value > 3)
                                 return std::string("0, 1, 2 or 3");
                             r.window_scaling = v.integer_value == 1 || v.integer_value == 2;
                             r.timestamps = v.integer_value == 1 || v.integer_value == 3;
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) {
                             if (r.window_scaling) return std::string(r.timestamps ? "1" : "2");
                             return std::string(r.timestamps ? "3" : "0");
                         }});
        k.push_back(enum_knob("option_layout", "one of linux, freebsd, windows, illumos",
                              "order and padding of TCP options on the wire",
                              &ProfileRules::option_layout,
                              std::array<std::pair<OptionLayout, std::string_view>, 4>{
                                  {{OptionLayout::Linux, "linux"},
                                   {OptionLayout::FreeBsd, "freebsd"},
                                   {OptionLayout::Windows, "windows"},
                                   {OptionLayout::Illumos, "illumos"}}}));
        k.push_back(enum_knob("isn", "one of random, rfc793, linux, bsd",
                              "initial sequence numbers: random, RFC 793 4 us clock, Linux hash+64 ns clock, "
                              "BSD hash+1 MiB/s",
                              &ProfileRules::isn,
                              std::array<std::pair<IsnGenerator, std::string_view>, 4>{
                                  {{IsnGenerator::Random, "random"},
                                   {IsnGenerator::Rfc793Clock, "rfc793"},
                                   {IsnGenerator::LinuxClock, "linux"},
                                   {IsnGenerator::BsdClock, "bsd"}}}));
        k.push_back(flag_knob("net.ipv4.tcp_timestamps", "RFC 7323 timestamps offered and accepted",
                              &ProfileRules::timestamps));
        k.push_back(duration_knob("timestamp_tick", "a duration from 1us to 1s",
                                  "TSval clock period (its rate): 1 ms on Linux and FreeBSD",
                                  [](ProfileRules& r) -> Duration& { return r.timestamp_tick; }, kTextOnly,
                                  microseconds(1), seconds(1)));
        k.push_back(enum_knob("timestamp_clock", "one of host, address_pair, connection",
                              "TSval clock: one per host (Linux 4.9), offset per address pair (Linux 4.11 to "
                              "the 2026 revert), or per 4-tuple (Linux 4.10 and 6.18.y)",
                              &ProfileRules::timestamp_clock,
                              std::array<std::pair<TimestampClock, std::string_view>, 3>{
                                  {{TimestampClock::PerHost, "host"},
                                   {TimestampClock::PerAddressPair, "address_pair"},
                                   {TimestampClock::PerConnection, "connection"}}}));
        k.push_back(enum_knob("syn_in_time_wait", "one of reject, sequence, rfc6191, linux",
                              "how a SYN may reopen a TIME-WAIT connection",
                              &ProfileRules::syn_in_time_wait,
                              std::array<std::pair<SynInTimeWait, std::string_view>, 4>{
                                  {{SynInTimeWait::Reject, "reject"},
                                   {SynInTimeWait::SequenceOnly, "sequence"},
                                   {SynInTimeWait::Rfc6191, "rfc6191"},
                                   {SynInTimeWait::Linux, "linux"}}}));
        k.push_back(enum_knob("time_wait_rules", "one of rfc793, bsd, linux",
                              "how TIME-WAIT answers segments (RFC 9293, FreeBSD tcp_twcheck, Linux)",
                              &ProfileRules::time_wait_rules,
                              std::array<std::pair<TimeWaitRules, std::string_view>, 3>{
                                  {{TimeWaitRules::Rfc793, "rfc793"},
                                   {TimeWaitRules::Bsd, "bsd"},
                                   {TimeWaitRules::Linux, "linux"}}}));
        k.push_back(integer_knob("net.ipv4.tcp_max_tw_buckets", "an integer from 0 to 16777216",
                                 "most TIME-WAIT entries at once; beyond it none is created",
                                 &ProfileRules::max_tw_buckets, 0, 16777216));
        k.push_back(Knob{{"net.ipv4.tcp_tw_reuse", "0, 1 or 2",
                          "reuse a TIME-WAIT 4-tuple for connect(): 0 off, 1 on, 2 loopback only"},
                         [](ProfileRules& r, const KnobValue& v) -> std::optional<std::string> {
                             const std::int64_t top = r.tw_reuse_loopback_mode ? 2 : 1;
                             if (v.kind != KnobValue::Kind::Integer || v.integer_value < 0 || v.integer_value > top)
                                 return std::string(r.tw_reuse_loopback_mode
                                                        ? "0, 1 or 2"
                                                        : "0 or 1 (the loopback-only mode 2 came in 2018, "
                                                          "79e9fed46038, after this kernel)");
                             r.tw_reuse = static_cast<int>(v.integer_value);
                             return std::nullopt;
                         },
                         [](const ProfileRules& r) { return std::to_string(r.tw_reuse); }});
        k.push_back(duration_knob("net.ipv4.tcp_tw_reuse_delay", "milliseconds from 1 to 60000, or a duration",
                                  "how long after entering TIME-WAIT tw_reuse may take the 4-tuple",
                                  [](ProfileRules& r) -> Duration& { return r.tw_reuse_delay; }, ms, ms,
                                  seconds(60)));
        k.push_back(flag_knob("net.ipv4.tcp_tw_recycle",
                              "Linux 4.9 tw_recycle: per-peer timestamp cache, TIME-WAIT of 3.5*RTO",
                              &ProfileRules::tw_recycle));
        k.push_back(duration_knob("net.ipv4.tcp_fin_timeout", "seconds from 1 to 120, or a duration",
                                  "lifetime of an orphaned FIN_WAIT_2",
                                  [](ProfileRules& r) -> std::optional<Duration>& { return r.fin_timeout; }, s, s,
                                  seconds(120)));
        k.push_back(duration_knob("net.ipv4.tcp_keepalive_time", "seconds from 1 to 32767, or a duration",
                                  "idle time before the first keepalive probe",
                                  [](ProfileRules& r) -> Duration& { return r.keepalive_time; }, s, s,
                                  seconds(32767)));
        k.push_back(duration_knob("net.ipv4.tcp_keepalive_intvl", "seconds from 1 to 32767, or a duration",
                                  "time between keepalive probes",
                                  [](ProfileRules& r) -> Duration& { return r.keepalive_intvl; }, s, s,
                                  seconds(32767)));
        k.push_back(integer_knob("net.ipv4.tcp_keepalive_probes", "an integer from 1 to 127",
                                 "unanswered probes before the connection is dropped", &ProfileRules::keepalive_probes,
                                 1, 127));
        return k;
    }();
    return table;
}

}  // namespace

std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_port_range(std::string_view s) {
    int a = 0;
    int b = 0;
    const char* end = s.data() + s.size();
    auto r1 = std::from_chars(s.data(), end, a);
    if (r1.ec != std::errc{}) return std::nullopt;
    const char* p = r1.ptr;
    if (p == end || (*p != ' ' && *p != '\t')) return std::nullopt;
    while (p != end && (*p == ' ' || *p == '\t')) ++p;
    auto r2 = std::from_chars(p, end, b);
    if (r2.ec != std::errc{} || r2.ptr != end) return std::nullopt;
    if (a < 1 || b > 65535 || a > b) return std::nullopt;
    return std::pair{static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b)};
}

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

const AbsentKnob* absent_knob(const ProfileRules& rules, std::string_view name) {
    for (const AbsentKnob& a : rules.absent_knobs)
        if (a.name == name) return &a;
    return nullptr;
}

std::optional<std::string> apply_knob(ProfileRules& rules, std::string_view name,
                                      const KnobValue& value) {
    for (const auto& k : knobs()) {
        if (k.info.name != name) continue;
        if (const AbsentKnob* a = absent_knob(rules, name))
            return "a knob the " + rules.name + " profile has (" + std::string(a->why) + ")";
        return k.set(rules, value);
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
