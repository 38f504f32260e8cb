#include "tcpsim/views/relative_seq.hpp"

namespace tcpsim {

std::pair<RelativeSeq::Key, bool> RelativeSeq::key_of(const TraceEvent& e) {
    // Who sent it: a delivered segment (and a receiver's decision about it) came from the
    // remote end; on links and at the sender the local end is the source.
    const bool received = (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Deliver) ||
                          e.kind == TraceKind::Decision;
    const Endpoint src = received ? e.conn.remote : e.conn.local;
    const Endpoint dst = received ? e.conn.local : e.conn.remote;
    if (src < dst) return {{src, dst}, true};
    return {{dst, src}, false};
}

RelativeSeq::Bases& RelativeSeq::touch(const Key& k) {
    auto it = table_.find(k);
    if (it != table_.end()) {
        ages_.splice(ages_.begin(), ages_, it->second.age);
        return it->second;
    }
    if (table_.size() >= capacity_) {
        table_.erase(ages_.back());
        ages_.pop_back();
    }
    ages_.push_front(k);
    Bases& b = table_[k];
    b.age = ages_.begin();
    return b;
}

void RelativeSeq::learn(const TraceEvent& e) {
    if (!e.has_conn) return;
    if (e.kind == TraceKind::State) {
        if (e.to != State::Closed) return;
        const Key k = e.conn.local < e.conn.remote ? Key{e.conn.local, e.conn.remote}
                                                   : Key{e.conn.remote, e.conn.local};
        auto it = table_.find(k);
        if (it != table_.end() && ++it->second.closed >= 2) {
            ages_.erase(it->second.age);
            table_.erase(it);
        }
        return;
    }
    const bool segment = e.kind == TraceKind::Segment || (e.kind == TraceKind::Decision && e.segment != 0);
    if (!segment) return;
    const auto [key, from_a] = key_of(e);
    Bases& b = touch(key);
    std::optional<std::uint32_t>& base = from_a ? b.from_a : b.from_b;
    if (has(e.flags, Flags::Syn) && !has(e.flags, Flags::Rst)) {
        // A SYN with another ISN than the base starts a new incarnation: the other
        // direction starts again too.
        if (base && *base != e.seq.v) {
            (from_a ? b.from_b : b.from_a).reset();
            b.closed = 0;
        }
        base = e.seq.v;
    } else if (!base) {
        base = e.seq.v;
    }
}

RelativeSeq::Numbers RelativeSeq::of(const TraceEvent& e) const {
    Numbers n{e.seq.v, e.ack.v};
    if (!e.has_conn) return n;
    const auto [key, from_a] = key_of(e);
    auto it = table_.find(key);
    if (it == table_.end()) return n;
    const auto& mine = from_a ? it->second.from_a : it->second.from_b;
    const auto& theirs = from_a ? it->second.from_b : it->second.from_a;
    if (mine) n.seq = e.seq.v - *mine;
    if (theirs && has(e.flags, Flags::Ack)) n.ack = e.ack.v - *theirs;
    return n;
}

}  // namespace tcpsim
