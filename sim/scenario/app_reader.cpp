#include "app_reader.hpp"

namespace tcpsim::scenario_json {
namespace {

constexpr std::string_view kAppCallExpected =
    "one of listen, connect, send, recv, shutdown, close, abort, setsockopt, reboot, send_segment";
constexpr std::string_view kOnExpected = "one of connected, data, peer_closed, error, idle";
constexpr std::string_view kOptionsExpected =
    R"(socket options, such as {"SO_KEEPALIVE": true, "TCP_KEEPIDLE": "3s", "SO_LINGER": "0s"})";
constexpr std::string_view kPortExpected = "a port from 1 to 65535";
constexpr std::string_view kHowExpected = "one of rd, wr, rdwr";

// Accept and bind are not something a script calls: a listen's accept_as names what it
// accepts, and listen/connect bind their port.
std::optional<CallKind> parse_app_call(std::string_view s) {
    auto call = parse_call_kind(s);
    if (call == CallKind::Accept || call == CallKind::Bind) return std::nullopt;
    return call;
}

// setsockopt-style options; SO_LINGER takes a duration (on) or false (off).
SocketOptionsChange read_options(const Node& n) {
    Object o(n, {"SO_REUSEADDR", "SO_KEEPALIVE", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "SO_LINGER"},
             kOptionsExpected);
    SocketOptionsChange c;
    if (auto v = o.get("SO_REUSEADDR")) c.reuse_address = v->boolean();
    if (auto v = o.get("SO_KEEPALIVE")) c.keepalive = v->boolean();
    if (auto v = o.get("TCP_KEEPIDLE")) c.keep_idle = v->positive_duration();
    if (auto v = o.get("TCP_KEEPINTVL")) c.keep_interval = v->positive_duration();
    if (auto v = o.get("TCP_KEEPCNT")) c.keep_count = static_cast<int>(v->integer(1, 127));
    if (auto v = o.get("SO_LINGER")) {
        if (v->json().is_boolean() && !v->json().get<bool>()) {
            c.linger = std::optional<Duration>{};
        } else if (v->json().is_string()) {
            c.linger = std::optional<Duration>{v->duration()};
        } else {
            v->fail(R"(a linger time such as "0s" (SO_LINGER on), or false (off))");
        }
    }
    if (c.empty()) n.fail(std::string(kOptionsExpected), "no option");
    return c;
}

std::optional<Trigger> parse_reaction(std::string_view s) {
    if (s == "connected") return Trigger::Connected;
    if (s == "data") return Trigger::Data;
    if (s == "peer_closed") return Trigger::PeerClosed;
    if (s == "error") return Trigger::Error;
    if (s == "idle") return Trigger::Idle;
    return std::nullopt;
}

std::optional<ShutdownHow> parse_how(std::string_view s) {
    if (s == "rd") return ShutdownHow::Read;
    if (s == "wr") return ShutdownHow::Write;
    if (s == "rdwr") return ShutdownHow::Both;
    return std::nullopt;
}

std::uint16_t port(const Node& n) { return static_cast<std::uint16_t>(n.integer(1, 65535)); }

std::string_view describe(SocketRole r) {
    switch (r) {
        case SocketRole::Listening:
            return "a listening socket";
        case SocketRole::Connecting:
            return "a connecting socket";
        case SocketRole::Accepted:
            return "accepted connections";
    }
    return "?";
}

std::vector<std::string_view> action_keys(CallKind call) {
    std::vector<std::string_view> keys{"at", "on", "after", "socket", "call", "every"};
    switch (call) {
        case CallKind::Listen:
            keys.insert(keys.end(), {"port", "accept_as", "autoread", "options"});
            break;
        case CallKind::Connect:
            keys.insert(keys.end(), {"to", "from_port", "autoread", "options", "isn", "tcp_timestamps"});
            break;
        case CallKind::SendSegment:  // a raw socket: no socket of the stack, no reaction
            keys = {"at", "call", "from_port", "to", "flags", "seq", "ack", "window", "len", "text",
                    "options", "of", "stack_answers"};
            break;
        case CallKind::Setsockopt:
            keys.push_back("options");
            break;
        case CallKind::Reboot:
            keys = {"at", "call"};  // the whole host: no socket, no reaction
            break;
        case CallKind::Send:
            keys.insert(keys.end(), {"bytes", "text"});
            break;
        case CallKind::Recv:
            keys.push_back("bytes");
            break;
        case CallKind::Shutdown:
            keys.push_back("how");
            break;
        case CallKind::Accept:  // never parsed (parse_app_call)
        case CallKind::Bind:
        case CallKind::Close:
        case CallKind::Abort:
            break;
    }
    return keys;
}

// "HOST:PORT": HOST a host name (to_host) or a dotted IPv4 address (to_ip).
void read_target(const Node& n, const Scenario& s, SocketSetup& a) {
    const std::string expected =
        R"("HOST:PORT", HOST )" + hosts_expected(s) + " or an IPv4 address, PORT from 1 to 65535";
    if (!n.json().is_string()) n.fail(expected);
    const auto& text = n.json().get_ref<const std::string&>();
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) n.fail(expected);
    const std::string host = text.substr(0, colon);
    const std::string digits = text.substr(colon + 1);
    std::uint32_t p = 0;
    for (char ch : digits) {
        if (ch < '0' || ch > '9' || p > 65535) n.fail(expected);
        p = p * 10 + static_cast<std::uint32_t>(ch - '0');
    }
    if (digits.empty() || p < 1 || p > 65535) n.fail(expected);
    a.to_port = static_cast<std::uint16_t>(p);
    if (s.find_host(host)) {
        a.to_host = host;
    } else if (auto ip = Ipv4::parse(host)) {
        // RFC 1122 4.2.3.10: TCP is unicast; 0.0.0.0/8 names no peer (Linux would quietly
        // connect to itself instead).
        if (auto problem = not_unicast(*ip)) n.fail(std::string(*problem));
        a.to_ip = ip;
    } else {
        n.fail(expected);
    }
}

CraftedValue crafted_value(const Node& n, CraftedField field) {
    const std::string expected(crafted_value_expected(field));
    if (n.json().is_number_unsigned()) return {CraftedBase::Absolute, static_cast<std::int64_t>(n.integer(0, 0xffffffff))};
    return n.parsed([field](std::string_view s) { return parse_crafted_value(s, field); }, expected);
}

// A segment's TCP options: {"mss": 1460, "wscale": 7, "sack_permitted": true,
// "timestamp": {"val": ..., "ecr": ...}}.
void read_crafted_options(const Node& n, CraftedSegment& c) {
    Object o(n, {"mss", "wscale", "sack_permitted", "timestamp"},
             R"(TCP options, such as {"mss": 1460, "timestamp": {"val": 1000, "ecr": "ts_recent"}})");
    if (auto v = o.get("mss")) c.mss = static_cast<std::uint16_t>(v->integer(0, 65535));
    // RFC 7323 2.3: a shift above 14 is used as 14, but a raw socket may send it.
    if (auto v = o.get("wscale")) c.wscale = static_cast<std::uint8_t>(v->integer(0, 255));
    if (auto v = o.get("sack_permitted")) c.sack_permitted = v->boolean();
    if (auto v = o.get("timestamp")) {
        Object ts(*v, {"val", "ecr"}, R"(a timestamp option, such as {"val": 1000, "ecr": 0})");
        c.timestamp = CraftedTimestamp{
            crafted_value(ts.need("val", crafted_value_expected(CraftedField::Timestamp)), CraftedField::Timestamp),
            ts.get("ecr") ? crafted_value(*ts.get("ecr"), CraftedField::Timestamp) : CraftedValue{}};
    }
}

std::shared_ptr<const CraftedSegment> read_crafted(const Object& o, const Scenario& s) {
    CraftedSegment c;
    c.from_port = port(o.need("from_port", kPortExpected));
    SocketSetup target;
    read_target(o.need("to", R"("HOST:PORT", such as "server:80")"), s, target);
    c.to_host = target.to_host;
    c.to_ip = target.to_ip;
    c.to_port = target.to_port;
    const std::string flags_expected = "TCP flags such as \"SYN\", \"ACK\", \"RST|ACK\", \"FIN|ACK\"";
    c.flags = o.need("flags", flags_expected).parsed(parse_flags, flags_expected);
    c.seq = crafted_value(o.need("seq", crafted_value_expected(CraftedField::Sequence)), CraftedField::Sequence);
    auto ack = o.get("ack");
    if (has(c.flags, Flags::Ack)) {
        c.ack = crafted_value(o.need("ack", crafted_value_expected(CraftedField::Sequence)), CraftedField::Sequence);
    } else if (ack) {
        ack->fail(R"(no "ack" without the ACK flag (the field is only meaningful with it))");
    }
    if (auto v = o.get("window")) c.window = static_cast<std::uint16_t>(v->integer(0, 65535));
    auto len = o.get("len");
    auto text = o.get("text");
    if (len && text) text->fail(R"(either "len" or "text", not both)");
    // At most what fits one IPv4 packet with a full TCP header (65535 - 20 - 60).
    if (len) c.len = static_cast<std::uint32_t>(len->integer(0, 65455));
    if (text) {
        c.text = text->nonempty_string();
        if (c.text.size() > 65455) text->fail("at most 65455 bytes (one IPv4 packet)", std::to_string(c.text.size()) + " bytes");
        c.len = static_cast<std::uint32_t>(c.text.size());
    }
    if (auto v = o.get("options")) read_crafted_options(*v, c);
    if (auto v = o.get("stack_answers")) c.stack_answers = v->boolean();
    if (auto of = o.get("of")) {
        Object ref(*of, {"host", "socket"}, R"(the socket relative values count from, such as {"host": "server", "socket": "s"})");
        const Node host = ref.need("host", hosts_expected(s));
        if (!host.json().is_string() || !s.find_host(host.json().get<std::string>())) host.fail(hosts_expected(s));
        c.of_host = host.json().get<std::string>();
        c.of_socket = ref.need("socket", kNameExpected).string();
    } else if (c.needs_reference()) {
        o.node().fail(R"("of": the socket that "snd_nxt", "rcv_nxt", "ts_recent"... belong to, such as {"host": "server", "socket": "s"})",
                      "relative values without \"of\"");
    }
    return std::make_shared<const CraftedSegment>(std::move(c));
}

void read_trigger(const Object& o, AppAction& a) {
    auto at = o.get("at");
    auto on = o.get("on");
    auto after = o.get("after");
    if (at && on) on->fail(R"(either "at" or "on", not both)");
    if (at) {
        if (after) after->fail(R"(no "after" with "at" ("after" delays an "on" reaction))");
        a.trigger = Trigger::At;
        a.at = Time{} + at->duration();
    } else if (on) {
        a.trigger = on->parsed(parse_reaction, kOnExpected);
        if (a.trigger == Trigger::Idle) {
            if (!after) on->fail(R"("idle" with "after": how long without data, such as "12s")", R"("idle" without "after")");
            a.after = after->positive_duration();
        } else if (after) {
            a.after = after->duration();
        }
    } else {
        o.node().fail(R"("at" (a time) or "on" (connected, data, peer_closed, error))", "neither");
    }
}

AppAction read_action(const Node& n, const Scenario& s, SocketNames& names) {
    Object o(n,
             {"at", "on", "after", "socket", "call", "port", "accept_as", "autoread", "to",
              "from_port", "bytes", "text", "how", "options", "every", "isn", "tcp_timestamps",
              "flags", "seq", "ack", "window", "len", "of", "stack_answers"},
             R"(an app action, such as {"at": "0s", "call": "close", "socket": "c"})");
    AppAction a;
    a.pointer = n.pointer();
    a.call = o.need("call", kAppCallExpected).parsed(parse_app_call, kAppCallExpected);
    o.allow_only(action_keys(a.call), "with \"call\": \"" + std::string(to_string(a.call)) + "\"");
    read_trigger(o, a);
    if (a.call == CallKind::Reboot) return a;
    if (a.call == CallKind::SendSegment) {
        a.crafted = read_crafted(o, s);
        return a;
    }
    if (auto v = o.get("every")) a.every = v->positive_duration();
    const Node socket = o.need("socket", kNameExpected);
    a.socket = socket.name();
    SocketSetup setup;
    if (auto v = o.get("options")) setup.options = read_options(*v);
    switch (a.call) {
        case CallKind::SendSegment:  // read above
            break;
        case CallKind::Setsockopt:
            setup.options = read_options(o.need("options", kOptionsExpected));
            a.setup = std::make_shared<const SocketSetup>(std::move(setup));
            break;
        case CallKind::Reboot:
        case CallKind::Bind:
            break;
        case CallKind::Listen: {
            setup.port = port(o.need("port", kPortExpected));
            auto accept_as = o.get("accept_as");
            setup.accept_as = accept_as ? accept_as->name() : a.socket + "_conn";
            if (auto v = o.get("autoread")) setup.autoread = v->boolean();
            names.declare(socket, a.socket, SocketRole::Listening);
            names.declare(accept_as ? *accept_as : socket, setup.accept_as, SocketRole::Accepted);
            a.setup = std::make_shared<const SocketSetup>(std::move(setup));
            break;
        }
        case CallKind::Connect:
            read_target(o.need("to", R"("HOST:PORT", such as "server:80")"), s, setup);
            if (auto v = o.get("from_port")) setup.from_port = port(*v);
            if (auto v = o.get("autoread")) setup.autoread = v->boolean();
            if (auto v = o.get("isn")) setup.isn = static_cast<std::uint32_t>(v->integer(0, 0xffffffff));
            if (auto v = o.get("tcp_timestamps")) setup.tcp_timestamps = v->boolean();
            names.declare(socket, a.socket, SocketRole::Connecting);
            a.setup = std::make_shared<const SocketSetup>(std::move(setup));
            break;
        case CallKind::Send: {
            auto bytes = o.get("bytes");
            auto text = o.get("text");
            if (bytes && text) text->fail(R"(either "bytes" or "text", not both)");
            if (bytes) {
                a.bytes = bytes->integer(1);
            } else if (text) {
                a.text = text->nonempty_string();
                a.bytes = a.text.size();
            } else {
                n.fail(R"("bytes" (a count) or "text" (a string) to send)", "neither");
            }
            break;
        }
        case CallKind::Recv:
            if (auto v = o.get("bytes")) a.max_bytes = v->integer(1);
            break;
        case CallKind::Shutdown:
            if (auto v = o.get("how")) a.how = v->parsed(parse_how, kHowExpected);
            break;
        case CallKind::Accept:  // never parsed (parse_app_call)
        case CallKind::Close:
        case CallKind::Abort:
            break;
    }
    return a;
}

}  // namespace

