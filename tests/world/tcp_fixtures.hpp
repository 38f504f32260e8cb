// State factories and a small segment DSL for connection tests (smoltcp style): build a
// connection already in a state, feed it segments, assert exactly what it sends.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "tcpsim/tcp/connection.hpp"

namespace tcpsim::test {

inline const Endpoint kLocal{Ipv4{0x0a000001}, 40000};   // 10.0.0.1:40000
inline const Endpoint kRemote{Ipv4{0x0a000002}, 80};     // 10.0.0.2:80
inline constexpr std::uint32_t kIss = 1000;              // ours
inline constexpr std::uint32_t kIrs = 5000;              // the peer's

// A segment from the peer.
inline Segment from_peer(Flags flags, std::uint32_t seq, std::uint32_t ack = 0, std::string data = {},
                         std::uint16_t window = 65535) {
    Segment s;
    s.src = kRemote;
    s.dst = kLocal;
    s.flags = flags;
    s.seq = Seq{seq};
    s.ack = Seq{ack};
    s.window = window;
    if (!data.empty())
        s.payload = std::make_shared<std::vector<std::uint8_t>>(data.begin(), data.end());
    return s;
}

// "FIN|ACK seq=1001 ack=5001 len=0" for each segment the connection sent.
inline std::vector<std::string> sent(const Actions& out) {
    std::vector<std::string> v;
    for (const Action& a : out.list) {
        if (const auto* t = std::get_if<Transmit>(&a)) {
            const Segment& s = t->segment;
            v.push_back(to_string(s.flags) + " seq=" + std::to_string(s.seq.v) +
                        " ack=" + std::to_string(s.ack.v) + " len=" + std::to_string(s.len()));
        }
    }
    return v;
}

// "ESTABLISHED -> FIN_WAIT_1" for each transition.
inline std::vector<std::string> transitions(const Actions& out) {
    std::vector<std::string> v;
    for (const Action& a : out.list) {
        if (const auto* t = std::get_if<Transition>(&a))
            v.push_back(std::string(to_string(t->from)) + " -> " + std::string(to_string(t->to)));
    }
    return v;
}

// "retransmit set 1000000000" for each timer request (expiry in ns).
inline std::vector<std::string> timers(const Actions& out) {
    std::vector<std::string> v;
    for (const Action& a : out.list) {
        if (const auto* t = std::get_if<TimerRequest>(&a))
            v.push_back(std::string(to_string(t->kind)) + " " + std::string(to_string(t->action)) +
                        " " + std::to_string(t->expires.ns));
    }
    return v;
}

// The first segment the connection sent.
inline const Segment& first_sent(const Actions& out) {
    for (const Action& a : out.list)
        if (const auto* t = std::get_if<Transmit>(&a)) return t->segment;
    throw std::logic_error("nothing was sent");
}

inline Errno last_error(const Actions& out) {
    Errno e = Errno::Ok;
    for (const Action& a : out.list)
        if (const auto* t = std::get_if<Transition>(&a)) e = t->error;
    return e;
}

inline Time at_ms(std::int64_t ms) { return Time{} + milliseconds(ms); }

// The application reads all it can (what the connection sends in answer is dropped).
inline RecvResult read_all(Connection& c, Time now = Time{}) {
    Actions out;
    return c.recv(0, now, out);
}

inline Connection syn_sent(const ProfileRules& rules) {
    Connection c({{kLocal, kRemote}, &rules, Seq{kIss}});
    Actions out;
    c.open_active(Time{}, out);
    return c;
}

// Handshake done at t=10ms: SND.NXT = 1001, RCV.NXT = 5001.
inline Connection established(const ProfileRules& rules) {
    Connection c = syn_sent(rules);
    Actions out;
    c.on_segment(from_peer(Flags::Syn | Flags::Ack, kIrs, kIss + 1), at_ms(10), out);
    return c;
}

// We closed at 20ms and the peer ACKed our FIN at 30ms.
inline Connection fin_wait_2(const ProfileRules& rules) {
    Connection c = established(rules);
    Actions out;
    c.shutdown_write(at_ms(20), out);
    c.on_segment(from_peer(Flags::Ack, kIrs + 1, kIss + 2), at_ms(30), out);
    return c;
}

inline const ProfileRules& rfc793() { return *find_profile("rfc793"); }
inline const ProfileRules& linux_rules() { return *find_profile("linux"); }
inline const ProfileRules& bsd() { return *find_profile("bsd"); }

}  // namespace tcpsim::test
