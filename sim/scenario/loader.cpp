#include "tcpsim/scenario/loader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <system_error>
#include <tuple>

#include "app_reader.hpp"
#include "json_reader.hpp"
#include "tcpsim/core/errno.hpp"

namespace tcpsim {
namespace {

using scenario_json::hosts_expected;
using scenario_json::Json;
using scenario_json::json_string;
using scenario_json::Node;
using scenario_json::Object;
using scenario_json::SocketNames;

constexpr std::uint64_t kU32Max = std::numeric_limits<std::uint32_t>::max();

constexpr std::string_view kHostsExpected =
    R"(an object of hosts, such as {"client": {"address": "10.0.0.1"}})";
constexpr std::string_view kAddressExpected = R"(a dotted IPv4 address such as "10.0.0.1")";
constexpr std::string_view kBetweenExpected =
    R"(two host or NAT names, such as ["client", "server"])";
constexpr std::string_view kNatsExpected =
    R"(an object of NATs, such as {"nat": {"address": "198.51.100.1", "inside": ["client"]}})";
constexpr std::string_view kInsideExpected =
    R"(a non-empty array of host names, such as ["client"])";
constexpr std::string_view kPortsExpected =
    R"(two ports "LOW HIGH" with 1 <= LOW <= HIGH <= 65535, such as "20000 20100")";
constexpr std::string_view kDirectionExpected = R"(an object such as {"loss": 0.1})";
constexpr std::string_view kFlagsExpected =
    R"(flags such as "ACK" or "FIN|ACK" (SYN, FIN, RST, PSH, URG, ACK, or NONE))";
constexpr std::string_view kFaultActionExpected = "one of drop, duplicate, delay";
constexpr std::string_view kSendableFlagsExpected =
    "flags a segment can carry: ACK in every segment but a SYN or a RST, and at most one of "
    "SYN, FIN and RST";
// IPv4 total length (65535) less the IP and TCP headers.
constexpr std::uint64_t kMaxPayload = 65495;

// No stack sends other flag sets, so a fault matching them would never act: a reset is
// <CTL=RST> or <CTL=RST,ACK> (RFC 9293 3.5.2); a SYN neither resets nor closes (T/TCP's
// SYN|FIN is historic, RFC 6247); once synchronized, ACK "is always sent" (RFC 9293 3.4),
// so only a SYN or a RST goes without it.
bool can_be_sent(Flags f) {
    const int controls = has(f, Flags::Syn) + has(f, Flags::Fin) + has(f, Flags::Rst);
    if (controls > 1) return false;
    return has(f, Flags::Ack) || has(f, Flags::Syn) || has(f, Flags::Rst);
}
constexpr std::string_view kExpectTypeExpected =
    "one of state, final_state, segments, call, transition, timer, stream_integrity, run_end, "
    "counter";
constexpr std::string_view kEventExpected = "one of send, deliver, drop, duplicate, delay";
constexpr std::string_view kCallExpected =
    "one of bind, listen, connect, accept, send, recv, shutdown, close, abort, setsockopt, reboot";
constexpr std::string_view kCounterExpected =
    "one of the counters TCPTimeWaitOverflow, TWRecycled, PAWSPassiveRejected";
constexpr std::string_view kResultExpected =
    R"(an errno name such as "ECONNREFUSED", "0" for success, or a byte count)";
constexpr std::string_view kTimerExpected =
    "one of retransmit, time_wait, fin_wait_2, keepalive, persist";
constexpr std::string_view kTimerActionExpected = "one of set, restart, cancel, expire";
constexpr std::string_view kRunEndExpected = "one of quiescent, duration, time_cap, event_cap";
constexpr std::string_view kTimeExpected = R"(a time such as "1s")";

std::string states_expected() {
    std::string out = "one of the states ";
    for (State s : kAllStates) {
        if (s != State::Closed) out += ", ";
        out += to_string(s);
    }
    return out + R"( (or the RFC spelling, such as "TIME-WAIT"))";
}

std::optional<FaultAction> parse_fault_action(std::string_view s) {
    if (s == "drop") return FaultAction::Drop;
    if (s == "duplicate") return FaultAction::Duplicate;
    if (s == "delay") return FaultAction::Delay;
    return std::nullopt;
}

std::optional<RunEnd> parse_run_end(std::string_view s) {
    for (RunEnd e :
         {RunEnd::Quiescent, RunEnd::DurationReached, RunEnd::TimeCap, RunEnd::EventCap}) {
        if (to_string(e) == s) return e;
    }
    return std::nullopt;
}

constexpr std::array<std::pair<ExpectKind, std::string_view>, 9> kExpectTypes{{
    {ExpectKind::StateAt, "state"},
    {ExpectKind::FinalState, "final_state"},
    {ExpectKind::Segments, "segments"},
    {ExpectKind::CallResult, "call"},
    {ExpectKind::Transition, "transition"},
    {ExpectKind::Timer, "timer"},
    {ExpectKind::StreamIntegrity, "stream_integrity"},
    {ExpectKind::RunEnd, "run_end"},
    {ExpectKind::Counter, "counter"},
}};

std::optional<ExpectKind> parse_expect_kind(std::string_view s) {
    for (const auto& [kind, name] : kExpectTypes) {
        if (name == s) return kind;
    }
    return std::nullopt;
}

std::string_view type_name(ExpectKind k) {
    for (const auto& [kind, name] : kExpectTypes) {
        if (kind == k) return name;
    }
    return "?";
}

// "1st", "2nd", "3rd", "11th", "22nd".
std::string ordinal(std::uint32_t n) {
    const std::uint32_t tens = n % 100;
    const char* suffix = "th";
    if (tens < 11 || tens > 13) {
        if (n % 10 == 1) suffix = "st";
        if (n % 10 == 2) suffix = "nd";
        if (n % 10 == 3) suffix = "rd";
    }
    return std::to_string(n) + suffix;
}

// "drop the 2nd segment from client with flags ACK, len 0".
std::string describe_fault(const FaultConfig& f) {
    const FaultMatch& m = f.match;
    std::string out;
    switch (f.action) {
        case FaultAction::Drop:
            out = "drop ";
            break;
        case FaultAction::Duplicate:
            out = "duplicate ";
            break;
        case FaultAction::Delay:
            out = "delay ";
            break;
    }
    if (m.nth) {
        out += "the " + ordinal(*m.nth) + " segment";
    } else if (m.times) {
        out += *m.times == 1 ? std::string("the first segment")
                             : "the first " + std::to_string(*m.times) + " segments";
    } else {
        out += "every segment";
    }
    if (m.from) out += " from " + *m.from;
    std::string with;
    if (m.flags) with = "flags " + to_string(*m.flags);
    if (m.len) with += (with.empty() ? "len " : ", len ") + std::to_string(*m.len);
    if (!with.empty()) out += " with " + with;
    auto at = [](Time t) { return format_duration(t - Time{}); };
    if (m.after && m.before) {
        out += " sent between " + at(*m.after) + " and " + at(*m.before);
    } else if (m.after) {
        out += " sent at or after " + at(*m.after);
    } else if (m.before) {
        out += " sent before " + at(*m.before);
    }
    if (f.action == FaultAction::Delay) out += " by " + format_duration(f.delay);
    return out;
}

// Applies one "msl" or "sysctl" setting to the host's rules.
void apply_setting(ProfileRules& rules, const std::string& knob, const Node& n) {
    const Json& j = n.json();
    // A knob the kernel does not have is wrong whatever its value.
    if (absent_knob(rules, knob)) n.fail(apply_knob(rules, knob, KnobValue{}).value_or(""));
    KnobValue value;
    if (j.is_number_unsigned() &&
        j.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()) {
        // No knob takes such a value; clamping lets apply_knob word the range.
        value = KnobValue::integer(std::numeric_limits<std::int64_t>::max());
    } else if (j.is_number_integer()) {
        value = KnobValue::integer(j.get<std::int64_t>());
    } else if (j.is_string()) {
        value = KnobValue::text(j.get<std::string>());
    } else {
        std::string expected;
        for (const KnobInfo& info : all_knobs()) {
            if (info.name == knob) expected = info.expected;
        }
        if (expected.empty()) {
            // An unknown knob: apply_knob lists the known ones (and changes nothing).
            expected = apply_knob(rules, knob, KnobValue{}).value_or("");
        }
        n.fail(expected);
    }
    if (auto problem = apply_knob(rules, knob, value)) n.fail(*problem);
}

std::vector<std::string_view> expectation_keys(ExpectKind kind) {
    std::vector<std::string_view> keys{"type", "why"};
    switch (kind) {
        case ExpectKind::StateAt:
            keys.insert(keys.end(), {"host", "socket", "at", "is"});
            break;
        case ExpectKind::FinalState:
            keys.insert(keys.end(), {"host", "socket", "is"});
            break;
        case ExpectKind::Segments:
            keys.insert(keys.end(), {"from", "event", "flags", "len", "seq", "ack", "count", "min", "max"});
            break;
        case ExpectKind::CallResult:
            keys.insert(keys.end(), {"host", "socket", "call", "result", "at"});
            break;
        case ExpectKind::Transition:
            keys.insert(keys.end(), {"host", "socket", "to", "from", "at", "count", "min", "max"});
            break;
        case ExpectKind::Timer:
            keys.insert(keys.end(), {"host", "socket", "timer", "action", "count", "min", "max"});
            break;
        case ExpectKind::StreamIntegrity:
            keys.insert(keys.end(), {"ok", "host", "socket"});
            break;
        case ExpectKind::RunEnd:
            keys.push_back("is");
            break;
        case ExpectKind::Counter:
            keys.insert(keys.end(), {"host", "counter", "count", "min", "max"});
            break;
    }
    return keys;
}

// "count" (exact) or "min"/"max" (either or both).
CountSpec read_count(const Object& o, bool required) {
    CountSpec c;
    auto count = o.get("count");
    auto min = o.get("min");
    auto max = o.get("max");
    if (count && (min || max)) {
        (min ? *min : *max).fail(R"(either "count" or "min"/"max", not both)");
    }
    if (count) c.equals = count->integer();
    if (min) c.min = min->integer();
    if (max) c.max = max->integer();
    if (c.min && c.max && *c.min > *c.max) {
        max->fail("at least \"min\" (" + std::to_string(*c.min) + ")");
    }
    if (required && !count && !min && !max) {
        o.node().fail(R"("count", or "min" and/or "max")", "none of them");
    }
    return c;
}

// A scenario file is read whole; beyond this it is refused rather than read.
constexpr std::size_t kMaxFileBytes = 64 * 1024 * 1024;

struct CloseFile {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

class ScenarioReader {
  public:
    ScenarioReader(const Json& doc, const std::string& file) : root_(doc, "", file) {}