void SocketNames::declare(const Node& where, const std::string& name, SocketRole role) {
    if (const Declared* d = find(name)) {
        if (d->role != role) {
            where.fail("a name not already used for " + std::string(describe(d->role)) + " (" +
                           d->pointer + ")",
                       json_string(name));
        }
        return;
    }
    index_.emplace(name, declared_.size());
    declared_.push_back({name, role, where.pointer()});
}

bool SocketNames::knows_label(std::string_view label) const {
    if (knows(label)) return true;
    const std::size_t dot = label.rfind('.');
    if (dot == std::string_view::npos) return false;
    const Declared* base = find(label.substr(0, dot));
    const std::string_view n = label.substr(dot + 1);
    // 2, 3, ...: the first accepted connection is the plain name.
    const bool later = !n.empty() && n[0] != '0' && n != "1" && n.size() <= 9 &&
                       n.find_first_not_of("0123456789") == std::string_view::npos;
    return base && base->role == SocketRole::Accepted && later;
}

std::string SocketNames::expected(const std::string& host, bool labels) const {
    std::string out = "a socket declared by a listen or connect in the apps of \"" + host + "\" (";
    std::string accepted;
    for (const auto& d : declared_) {
        if (&d != &declared_.front()) out += ", ";
        out += d.name;
        if (d.role == SocketRole::Accepted && accepted.empty()) accepted = d.name;
    }
    if (declared_.empty()) out += "none declared";
    out += ")";
    if (labels && !accepted.empty()) {
        out += "; later accepted connections are " + accepted + ".2, " + accepted + ".3, ...";
    }
    return out;
}

