#include "tcpsim/link/network.hpp"

namespace tcpsim {

Network::Network(Engine& engine, TraceSink& trace, std::uint64_t seed)
    : engine_(engine), trace_(trace), seed_(seed) {}

void Network::add_host(Host& host) {
    if (hosts_.size() <= host.index()) hosts_.resize(host.index() + 1u, nullptr);
    hosts_[host.index()] = &host;
    by_ip_[host.ip().value] = &host;
}

void Network::add_link(std::uint16_t a, std::uint16_t b, const LinkDirectionConfig& a_to_b,
                       const LinkDirectionConfig& b_to_a) {
    const std::string an = hosts_[a]->name();
    const std::string bn = hosts_[b]->name();
    directions_[{a, b}] = std::make_unique<Direction>(Direction{a_to_b, Rng::stream(seed_, "link:" + an + "->" + bn)});
    directions_[{b, a}] = std::make_unique<Direction>(Direction{b_to_a, Rng::stream(seed_, "link:" + bn + "->" + an)});
}

void Network::add_fault(const FaultConfig& fault) {
    faults_.push_back(FaultState{fault, trace_.intern_text(fault.description), 0});
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

void Network::record(SegmentEvent what, std::uint16_t from, const Segment& s, const char* reason,
                     Duration delay) {
    TraceEvent e;
    e.t = engine_.now();
    e.kind = TraceKind::Segment;
    e.host = from;
    e.has_conn = true;
    e.conn = {s.src, s.dst};
    e.segment_event = what;
    e.flags = s.flags;
    e.seq = s.seq;
    e.ack = s.ack;
    e.len = s.len();
    e.win = s.window;
    e.mss = s.options.mss;
    e.ts = s.options.timestamp;
    e.reason = reason;
    e.delay = delay;
    trace_.record(e);
}

void Network::schedule_delivery(Host& to, const Segment& s, Duration delay) {
    Host* dst = &to;
    engine_.schedule(engine_.now() + delay, [dst, s] { dst->deliver(s); });
}

void Network::transmit(std::uint16_t from, const Segment& s) {
    auto dst_it = by_ip_.find(s.dst.ip.value);
    auto dir_it = dst_it == by_ip_.end()
                      ? directions_.end()
                      : directions_.find({from, dst_it->second->index()});
    if (dir_it == directions_.end()) {
        record(SegmentEvent::Drop, from, s, "no route", {});
        return;
    }
    Host& dst = *dst_it->second;
    Direction& dir = *dir_it->second;
    Duration delay = dir.config.delay;
    if (dir.config.jitter.ns > 0) delay += nanoseconds(dir.rng.between(0, dir.config.jitter.ns));

    if (const FaultState* f = fire_fault(from, s)) {
        TraceEvent e;
        e.t = engine_.now();
        e.kind = TraceKind::Link;
        e.host = from;
        e.has_conn = true;
        e.conn = {s.src, s.dst};
        e.flags = s.flags;
        e.seq = s.seq;
        e.ack = s.ack;
        e.len = s.len();
        e.win = s.window;
        e.reason = "fault";
        e.text = f->text;
        trace_.record(e);
        switch (f->config.action) {
            case FaultAction::Drop:
                record(SegmentEvent::Drop, from, s, "fault", {});
                return;
            case FaultAction::Duplicate:
                record(SegmentEvent::Duplicate, from, s, "fault", {});
                schedule_delivery(dst, s, delay);
                schedule_delivery(dst, s, delay);
                return;
            case FaultAction::Delay:
                record(SegmentEvent::Delay, from, s, "fault", f->config.delay);
                schedule_delivery(dst, s, delay + f->config.delay);
                return;
        }
    }
    if (dir.rng.chance(dir.config.loss)) {
        record(SegmentEvent::Drop, from, s, "loss", {});
        return;
    }
    if (dir.rng.chance(dir.config.reorder)) {
        record(SegmentEvent::Delay, from, s, "reorder", dir.config.reorder_delay);
        delay += dir.config.reorder_delay;
    }
    schedule_delivery(dst, s, delay);
    if (dir.rng.chance(dir.config.duplicate)) {
        record(SegmentEvent::Duplicate, from, s, "duplicate", {});
        schedule_delivery(dst, s, delay);
    }
}

}  // namespace tcpsim