    Scenario read() {
        Object top(root_,
                   {"name", "description", "seed", "duration", "limits", "hosts", "nats", "links",
                    "faults", "apps", "expect"},
                   "a JSON object");
        s_.file = root_.file();
        auto name = top.get("name");
        s_.name = name                        ? name->nonempty_string()
                  : root_.file() == kStdinLabel ? std::string("stdin")
                                                : std::filesystem::path(root_.file()).stem().string();
        if (auto d = top.get("description")) s_.description = d->string();
        if (auto seed = top.get("seed")) s_.seed = seed->integer();
        if (auto d = top.get("duration")) s_.limits.duration = Time{} + d->positive_duration();
        if (auto limits = top.get("limits")) read_limits(*limits);
        read_hosts(top.need("hosts", kHostsExpected));
        if (auto nats = top.get("nats")) read_nats(*nats);
        if (auto links = top.get("links")) {
            const auto list = links->elements("an array of links");
            s_.links.reserve(list.size());
            for (const Node& n : list) s_.links.push_back(read_link(n));
        }
        for (const NatConfig& nat : s_.nats) check_nat_links(nat);
        if (auto faults = top.get("faults")) {
            const auto list = faults->elements("an array of faults");
            s_.faults.reserve(list.size());
            for (const Node& n : list) s_.faults.push_back(read_fault(n));
        }
        if (auto apps = top.get("apps")) s_.apps = scenario_json::read_apps(*apps, s_, sockets_);
        if (auto expect = top.get("expect")) {
            const auto list = expect->elements("an array of expectations");
            s_.expectations.reserve(list.size());
            for (const Node& n : list) s_.expectations.push_back(read_expectation(n));
        }
        return std::move(s_);
    }

