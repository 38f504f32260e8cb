// Host: carrying out connection actions, timers, TIME-WAIT records, and the trace.
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
      port_rng_(Rng::stream(setup_.seed, "ports:" + setup_.name)) {
    const std::uint32_t range = setup_.rules.ephemeral_high - setup_.rules.ephemeral_low + 1u;
    next_port_offset_ = static_cast<std::uint32_t>(port_rng_.next_u64() % range);
}

Host::~Host() = default;

TraceEvent Host::event(TraceKind kind, std::int32_t label, const FourTuple* t) const {
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
    TraceEvent e = event(TraceKind::Call, en ? en->trace_label : kNoSocket,
                         has_tuple ? &en->tuple : nullptr);
    e.call = call;
    e.error = error;
    e.value = value;
    e.integrity_ok = integrity;
    trace_.record(e);
}

void Host::record_state(std::int32_t label, const FourTuple* t, State from, State to, Cause cause,
                        Errno error) {
    TraceEvent e = event(TraceKind::State, label, t);
    e.from = from;
    e.to = to;
    e.cause = cause;
    e.error = error;
    trace_.record(e);
}

void Host::record_timer(std::int32_t label, const FourTuple& t, TimerKind kind, TimerAction action,
                        Time expires) {
    TraceEvent e = event(TraceKind::Timer, label, &t);
    e.timer = kind;
    e.action = action;
    e.expires = expires;
    trace_.record(e);
}

void Host::transmit(const Segment& seg, std::int32_t label, const FourTuple& t) {
    TraceEvent e = event(TraceKind::Segment, label, &t);
    e.segment_event = SegmentEvent::Send;
    e.flags = seg.flags;
    e.seq = seg.seq;
    e.ack = seg.ack;
    e.len = seg.len();
    e.win = seg.window;
    e.mss = seg.options.mss;
    e.ts = seg.options.timestamp;
    trace_.record(e);
    port_.transmit(setup_.index, seg);
}

void Host::notify(std::function<void(SocketEvents&)> f) {
    if (!app_) return;
    // Applications run as their own events, after the stack has finished this one.
    engine_.schedule(engine_.now(), [this, f = std::move(f)] {
        if (app_) f(*app_);
    });
}

Host::ConnSlot& Host::create_slot(const FourTuple& t, SocketId s, std::int32_t label) {
    ConnectionParams p{t, &setup_.rules, next_isn()};
    auto slot = std::make_unique<ConnSlot>(ConnSlot{Connection(p), this, s, label, -1, false, {}});
    ConnSlot& ref = *slot;
    connections_[t] = std::move(slot);
    ledger_.open(t);
    if (SocketEntry* en = entry(s)) en->iss = p.iss;
    return ref;
}

void Host::apply(ConnSlot& slot) {
    const FourTuple t = slot.conn.tuple();
    for (Action& a : actions_.list) {
        if (auto* tx = std::get_if<Transmit>(&a)) {
            transmit(tx->segment, slot.label, t);
        } else if (auto* tr = std::get_if<Transition>(&a)) {
            record_state(slot.label, &t, tr->from, tr->to, tr->cause, tr->error);
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
        case State::Closed: {
            keep_unread(slot);
            const FourTuple t = slot.conn.tuple();
            for (auto& h : slot.timers) engine_.cancel(h);
            ledger_.writer_closed(t);
            // An embryonic connection nobody accepted leaves no socket behind.
            if (slot.listener >= 0 && !slot.accepted && slot.socket >= 0) free_socket(slot.socket);
            connections_.erase(t);  // destroys `slot`
            return;
        }
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

void Host::keep_unread(ConnSlot& slot) {
    if (slot.socket < 0 || slot.conn.readable_bytes() == 0) return;
    SocketEntry* en = entry(slot.socket);
    RecvResult r = slot.conn.recv(0);
    en->unread.insert(en->unread.end(), r.bytes.begin(), r.bytes.end());
}

void Host::on_conn_timer(ConnSlot& slot, TimerKind kind) {
    slot.timers[static_cast<std::size_t>(kind)] = TimerHandle{};
    slot.conn.on_timer(kind, engine_.now(), actions_);
    apply(slot);
}

void Host::demote_to_time_wait(ConnSlot& slot) {
    // L-ENTER-1: the full connection gives way to a compact record; the TIME-WAIT timer
    // (already recorded as set) moves with it.
    keep_unread(slot);
    const FourTuple t = slot.conn.tuple();
    const TimeWaitRecord record = TimeWaitRecord::from(slot.conn, slot.label);
    for (auto& h : slot.timers) engine_.cancel(h);
    ledger_.writer_closed(t);
    if (slot.listener >= 0 && !slot.accepted && slot.socket >= 0) free_socket(slot.socket);
    connections_.erase(t);
    TimeWaitEntry& tw = time_wait_.insert(t, record);
    tw.timer = engine_.schedule(record.expires, [this, t] { expire_time_wait(t); });
}

void Host::expire_time_wait(const FourTuple& t) {
    TimeWaitEntry* tw = time_wait_.find(t);
    assert(tw);
    const std::int32_t label = tw->record.socket;
    record_timer(label, t, TimerKind::TimeWait, TimerAction::Expire, engine_.now());
    // RFC 9293 3.10.8: the time-wait timeout deletes the TCB and enters CLOSED.
    record_state(label, &t, State::TimeWait, State::Closed, {"2MSL timeout", "RFC 9293 3.10.8"});
    time_wait_.erase(t);
}

void Host::on_time_wait_segment(const FourTuple& t, TimeWaitEntry& tw, const Segment& seg) {
    const TimeWaitOutcome o = tcpsim::on_time_wait_segment(tw.record, t, seg, setup_.rules);
    const std::int32_t label = tw.record.socket;
    if (o.close) {
        engine_.cancel(tw.timer);
        record_timer(label, t, TimerKind::TimeWait, TimerAction::Cancel, tw.record.expires);
        record_state(label, &t, State::TimeWait, State::Closed, o.cause);
        time_wait_.erase(t);
        if (o.reply) transmit(*o.reply, label, t);
        return;
    }
    if (o.reply) transmit(*o.reply, label, t);
    if (o.restart_timer) {
        engine_.cancel(tw.timer);
        tw.record.expires = engine_.now() + setup_.rules.time_wait_length();
        tw.timer = engine_.schedule(tw.record.expires, [this, t] { expire_time_wait(t); });
        record_timer(label, t, TimerKind::TimeWait, TimerAction::Restart, tw.record.expires);
    }
}

Seq Host::next_isn() {
    if (setup_.fixed_isn) return Seq{*setup_.fixed_isn};
    return Seq{isn_rng_.next_u32()};
}

bool Host::tuple_in_use(const FourTuple& t) const {
    return connections_.count(t) != 0 || time_wait_.contains(t);
}

std::optional<std::uint16_t> Host::pick_ephemeral_port(Endpoint remote) {
    const std::uint32_t low = setup_.rules.ephemeral_low;
    const std::uint32_t range = setup_.rules.ephemeral_high - low + 1u;
    for (std::uint32_t i = 0; i < range; ++i) {
        const auto port = static_cast<std::uint16_t>(low + (next_port_offset_ + i) % range);
        if (listeners_.count(port)) continue;
        if (tuple_in_use({{setup_.ip, port}, remote})) continue;
        next_port_offset_ = (next_port_offset_ + i + 1) % range;
        return port;
    }
    return std::nullopt;
}

}  // namespace tcpsim