const SocketNames::Declared* SocketNames::find(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &declared_[it->second];
}

std::string hosts_expected(const Scenario& s) {
    std::string out = "one of the hosts ";
    for (const auto& h : s.hosts) out += (&h == &s.hosts.front() ? "" : ", ") + h.name;
    return out;
}

std::vector<AppConfig> read_apps(const Node& n, const Scenario& s,
                                 std::map<std::string, SocketNames>& sockets) {
    std::vector<AppConfig> apps;
    Object scripts = Object::any_keys(n, R"(an object of app scripts, such as {"client": [...]})");
    for (const auto& [host, script] : scripts.members()) {
        if (!s.find_host(host)) script.fail(hosts_expected(s), json_string(host));
        AppConfig app{host, {}};
        SocketNames& names = sockets[host];
        const auto actions = script.elements("an array of app actions");
        app.actions.reserve(actions.size());
        for (const Node& a : actions) app.actions.push_back(read_action(a, s, names));
        // Checked after the whole script: a reaction may come before its socket's connect.
        for (const AppAction& a : app.actions) {
            if (a.call != CallKind::Reboot && a.call != CallKind::SendSegment && !names.knows(a.socket)) {
                reject(n.file(), a.pointer + "/socket", names.expected(host, false),
                       json_string(a.socket));
            }
        }
        apps.push_back(std::move(app));
    }
    // A crafted segment's "of" may name a socket of any host: checked once all are known.
    for (const AppConfig& app : apps) {
        for (const AppAction& a : app.actions) {
            if (!a.crafted || a.crafted->of_host.empty()) continue;
            const SocketNames& names = sockets[a.crafted->of_host];
            if (!names.knows_label(a.crafted->of_socket))
                reject(n.file(), a.pointer + "/of/socket", names.expected(a.crafted->of_host, true),
                       json_string(a.crafted->of_socket));
        }
    }
    return apps;
}

}  // namespace tcpsim::scenario_json