  private:
    void read_limits(const Node& n) {
        Object limits(n, {"time", "events"}, R"(an object such as {"time": "60min"})");
        if (auto t = limits.get("time")) s_.limits.time_cap = Time{} + t->positive_duration();
        if (auto e = limits.get("events")) s_.limits.event_cap = e->integer(1);
    }

    std::string host_ref(const Node& n) const {
        if (!n.json().is_string() || !s_.find_host(n.json().get<std::string>())) {
            n.fail(hosts_expected(s_));
        }
        return n.json().get<std::string>();
    }

    const NatConfig* find_nat(const std::string& name) const {
        for (const NatConfig& nat : s_.nats) {
            if (nat.name == name) return &nat;
        }
        return nullptr;
    }

    // A link's end: a host or a NAT.
    std::string node_ref(const Node& n) const {
        if (n.json().is_string()) {
            const std::string& name = n.json().get_ref<const std::string&>();
            if (s_.find_host(name) || find_nat(name)) return name;
        }
        std::string expected = hosts_expected(s_);
        for (const NatConfig& nat : s_.nats) {
            expected += (&nat == &s_.nats.front() ? " or the NATs " : ", ") + nat.name;
        }
        n.fail(expected);
    }

    const SocketNames& sockets_of(const std::string& host) const {
        static const SocketNames kNone;
        auto it = sockets_.find(host);
        return it == sockets_.end() ? kNone : it->second;
    }

