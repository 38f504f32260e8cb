#include "tcpsim/link/nat.hpp"

#include <cassert>
#include <utility>

namespace tcpsim {

Nat::Nat(NatConfig config) : config_(std::move(config)), fresh_(config_.port_low) {
    assert(config_.port_low >= 1 && config_.port_low <= config_.port_high);
    assert(config_.mapping_timeout.ns > 0);
}

NatResult Nat::outbound(const Segment& s, Time now) {
    expire(now);
    NatResult r;
    std::uint16_t port = 0;
    if (auto it = by_flow_.find({s.src, s.dst}); it != by_flow_.end()) {
        port = it->second;
        refresh(port, by_port_.at(port), now);
    } else {
        const auto free_port = allocate_port();
        if (!free_port) {
            r.drop_reason = LinkReason::NatNoFreePort;
            return r;
        }
        port = *free_port;
        Entry& e = by_port_[port];
        e = Entry{s.src, s.dst, now + config_.mapping_timeout};
        expiries_.insert({e.expires, port});
        by_flow_[{s.src, s.dst}] = port;
        r.created = NatMapping{s.src, s.dst, port};
    }
    r.segment = s;
    r.segment->src = {config_.address, port};
    return r;
}

NatResult Nat::inbound(const Segment& s, Time now) {
    expire(now);
    NatResult r;
    auto it = by_port_.find(s.dst.port);
    // Endpoint-dependent filtering: only the remote the mapping was made for gets in.
    if (it == by_port_.end() || it->second.remote != s.src) {
        r.drop_reason = LinkReason::NatNoMapping;
        return r;
    }
    refresh(it->first, it->second, now);
    r.segment = s;
    r.segment->dst = it->second.inside;
    return r;
}

void Nat::expire(Time now) {
    // A mapping idle for the whole timeout is gone at that instant.
    while (!expiries_.empty() && expiries_.begin()->first <= now) {
        const std::uint16_t port = expiries_.begin()->second;
        expiries_.erase(expiries_.begin());
        const Entry& e = by_port_.at(port);
        by_flow_.erase({e.inside, e.remote});
        by_port_.erase(port);
        released_.insert(port);
    }
}

void Nat::refresh(std::uint16_t port, Entry& e, Time now) {
    expiries_.erase({e.expires, port});
    e.expires = now + config_.mapping_timeout;
    expiries_.insert({e.expires, port});
}

std::optional<std::uint16_t> Nat::allocate_port() {
    // Released ports all lie below fresh_, so the smallest released one is the lowest free.
    if (!released_.empty()) {
        const std::uint16_t port = *released_.begin();
        released_.erase(released_.begin());
        return port;
    }
    if (fresh_ > config_.port_high) return std::nullopt;
    return static_cast<std::uint16_t>(fresh_++);
}

}  // namespace tcpsim
