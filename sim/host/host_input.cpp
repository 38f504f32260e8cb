// Host: demultiplexing an arriving segment (RFC 9293 3.10.7): connection, TIME-WAIT
// record, listener, or nobody.
#include "tcpsim/host/host.hpp"
#include "tcpsim/tcp/reset.hpp"

namespace tcpsim {

void Host::deliver(const Segment& seg) {
    const FourTuple t{seg.dst, seg.src};
    if (!raw_tuples_.empty() && raw_tuples_.count(t)) {
        TraceEvent e = event(TraceKind::Segment, {}, &t);
        e.segment_event = SegmentEvent::Deliver;
        set_segment_fields(e, seg);
        trace_.record(e);
        arriving_ = &seg;
        record_decision(Cause::RawSocketTookReply, {}, &t);
        arriving_ = nullptr;
        return;
    }
    auto conn_it = connections_.find(t);
    TimeWaitEntry* tw = conn_it == connections_.end() ? time_wait_.find(t) : nullptr;
    auto listener_it = listeners_.find(seg.dst.port);
    SocketRef label;
    if (conn_it != connections_.end()) {
        label = conn_it->second->label;
    } else if (tw) {
        label = tw->record.socket;
    } else if (listener_it != listeners_.end()) {
        label = sockets_[static_cast<std::size_t>(listener_it->second)].ref;
    }
    TraceEvent e = event(TraceKind::Segment, label, &t);
    e.segment_event = SegmentEvent::Deliver;
    set_segment_fields(e, seg);
    trace_.record(e);

    arriving_ = &seg;
    if (conn_it != connections_.end()) {
        ConnSlot& slot = *conn_it->second;
        slot.conn.on_segment(seg, engine_.now(), actions_);
        apply(slot);
    } else if (tw) {
        on_time_wait_segment(t, *tw, seg);
    } else if (listener_it != listeners_.end() && (seg.dst.ip == setup_.ip || seg.dst.ip.is_loopback())) {
        // Listeners take any of the host's addresses, loopback included (INADDR_ANY).
        on_listener_segment(listener_it->second, seg, std::nullopt);
    } else if (auto rst = reset_for_no_connection(seg)) {
        // RFC 9293 3.10.7.1: no connection (CLOSED) -> reset, unless the segment is a RST.
        record_decision(Cause::NoConnectionReset, {}, &t);
        transmit(std::move(*rst), {}, t);
    } else {
        record_decision(Cause::NoConnectionRstDropped, {}, &t);
    }
    arriving_ = nullptr;
}

void Host::on_listener_segment(SocketId listener, const Segment& seg, std::optional<Seq> isn) {
    const FourTuple t{seg.dst, seg.src};
    SocketEntry& l = sockets_[static_cast<std::size_t>(listener)];
    // RFC 9293 3.10.7.2 LISTEN: "first check for a RST" (ignore), "second check for an
    // ACK" (reset), "third check for a SYN" (new connection), anything else is dropped.
    if (seg.is(Flags::Rst)) {
        record_decision(Cause::ListenRstIgnored, l.ref, &t);
        return;
    }
    if (seg.is(Flags::Ack)) {
        record_decision(Cause::ListenAckReset, l.ref, &t);
        if (auto rst = reset_for_no_connection(seg)) transmit(std::move(*rst), {}, t);
        return;
    }
    if (!seg.is(Flags::Syn)) {
        record_decision(Cause::ListenNonSynDropped, l.ref, &t);
        return;
    }
    if (setup_.rules.tw_recycle && !isn) {
        // L-RECYC-2 (tcp_peer_is_proven): within 60 s of a TIME-WAIT from this address, a
        // SYN whose TSval is more than 1 below the cached one, or that has none, is dropped.
        auto cached = peer_timestamps_.find(seg.src.ip.value);
        if (cached != peer_timestamps_.end() && engine_.now() - cached->second.stamp < seconds(60) &&
            (!seg.options.timestamp ||
             static_cast<std::int32_t>(cached->second.ts - seg.options.timestamp->val) > 1)) {
            record_decision(Cause::TwRecycleSynDropped, l.ref, &t);
            count(Counter::PawsPassive, l.ref, &t);
            return;
        }
    }
    ++l.accepted;
    const SocketRef name{l.accept_name, l.accepted};
    const bool autoread = l.autoread;
    const SocketOptions options = l.options;  // accepted sockets inherit the listener's
    const SocketId s = new_socket(SocketKind::Connection, name, autoread);
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    en.tuple = t;
    en.options = options;
    ConnectionParams p{t, &setup_.rules, isn ? *isn : next_isn(t), ts_offset_for(t), options, {}, {}};
    ConnSlot& slot = create_slot(p, s, en.ref, true);
    slot.listener = listener;
    slot.conn.open_passive(seg, engine_.now(), actions_);
    apply(slot);
}

}  // namespace tcpsim