    std::string socket_ref(const std::string& host, const Node& n) const {
        const SocketNames& names = sockets_of(host);
        if (!n.json().is_string() || !names.knows_label(n.json().get_ref<const std::string&>())) {
            n.fail(names.expected(host, true));
        }
        return n.json().get<std::string>();
    }

    void read_hosts(const Node& n) {
        Object hosts = Object::any_keys(n, kHostsExpected);
        const auto members = hosts.members();
        if (members.empty()) n.fail("at least one host");
        for (const auto& [name, host] : members) {
            if (!scenario_json::is_name(name)) {
                host.fail(std::string(scenario_json::kNameExpected), json_string(name));
            }
            s_.hosts.push_back(read_host(name, host));
        }
    }

    HostConfig read_host(const std::string& name, const Node& n) {
        Object h(n, {"address", "profile", "msl", "isn", "timestamp_offset", "sysctl"},
                 R"(a host object, such as {"address": "10.0.0.1"})");
        HostConfig c;
        c.name = name;
        c.pointer = n.pointer();
        Node address = h.need("address", kAddressExpected);
        c.address = address.host_ipv4();
        for (const auto& other : s_.hosts) {
            if (other.address == c.address) {
                address.fail("an address not already used by host \"" + other.name + "\"");
            }
        }
        if (auto p = h.get("profile")) {
            c.rules = p->parsed(find_profile, "one of the profiles " + profile_names());
        } else {
            c.rules = *find_profile("rfc793");
        }
        // sysctl comes after the msl shorthand, so a sysctl "msl" wins.
        if (auto msl = h.get("msl")) apply_setting(c.rules, "msl", *msl);
        if (auto isn = h.get("isn")) c.isn = static_cast<std::uint32_t>(isn->integer(0, kU32Max));
        if (auto ts = h.get("timestamp_offset"))
            c.timestamp_offset = static_cast<std::uint32_t>(ts->integer(0, kU32Max));
        if (auto sysctl = h.get("sysctl")) {
            Object knobs =
                Object::any_keys(*sysctl, R"(an object of knobs, such as {"msl": "30s"})");
            for (const auto& [knob, value] : knobs.members()) apply_setting(c.rules, knob, value);
        }
        return c;
    }

    void read_nats(const Node& n) {
        Object nats = Object::any_keys(n, kNatsExpected);
        for (const auto& [name, nat] : nats.members()) {
            if (!scenario_json::is_name(name)) {
                nat.fail(std::string(scenario_json::kNameExpected), json_string(name));
            }
            if (s_.find_host(name)) {
                nat.fail("a name not already used by host \"" + name + "\"", json_string(name));
            }
            s_.nats.push_back(read_nat(name, nat));
        }
    }

