// Host: demultiplexing an arriving segment (RFC 9293 3.10.7): connection, TIME-WAIT
// record, listener, or nobody.
#include "tcpsim/host/host.hpp"
#include "tcpsim/tcp/reset.hpp"

namespace tcpsim {

void Host::deliver(const Segment& seg) {
    const FourTuple t{seg.dst, seg.src};
    auto conn_it = connections_.find(t);
    TimeWaitEntry* tw = conn_it == connections_.end() ? time_wait_.find(t) : nullptr;
    auto listener_it = listeners_.find(seg.dst.port);
    std::int32_t label = kNoSocket;
    if (conn_it != connections_.end()) {
        label = conn_it->second->label;
    } else if (tw) {
        label = tw->record.socket;
    } else if (listener_it != listeners_.end()) {
        label = sockets_[static_cast<std::size_t>(listener_it->second)].trace_label;
    }
    TraceEvent e = event(TraceKind::Segment, label, &t);
    e.segment_event = SegmentEvent::Deliver;
    set_segment_fields(e, seg);
    trace_.record(e);

    if (conn_it != connections_.end()) {
        ConnSlot& slot = *conn_it->second;
        slot.conn.on_segment(seg, engine_.now(), actions_);
        apply(slot);
        return;
    }
    if (tw) {
        on_time_wait_segment(t, *tw, seg);
        return;
    }
    // Listeners take any of the host's addresses, loopback included (INADDR_ANY).
    if (listener_it != listeners_.end() && (seg.dst.ip == setup_.ip || seg.dst.ip.is_loopback())) {
        on_listener_segment(listener_it->second, seg, std::nullopt);
        return;
    }
    // RFC 9293 3.10.7.1: no connection (CLOSED) -> reset, unless the segment is a RST.
    if (auto rst = reset_for_no_connection(seg)) transmit(*rst, kNoSocket, t);
}

void Host::on_listener_segment(SocketId listener, const Segment& seg, std::optional<Seq> isn) {
    const FourTuple t{seg.dst, seg.src};
    // RFC 9293 3.10.7.2 LISTEN: "first check for a RST" (ignore), "second check for an
    // ACK" (reset), "third check for a SYN" (new connection), anything else is dropped.
    if (seg.is(Flags::Rst)) return;
    if (seg.is(Flags::Ack)) {
        if (auto rst = reset_for_no_connection(seg)) transmit(*rst, kNoSocket, t);
        return;
    }
    if (!seg.is(Flags::Syn)) return;
    SocketEntry& l = sockets_[static_cast<std::size_t>(listener)];
    if (setup_.rules.tw_recycle && !isn) {
        // L-RECYC-2 (tcp_peer_is_proven): within 60 s of a TIME-WAIT from this address, a
        // SYN whose TSval is more than 1 below the cached one, or that has none, is dropped.
        auto cached = peer_timestamps_.find(seg.src.ip.value);
        if (cached != peer_timestamps_.end() && engine_.now() - cached->second.stamp < seconds(60) &&
            (!seg.options.timestamp ||
             static_cast<std::int32_t>(cached->second.ts - seg.options.timestamp->val) > 1)) {
            count("PAWSPassiveRejected", l.trace_label, &t);
            return;
        }
    }
    ++l.accepted;
    const std::string name = l.accepted == 1 ? l.accept_as : l.accept_as + "." + std::to_string(l.accepted);
    const bool autoread = l.autoread;
    const SocketOptions options = l.options;  // accepted sockets inherit the listener's
    const SocketId s = new_socket(SocketKind::Connection, name, autoread);
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    en.tuple = t;
    en.options = options;
    ConnectionParams p{t, &setup_.rules, isn ? *isn : next_isn(t), ts_offset_for(t), options, {}, {}};
    ConnSlot& slot = create_slot(p, s, en.trace_label, true);
    slot.listener = listener;
    slot.conn.open_passive(seg, engine_.now(), actions_);
    apply(slot);
}

}  // namespace tcpsim
