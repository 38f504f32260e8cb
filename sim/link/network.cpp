#include "tcpsim/link/network.hpp"

#include <algorithm>
#include <cassert>

namespace tcpsim {

Network::Network(Engine& engine, TraceSink& trace, std::uint64_t seed)
    : engine_(engine), trace_(trace), seed_(seed) {}

void Network::add_host(Host& host) {
    if (hosts_.size() <= host.index()) hosts_.resize(host.index() + 1u, nullptr);
    hosts_[host.index()] = &host;
    by_ip_[host.ip().value] = NodeId::host(host.index());
}

NodeId Network::add_nat(const NatConfig& config) {
    const NodeId id = NodeId::nat(static_cast<std::uint16_t>(nats_.size()));
    nats_.push_back(std::make_unique<Nat>(config));
    trace_.add_nat(config.name);  // same index as here
    by_ip_[config.address.value] = id;
    for (const std::string& inside : config.inside) {
        auto h = std::find_if(hosts_.begin(), hosts_.end(),
                              [&](const Host* x) { return x && x->name() == inside; });
        assert(h != hosts_.end() && "a NAT's inside hosts are added before it");
        nat_of_[(*h)->index()] = id.index;
    }
    return id;
}

void Network::add_link(NodeId a, NodeId b, const LinkDirectionConfig& a_to_b,
                       const LinkDirectionConfig& b_to_a) {
    const std::string& an = name(a);
    const std::string& bn = name(b);
    directions_[{a, b}] = std::make_unique<Direction>(
        Direction{a_to_b, Rng::stream(seed_, "link:" + an + "->" + bn)});
    directions_[{b, a}] = std::make_unique<Direction>(
        Direction{b_to_a, Rng::stream(seed_, "link:" + bn + "->" + an)});
}

void Network::add_link(std::uint16_t a, std::uint16_t b, const LinkDirectionConfig& a_to_b,
                       const LinkDirectionConfig& b_to_a) {
    add_link(NodeId::host(a), NodeId::host(b), a_to_b, b_to_a);
}

void Network::add_fault(const FaultConfig& fault) {
    faults_.push_back(FaultState{fault, trace_.add_fault(fault.description), 0});
}

const std::string& Network::name(NodeId n) const {
    return n.kind == NodeId::Kind::Host ? hosts_[n.index]->name() : nats_[n.index]->name();
}

std::optional<NodeId> Network::direct(NodeId at, Ipv4 dst) const {
    auto owner = by_ip_.find(dst.value);
    if (owner == by_ip_.end() || !directions_.count({at, owner->second})) return std::nullopt;
    return owner->second;
}

const Network::FaultState* Network::fire_fault(std::uint16_t from, const Segment& s) {
    const FaultState* fired = nullptr;
    const Time now = engine_.now();
    // Every fault counts the segments its fields match; the first one whose count says
    // "this one" acts.
    for (auto& f : faults_) {
        const FaultMatch& m = f.config.match;
        if (m.from && hosts_[from]->name() != *m.from) continue;
        if (m.flags && s.flags != *m.flags) continue;
        if (m.len && s.len() != *m.len) continue;
        if (m.after && now < *m.after) continue;
        if (m.before && now >= *m.before) continue;
        ++f.matched;
        const bool acts = m.nth ? f.matched == *m.nth : m.times ? f.matched <= *m.times : true;
        if (acts && !fired) fired = &f;
    }
    return fired;
}

TraceEvent Network::event(TraceKind kind, Origin origin, const Segment& s) const {
    TraceEvent e;
    e.t = engine_.now();
    e.kind = kind;
    e.host = origin.host;
    e.socket = origin.socket;
    e.has_conn = true;
    e.conn = {s.src, s.dst};
    set_segment_fields(e, s);
    return e;
}

void Network::record(SegmentEvent what, Origin origin, const Segment& s, LinkReason reason, Duration delay) {
    TraceEvent e = event(TraceKind::Segment, origin, s);
    e.segment_event = what;
    e.reason = reason;
    e.delay = delay;
    trace_.record(e);
}

void Network::record_fault(Origin origin, const Segment& s, const FaultState& f) {
    TraceEvent e = event(TraceKind::Link, origin, s);
    e.link = LinkEvent::Fault;
    e.fault = f.index;
    trace_.record(e);
}

void Network::record_nat(Origin origin, const Segment& s, std::uint16_t nat, const NatMapping& m) {
    TraceEvent e = event(TraceKind::Link, origin, s);
    e.link = LinkEvent::NatMapping;
    e.nat = nat;
    e.mapped = {nats_[nat]->address(), m.public_port};
    trace_.record(e);
}

void Network::schedule_arrival(NodeId to, Origin origin, const Segment& s, Duration delay) {
    engine_.schedule(engine_.now() + delay, [this, to, origin, s] { arrive(to, origin, s); });
}

void Network::arrive(NodeId at, Origin origin, const Segment& s) {
    switch (at.kind) {
        case NodeId::Kind::Host:
            hosts_[at.index]->deliver(s);
            return;
        case NodeId::Kind::Nat:
            at_nat(at.index, origin, s);
            return;
    }
}

void Network::transmit(std::uint16_t from, const Segment& s, SocketRef sender) {
    Host* self = hosts_[from];
    const Origin origin{from, sender};
    if (s.dst.ip == self->ip() || s.dst.ip.is_loopback()) {
        // Loopback: no link, so no delay, loss or faults; a new event at the same time lets
        // the sending stack finish what it is doing first, as any arrival would.
        engine_.schedule(engine_.now(), [self, s] { self->deliver(s); });
        return;
    }
    const NodeId at = NodeId::host(from);
    std::optional<NodeId> next = direct(at, s.dst.ip);
    if (!next) {
        auto nat = nat_of_.find(from);
        if (nat != nat_of_.end() && directions_.count({at, NodeId::nat(nat->second)})) {
            next = NodeId::nat(nat->second);
        }
    }
    if (!next) {
        record(SegmentEvent::Drop, origin, s, LinkReason::NoRoute);
        return;
    }
    hop(at, *next, origin, s, true);
}

void Network::at_nat(std::uint16_t index, Origin origin, const Segment& s) {
    Nat& nat = *nats_[index];
    const NodeId at = NodeId::nat(index);
    // Only inside hosts send a NAT segments for other addresses (see transmit).
    const bool inbound = s.dst.ip == nat.address();
    // Outbound, the destination does not change: find the way on before making a mapping.
    if (!inbound && !direct(at, s.dst.ip)) {
        record(SegmentEvent::Drop, origin, s, LinkReason::NoRoute);
        return;
    }
    NatResult r = inbound ? nat.inbound(s, engine_.now()) : nat.outbound(s, engine_.now());
    if (!r.segment) {
        record(SegmentEvent::Drop, origin, s, r.drop_reason);
        return;
    }
    if (r.created) {
        record_nat(origin, s, index, *r.created);
        if (ledger_) {
            const NatMapping& m = *r.created;
            ledger_->alias({m.inside, m.remote}, {{nat.address(), m.public_port}, m.remote});
        }
    }
    const std::optional<NodeId> next = direct(at, r.segment->dst.ip);
    if (!next) {
        record(SegmentEvent::Drop, origin, *r.segment, LinkReason::NoRoute);
        return;
    }
    hop(at, *next, origin, *r.segment, false);
}

void Network::hop(NodeId from, NodeId to, Origin origin, const Segment& s, bool first_hop) {
    Direction& dir = *directions_.at({from, to});
    Duration delay = dir.config.delay;
    if (dir.config.jitter.ns > 0) delay += nanoseconds(dir.rng.between(0, dir.config.jitter.ns));

    if (const FaultState* f = first_hop ? fire_fault(origin.host, s) : nullptr) {
        record_fault(origin, s, *f);
        switch (f->config.action) {
            case FaultAction::Drop:
                record(SegmentEvent::Drop, origin, s, LinkReason::Fault);
                return;
            case FaultAction::Duplicate:
                record(SegmentEvent::Duplicate, origin, s, LinkReason::Fault);
                schedule_arrival(to, origin, s, delay);
                schedule_arrival(to, origin, s, delay);
                return;
            case FaultAction::Delay:
                record(SegmentEvent::Delay, origin, s, LinkReason::Fault, f->config.delay);
                schedule_arrival(to, origin, s, delay + f->config.delay);
                return;
        }
    }
    if (dir.rng.chance(dir.config.loss)) {
        record(SegmentEvent::Drop, origin, s, LinkReason::Loss);
        return;
    }
    if (dir.rng.chance(dir.config.reorder)) {
        record(SegmentEvent::Delay, origin, s, LinkReason::Reorder, dir.config.reorder_delay);
        delay += dir.config.reorder_delay;
    }
    schedule_arrival(to, origin, s, delay);
    if (dir.rng.chance(dir.config.duplicate)) {
        record(SegmentEvent::Duplicate, origin, s, LinkReason::Duplicate);
        schedule_arrival(to, origin, s, delay);
    }
}

}  // namespace tcpsim