    NatConfig read_nat(const std::string& name, const Node& n) {
        Object o(n, {"address", "inside", "ports", "timeout"},
                 R"(a NAT object, such as {"address": "198.51.100.1", "inside": ["client"]})");
        NatConfig c;
        c.name = name;
        c.pointer = n.pointer();
        Node address = o.need("address", kAddressExpected);
        c.address = address.host_ipv4();
        for (const HostConfig& host : s_.hosts) {
            if (host.address == c.address) {
                address.fail("an address not already used by host \"" + host.name + "\"");
            }
        }
        for (const NatConfig& other : s_.nats) {
            if (other.address == c.address) {
                address.fail("an address not already used by NAT \"" + other.name + "\"");
            }
        }
        Node inside = o.need("inside", kInsideExpected);
        const auto hosts = inside.elements(kInsideExpected);
        if (hosts.empty()) inside.fail(std::string(kInsideExpected));
        for (const Node& h : hosts) {
            std::string host = host_ref(h);
            for (const std::string& listed : c.inside) {
                if (listed == host) h.fail("a host not already inside this NAT");
            }
            for (const NatConfig& other : s_.nats) {
                for (const std::string& listed : other.inside) {
                    if (listed == host) {
                        h.fail("a host not already inside NAT \"" + other.name + "\"");
                    }
                }
            }
            c.inside.push_back(std::move(host));
        }
        if (auto ports = o.get("ports")) {
            std::tie(c.port_low, c.port_high) = ports->parsed(parse_port_range, kPortsExpected);
        }
        if (auto t = o.get("timeout")) c.mapping_timeout = t->positive_duration();
        return c;
    }

    bool linked(const std::string& a, const std::string& b) const {
        return std::any_of(s_.links.begin(), s_.links.end(), [&](const LinkConfig& l) {
            return (l.a == a && l.b == b) || (l.a == b && l.b == a);
        });
    }

    // A NAT forwards between links of its own: it needs one to each inside host and one to
    // some host outside, or what its hosts send silently goes nowhere.
    void check_nat_links(const NatConfig& nat) const {
        for (std::size_t i = 0; i < nat.inside.size(); ++i) {
            const std::string& host = nat.inside[i];
            if (!linked(host, nat.name)) {
                scenario_json::reject(root_.file(), nat.pointer + "/inside/" + std::to_string(i),
                       "a host linked to NAT " + json_string(nat.name) + " (a link {\"between\": [" +
                           json_string(host) + ", " + json_string(nat.name) + "]})",
                       json_string(host));
            }
        }
        const bool outside = std::any_of(s_.links.begin(), s_.links.end(), [&](const LinkConfig& l) {
            const std::string* other = l.a == nat.name ? &l.b : l.b == nat.name ? &l.a : nullptr;
            return other && std::find(nat.inside.begin(), nat.inside.end(), *other) == nat.inside.end();
        });
        if (!outside) {
            scenario_json::reject(root_.file(), nat.pointer,
                   "a NAT linked to a host outside it: NAT " + json_string(nat.name) +
                       " has nowhere to send what its inside hosts send",
                   "links to its inside hosts only");
        }
    }

    static void read_direction(const Object& o, LinkDirectionConfig& d) {
        if (auto v = o.get("delay")) d.delay = v->duration();
        if (auto v = o.get("jitter")) d.jitter = v->duration();
        if (auto v = o.get("loss")) d.loss = v->probability();
        if (auto v = o.get("duplicate")) d.duplicate = v->probability();
        if (auto v = o.get("reorder")) d.reorder = v->probability();
        if (auto v = o.get("reorder_delay")) d.reorder_delay = v->duration();
    }

