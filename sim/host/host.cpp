// Host: carrying out connection actions, timers, TIME-WAIT records, counters and the trace.
#include "tcpsim/host/host.hpp"

#include <cassert>

namespace tcpsim {

Host::Host(HostSetup setup, Engine& engine, TraceSink& trace, SegmentPort& port,
           StreamLedger& ledger)
    : setup_(std::move(setup)),
      engine_(engine),
      trace_(trace),
      port_(port),
      ledger_(ledger),
      isn_rng_(Rng::stream(setup_.seed, "isn:" + setup_.name)),
      port_rng_(Rng::stream(setup_.seed, "ports:" + setup_.name)),
      isn_secret_(isn_rng_.next_u64()),
      ts_secret_(isn_rng_.next_u64()),
      host_ts_offset_(setup_.timestamp_offset ? *setup_.timestamp_offset : isn_rng_.next_u32()),
      port_perturb_(port_rng_.next_u32()) {}

Host::~Host() = default;

TraceEvent Host::event(TraceKind kind, SocketRef label, const FourTuple* t) const {
    TraceEvent e;
    e.t = engine_.now();
    e.kind = kind;
    e.host = setup_.index;
    e.socket = label;
    if (t) {
        e.has_conn = true;
        e.conn = *t;
    }
    return e;
}

void Host::record_call(CallKind call, SocketId s, Errno error, std::int64_t value, bool integrity) {
    const SocketEntry* en = entry(s);
    const bool has_tuple = en && en->kind == SocketKind::Connection && en->tuple.local.port != 0;
    TraceEvent e = event(TraceKind::Call, en ? en->ref : SocketRef{}, has_tuple ? &en->tuple : nullptr);
    e.call = call;
    e.error = error;
    e.value = value;
    e.integrity_ok = integrity;
    trace_.record(e);
}

void Host::record_state(SocketRef label, const FourTuple* t, State from, State to, Cause cause,
                        Errno error, Duration length) {
    TraceEvent e = event(TraceKind::State, label, t);
    e.from = from;
    e.to = to;
    e.cause = cause;
    e.error = error;
    e.length = length;
    trace_.record(e);
}

void Host::record_decision(Cause cause, SocketRef label, const FourTuple* t, const PortsHeld* ports) {
    TraceEvent e = event(TraceKind::Decision, label, t);
    if (arriving_) set_segment_fields(e, *arriving_);
    e.cause = cause;
    if (ports) e.ports = *ports;
    trace_.record(e);
}

void Host::record_timer(SocketRef label, const FourTuple& t, TimerKind kind, TimerAction action,
                        Time expires) {
    TraceEvent e = event(TraceKind::Timer, label, &t);
    e.timer = kind;
    e.action = action;
    e.expires = expires;
    trace_.record(e);
}

void Host::count(Counter counter, SocketRef label, const FourTuple* t) {
    const std::uint64_t value = ++counters_[counter];
    TraceEvent e = event(TraceKind::Counter, label, t);
    e.counter = counter;
    e.value = static_cast<std::int64_t>(value);
    trace_.record(e);
}

void Host::transmit(Segment seg, SocketRef label, const FourTuple& t) {
    seg.id = port_.new_segment_id();
    TraceEvent e = event(TraceKind::Segment, label, &t);
    e.segment_event = SegmentEvent::Send;
    set_segment_fields(e, seg);
    trace_.record(e);
    port_.transmit(setup_.index, seg, label);
}

void Host::notify(std::function<void(SocketEvents&)> f) {
    if (!app_) return;
    // Applications run as their own events, after the stack has finished this one.
    engine_.schedule(engine_.now(), [this, f = std::move(f)] {
        if (app_) f(*app_);
    });
}

Host::ConnSlot& Host::create_slot(ConnectionParams p, SocketId s, SocketRef label, bool bound) {
    const FourTuple t = p.tuple;
    auto slot = std::make_unique<ConnSlot>(ConnSlot{Connection(p), this, s, label, -1, false, false, bound, {}});
    ConnSlot& ref = *slot;
    connections_[t] = std::move(slot);
    ledger_.open(t);
    if (bound) bind_port(t.local.port);
    if (SocketEntry* en = entry(s)) {
        en->iss = p.iss;
        en->serial = ++connections_made_;
    }
    return ref;
}

void Host::apply(ConnSlot& slot) {
    const FourTuple t = slot.conn.tuple();
    for (Action& a : actions_.list) {
        if (auto* tx = std::get_if<Transmit>(&a)) {
            transmit(std::move(tx->segment), slot.label, t);
        } else if (auto* d = std::get_if<Decision>(&a)) {
            record_decision(d->cause, slot.label, &t);
        } else if (auto* tr = std::get_if<Transition>(&a)) {
            const Duration length = tr->to == State::Closed && tr->from == State::TimeWait
                                        ? slot.conn.time_wait_expires() - engine_.now()
                                        : Duration{};
            record_state(slot.label, &t, tr->from, tr->to, tr->cause, tr->error, length);
            if (tr->to == State::Closed && slot.socket >= 0) {
                SocketEntry* en = entry(slot.socket);
                if (tr->error != Errno::Ok) {
                    en->error = tr->error;
                    if (slot.connecting) record_call(CallKind::Connect, slot.socket, tr->error, 0);
                    const SocketId s = slot.socket;
                    const Errno err = tr->error;
                    notify([s, err](SocketEvents& app) { app.on_error(s, err); });
                }
                slot.connecting = false;
            }
        } else if (auto* tm = std::get_if<TimerRequest>(&a)) {
            auto& handle = slot.timers[static_cast<std::size_t>(tm->kind)];
            switch (tm->action) {
                case TimerAction::Set:
                case TimerAction::Restart: {
                    engine_.cancel(handle);
                    ConnSlot* sp = &slot;
                    const TimerKind kind = tm->kind;
                    handle = engine_.schedule(tm->expires, [sp, kind] { sp->host->on_conn_timer(*sp, kind); });
                    break;
                }
                case TimerAction::Cancel:
                    engine_.cancel(handle);
                    break;
                case TimerAction::Expire:
                    break;
            }
            record_timer(slot.label, t, tm->kind, tm->action, tm->expires);
        } else if (auto* n = std::get_if<Notify>(&a)) {
            const SocketId s = slot.socket;
            if (s < 0) continue;
            switch (n->notice) {
                case Notice::Connected:
                    if (slot.listener >= 0) {
                        slot.accepted = true;
                        const SocketId l = slot.listener;
                        record_call(CallKind::Accept, s, Errno::Ok, 0);
                        notify([l, s](SocketEvents& app) { app.on_accepted(l, s); });
                    } else {
                        slot.connecting = false;
                        record_call(CallKind::Connect, s, Errno::Ok, 0);
                        notify([s](SocketEvents& app) { app.on_connected(s); });
                    }
                    break;
                case Notice::Readable:
                    notify([s](SocketEvents& app) { app.on_readable(s); });
                    break;
            }
        }
    }
    actions_.clear();
    after_actions(slot);
}

void Host::after_actions(ConnSlot& slot) {
    switch (slot.conn.state()) {
        case State::TimeWait:
            demote_to_time_wait(slot);
            return;
        case State::Closed:
            keep_unread(slot);
            if (slot.bound) unbind_port(slot.conn.tuple().local.port);
            destroy_slot(slot);
            return;
        case State::Listen:
        case State::SynSent:
        case State::SynReceived:
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
        case State::Closing:
        case State::LastAck:
            return;
    }
}

void Host::destroy_slot(ConnSlot& slot) {
    const FourTuple t = slot.conn.tuple();
    for (auto& h : slot.timers) engine_.cancel(h);
    ledger_.writer_closed(t);
    // An embryonic connection nobody accepted leaves no socket behind.
    if (slot.listener >= 0 && !slot.accepted && slot.socket >= 0) free_socket(slot.socket);
    connections_.erase(t);  // destroys `slot`
}

void Host::keep_unread(ConnSlot& slot) {
    if (slot.socket < 0) return;
    SocketEntry* en = entry(slot.socket);
    en->peer_fin = slot.conn.fin_received();
    if (slot.conn.readable_bytes() == 0) return;
    const std::vector<std::uint8_t> bytes = slot.conn.take_unread();
    en->unread.insert(en->unread.end(), bytes.begin(), bytes.end());
}

void Host::on_conn_timer(ConnSlot& slot, TimerKind kind) {
    slot.timers[static_cast<std::size_t>(kind)] = TimerHandle{};
    slot.conn.on_timer(kind, engine_.now(), actions_);
    apply(slot);
}

void Host::unbind_port(std::uint16_t port) {
    auto it = bound_ports_.find(port);
    if (it != bound_ports_.end() && --it->second == 0) bound_ports_.erase(it);
}

void Host::remember_peer_timestamp(const Connection& c) {
    // L-RECYC-1 (tcp_remember_stamp, 4.9): keyed by peer address, not ports.
    if (!setup_.rules.tw_recycle || !c.ts_recent_stamp()) return;
    const Time now = engine_.now();
    auto [it, fresh] = peer_timestamps_.try_emplace(c.tuple().remote.ip.value,
                                                    PeerTimestamp{c.ts_recent(), *c.ts_recent_stamp()});
    PeerTimestamp& p = it->second;
    if (fresh) return;
    if (static_cast<std::int32_t>(p.ts - c.ts_recent()) <= 0 ||
        (now - p.stamp > seconds(60) && p.stamp <= *c.ts_recent_stamp())) {
        p = {c.ts_recent(), *c.ts_recent_stamp()};
    }
}

void Host::demote_to_time_wait(ConnSlot& slot) {
    keep_unread(slot);
    const FourTuple t = slot.conn.tuple();
    const bool bound = slot.bound;
    if (time_wait_.size() >= setup_.rules.max_tw_buckets) {
        // L-ENTER-3: no room: no TIME-WAIT at all; a retransmitted FIN will find no socket.
        record_timer(slot.label, t, TimerKind::TimeWait, TimerAction::Cancel, slot.conn.time_wait_expires());
        record_state(slot.label, &t, State::TimeWait, State::Closed, Cause::TwBucketsFull);
        count(Counter::TimeWaitOverflow, slot.label, &t);
        if (bound) unbind_port(t.local.port);
        destroy_slot(slot);
        return;
    }
    // L-ENTER-1: the full connection gives way to a compact record; the TIME-WAIT timer
    // (already recorded as set) moves with it.
    remember_peer_timestamp(slot.conn);
    const TimeWaitRecord record = TimeWaitRecord::from(slot.conn, slot.label, engine_.now());
    destroy_slot(slot);
    time_wait_.insert(t, record, bound);
    schedule_time_wait_timer();
}

void Host::schedule_time_wait_timer() {
    const std::optional<Time> next = time_wait_.next_expiry();
    if (next && engine_.pending(time_wait_timer_) && time_wait_timer_at_ == *next) return;
    engine_.cancel(time_wait_timer_);
    if (!next) return;
    time_wait_timer_at_ = *next;
    time_wait_timer_ = engine_.schedule(*next, [this] { on_time_wait_timer(); });
}

void Host::on_time_wait_timer() {
    time_wait_timer_ = TimerHandle{};
    while (auto t = time_wait_.pop_due(engine_.now())) expire_time_wait(*t);
    schedule_time_wait_timer();
}

void Host::end_time_wait(const FourTuple& t, Cause cause) {
    TimeWaitEntry* tw = time_wait_.find(t);
    assert(tw);
    const SocketRef label = tw->record.socket;
    record_timer(label, t, TimerKind::TimeWait, TimerAction::Cancel, tw->record.expires);
    record_state(label, &t, State::TimeWait, State::Closed, cause);
    if (tw->bound) unbind_port(t.local.port);
    time_wait_.erase(t);
    schedule_time_wait_timer();
}

void Host::expire_time_wait(const FourTuple& t) {
    TimeWaitEntry* tw = time_wait_.find(t);
    assert(tw);
    const SocketRef label = tw->record.socket;
    record_timer(label, t, TimerKind::TimeWait, TimerAction::Expire, engine_.now());
    // RFC 9293 3.10.8: the time-wait timeout deletes the TCB and enters CLOSED; the cause
    // names what set the length.
    record_state(label, &t, State::TimeWait, State::Closed, tw->record.expiry_cause, Errno::Ok,
                 tw->record.length);
    if (tw->bound) unbind_port(t.local.port);
    time_wait_.erase(t);
}

void Host::on_time_wait_segment(const FourTuple& t, TimeWaitEntry& tw, const Segment& seg) {
    const Time now = engine_.now();
    auto listener = listeners_.find(seg.dst.port);
    const TimeWaitOutcome o =
        tcpsim::on_time_wait_segment(tw.record, t, seg, setup_.rules, now, listener != listeners_.end());
    const SocketRef label = tw.record.socket;
    if (!o.reopen && !o.close) record_decision(o.cause, label, &t);
    if (o.reopen) {
        end_time_wait(t, o.cause);
        on_listener_segment(listener->second, seg, o.reopen_isn);
        return;
    }
    if (o.close) {
        end_time_wait(t, o.cause);
        if (o.reply) transmit(std::move(*o.reply), label, t);
        return;
    }
    if (o.new_ts_recent) {
        tw.record.ts_recent = *o.new_ts_recent;
        tw.record.ts_recent_stamp = now;
    }
    if (o.reply) {
        if (o.ratelimited_ack) tw.record.last_ratelimited_ack = now;
        transmit(std::move(*o.reply), label, t);
    }
    if (o.restart_timer) {
        time_wait_.rearm(t, now + tw.record.length);
        schedule_time_wait_timer();
        record_timer(label, t, TimerKind::TimeWait, TimerAction::Restart, tw.record.expires);
    }
}

}  // namespace tcpsim