    LinkConfig read_link(const Node& n) {
        static const std::vector<std::string_view> kDirectionKeys{
            "delay", "jitter", "loss", "duplicate", "reorder", "reorder_delay"};
        Object link =
            Object::any_keys(n, R"(a link object, such as {"between": ["client", "server"]})");
        LinkConfig c;
        c.pointer = n.pointer();
        Node between = link.need("between", kBetweenExpected);
        const auto ends = between.elements(kBetweenExpected);
        if (ends.size() != 2) between.fail(std::string(kBetweenExpected));
        c.a = node_ref(ends[0]);
        c.b = node_ref(ends[1]);
        if (c.a == c.b) ends[1].fail("a host other than \"" + c.a + "\"");
        // A NAT only forwards between its inside hosts and hosts: a second NAT's public
        // address is as far as a segment could get.
        if (find_nat(c.a) && find_nat(c.b))
            ends[1].fail(hosts_expected(s_) + " (a NAT links to hosts only)");
        for (const auto& other : s_.links) {
            if ((other.a == c.a && other.b == c.b) || (other.a == c.b && other.b == c.a)) {
                between.fail("a pair of hosts not already linked (" + other.pointer + ")");
            }
        }
        // Direction keys name the hosts, so the allowed keys are known only now.
        const std::string a_to_b = c.a + "->" + c.b;
        const std::string b_to_a = c.b + "->" + c.a;
        std::vector<std::string_view> keys{"between"};
        keys.insert(keys.end(), kDirectionKeys.begin(), kDirectionKeys.end());
        keys.insert(keys.end(), {a_to_b, b_to_a});
        link.allow_only(keys, "");
        read_direction(link, c.a_to_b);
        c.b_to_a = c.a_to_b;
        if (auto d = link.get(a_to_b)) {
            read_direction(Object(*d, kDirectionKeys, kDirectionExpected), c.a_to_b);
        }
        if (auto d = link.get(b_to_a)) {
            read_direction(Object(*d, kDirectionKeys, kDirectionExpected), c.b_to_a);
        }
        return c;
    }

    // The sending host of a fault: a NAT sends nothing of its own, and a host without links
    // sends nothing a fault sees (loopback never crosses a link).
    std::string fault_sender(const Node& n) const {
        if (n.json().is_string() && find_nat(n.json().get<std::string>())) {
            n.fail(hosts_expected(s_) + " (a fault sees a segment on its sender's first link: name the host inside NAT " +
                   json_string(n.json().get<std::string>()) + ")");
        }
        std::string host = host_ref(n);
        const bool has_link = std::any_of(s_.links.begin(), s_.links.end(),
                                          [&](const LinkConfig& l) { return l.a == host || l.b == host; });
        if (!has_link) {
            n.fail("a host with a link (faults act on links; " + json_string(host) +
                   " has none, so its segments only loop back)");
        }
        return host;
    }

    // When the run stops by design or at its cap, and the field that says so.
    std::pair<Time, std::string_view> run_end() const {
        const Limits& l = s_.limits;
        if (l.duration && *l.duration <= l.time_cap) return {*l.duration, "/duration"};
        return {l.time_cap, "/limits/time"};
    }

    FaultMatch read_match(const Node& n) {
        Object o(n, {"from", "flags", "len", "nth", "times", "after", "before"},
                 R"(an object such as {"from": "client", "flags": "ACK"})");
        FaultMatch m;
        if (auto v = o.get("from")) m.from = fault_sender(*v);
        if (auto v = o.get("flags")) {
            m.flags = v->parsed(parse_flags, kFlagsExpected);
            if (!can_be_sent(*m.flags)) v->fail(std::string(kSendableFlagsExpected));
        }
        if (auto v = o.get("len")) {
            m.len = static_cast<std::uint32_t>(
                v->integer(0, kMaxPayload, "an IPv4 packet holds at most 65495 bytes of TCP payload"));
        }
        auto nth = o.get("nth");
        auto times = o.get("times");
        if (nth && times) times->fail(R"(either "nth" or "times", not both)");
        if (nth) m.nth = static_cast<std::uint32_t>(nth->integer(1, kU32Max));
        if (times) m.times = static_cast<std::uint32_t>(times->integer(1, kU32Max));
        if (auto v = o.get("after")) {
            m.after = Time{} + v->duration();
            // The engine runs events at the end time itself, so `after` may equal it.
            if (const auto [end, field] = run_end(); *m.after > end) {
                v->fail("a time no later than the end of the run (" + format_duration(end - Time{}) + ", " +
                        std::string(field) + ")");
            }
        }
        if (auto before = o.get("before")) {
            m.before = Time{} + before->duration();
            const Time start = m.after.value_or(Time{});
            if (*m.before <= start) {
                before->fail(m.after ? "a time later than \"after\" (" + format_duration(*m.after - Time{}) + ")"
                                     : std::string("a time later than 0s"));
            }
        }
        return m;
    }

    FaultConfig read_fault(const Node& n) {
        Object o(n, {"description", "match", "action", "delay"},
                 R"(a fault object, such as {"action": "drop"})");
        FaultConfig f;
        f.pointer = n.pointer();
        if (auto m = o.get("match")) f.match = read_match(*m);
        f.action =
            o.need("action", kFaultActionExpected).parsed(parse_fault_action, kFaultActionExpected);
        auto delay = o.get("delay");
        if (f.action == FaultAction::Delay) {
            f.delay = o.need("delay", R"(a positive duration, such as "90s", for action "delay")")
                          .positive_duration();
        } else if (delay) {
            delay->fail(R"(no "delay" unless "action" is "delay")");
        }
        auto description = o.get("description");
        f.description = description ? description->string() : describe_fault(f);
        return f;
    }

    // "host" and "socket": the socket must be declared in that host's apps.
    void read_host_socket(const Object& o, Expectation& e, bool socket_required) const {
        auto socket = o.get("socket");
        if (!socket_required && !socket && !o.has("host")) return;
        e.host = host_ref(
            o.need("host", hosts_expected(s_) + (socket ? R"( (needed with "socket"))" : "")));
        if (socket_required) socket = o.need("socket", sockets_of(e.host).expected(e.host, true));
        if (socket) e.socket = socket_ref(e.host, *socket);
    }

    Expectation read_expectation(const Node& n) {
        Object o(n,
                 {"type", "why", "host", "socket", "at", "is", "from", "event", "flags", "len",
                  "count", "min", "max", "call", "result", "to", "timer", "action", "ok", "counter",
                  "seq", "ack"},
                 R"(an expectation, such as {"type": "run_end", "is": "quiescent"})");
        Expectation e;
        e.pointer = n.pointer();
        e.kind = o.need("type", kExpectTypeExpected).parsed(parse_expect_kind, kExpectTypeExpected);
        o.allow_only(expectation_keys(e.kind),
                     "with \"type\": \"" + std::string(type_name(e.kind)) + "\"");
        if (auto why = o.get("why")) e.description = why->string();
        const std::string states = states_expected();
        switch (e.kind) {
            case ExpectKind::StateAt:
                read_host_socket(o, e, true);
                e.at = Time{} + o.need("at", kTimeExpected).duration();
                e.state = o.need("is", states).parsed(parse_state, states);
                break;
            case ExpectKind::FinalState:
                read_host_socket(o, e, true);
                e.state = o.need("is", states).parsed(parse_state, states);
                break;
            case ExpectKind::Segments:
                if (auto v = o.get("from")) e.host = host_ref(*v);  // the sending host
                e.segment_event = SegmentEvent::Send;
                if (auto v = o.get("event")) {
                    e.segment_event = v->parsed(parse_segment_event, kEventExpected);
                }
                if (auto v = o.get("flags")) e.flags = v->parsed(parse_flags, kFlagsExpected);
                if (auto v = o.get("len")) {
                    e.len = static_cast<std::uint32_t>(v->integer(0, kU32Max));
                }
                if (auto v = o.get("seq")) e.seq = static_cast<std::uint32_t>(v->integer(0, kU32Max));
                if (auto v = o.get("ack")) e.ack = static_cast<std::uint32_t>(v->integer(0, kU32Max));
                e.count = read_count(o, true);
                break;
            case ExpectKind::CallResult: {
                read_host_socket(o, e, true);
                e.call = o.need("call", kCallExpected).parsed(parse_call_kind, kCallExpected);
                Node result = o.need("result", kResultExpected);
                if (result.json().is_string()) {
                    e.error = result.parsed(parse_errno, kResultExpected);
                } else if (result.json().is_number_unsigned() &&
                           result.json().get<std::uint64_t>() <=
                               std::numeric_limits<std::int64_t>::max()) {
                    e.value = result.json().get<std::int64_t>();
                } else {
                    result.fail(std::string(kResultExpected));
                }
                if (auto v = o.get("at")) e.at = Time{} + v->duration();
                break;
            }
            case ExpectKind::Transition:
                read_host_socket(o, e, true);
                e.state = o.need("to", states).parsed(parse_state, states);
                if (auto v = o.get("from")) e.from_state = v->parsed(parse_state, states);
                if (auto v = o.get("at")) e.at = Time{} + v->duration();
                e.count = read_count(o, false);
                if (!e.count.equals && !e.count.min && !e.count.max) e.count.min = 1;
                break;
            case ExpectKind::Timer:
                e.host = host_ref(o.need("host", hosts_expected(s_)));
                if (auto v = o.get("socket")) e.socket = socket_ref(e.host, *v);
                e.timer = o.need("timer", kTimerExpected).parsed(parse_timer_kind, kTimerExpected);
                e.timer_action = o.need("action", kTimerActionExpected)
                                     .parsed(parse_timer_action, kTimerActionExpected);
                e.count = read_count(o, true);
                break;
            case ExpectKind::StreamIntegrity:
                if (auto v = o.get("ok")) e.integrity_ok = v->boolean();
                read_host_socket(o, e, false);
                break;
            case ExpectKind::RunEnd:
                e.run_end = o.need("is", kRunEndExpected).parsed(parse_run_end, kRunEndExpected);
                break;
            case ExpectKind::Counter:
                e.host = host_ref(o.need("host", hosts_expected(s_)));
                e.counter = o.need("counter", kCounterExpected).parsed(parse_counter, kCounterExpected);
                e.count = read_count(o, true);
                break;
        }
        return e;
    }

    Node root_;
    Scenario s_;
    std::map<std::string, SocketNames> sockets_;  // by host name; lookup only
};

// The document is parsed, then its text freed before the scenario is read from it: the
// text, the document and the scenario are never all alive at once.
LoadResult load(std::string text, const std::string& file_label, const std::vector<std::string>& overrides) {
    try {
        Json doc = scenario_json::parse_document(text, file_label);
        std::string().swap(text);
        for (const auto& o : overrides) scenario_json::apply_override(doc, o, file_label);
        return ScenarioReader(doc, file_label).read();
    } catch (const scenario_json::Rejection& r) {
        return r.error;
    }
}

}  // namespace

LoadResult load_scenario_file(const std::string& given, const std::vector<std::string>& overrides) {
    // "-" is standard input, named as such in messages (and the scenario named "stdin").
    const bool from_stdin = given == "-";
    const std::string path = from_stdin ? std::string(kStdinLabel) : given;
    auto unreadable = [&](int err) {
        std::string reason = std::generic_category().message(err);
        if (!reason.empty()) {
            reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
        }
        return UserError{path, "", "a readable scenario file", reason};
    };
    auto too_big = [&](std::string found) {
        return UserError{path, "", "a scenario file of at most 64 MiB (" + std::to_string(kMaxFileBytes) + " bytes)",
                         std::move(found)};
    };
    std::unique_ptr<std::FILE, CloseFile> file(from_stdin ? fdopen(dup(STDIN_FILENO), "rb")
                                                          : std::fopen(path.c_str(), "rb"));
    if (!file) return unreadable(errno);
    std::string text;
    struct stat st {};
    if (fstat(fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode)) {
        const auto size = static_cast<std::uint64_t>(st.st_size);
        if (size > kMaxFileBytes) return too_big("a file of " + std::to_string(size) + " bytes");
        text.reserve(size);
    }
    // At most one byte past the cap, so an endless stream (/dev/zero) ends at once.
    char buffer[1 << 16];
    std::size_t n = 0;
    while (text.size() <= kMaxFileBytes &&
           (n = std::fread(buffer, 1, std::min(sizeof buffer, kMaxFileBytes + 1 - text.size()), file.get())) > 0)
        text.append(buffer, n);
    if (std::ferror(file.get())) return unreadable(errno);  // e.g. EISDIR
    if (text.size() > kMaxFileBytes) return too_big("more than " + std::to_string(kMaxFileBytes) + " bytes");
    file.reset();
    return load(std::move(text), path, overrides);
}

LoadResult load_scenario_text(std::string_view json_text, const std::string& file_label,
                              const std::vector<std::string>& overrides) {
    return load(std::string(json_text), file_label, overrides);
}

}  // namespace tcpsim
