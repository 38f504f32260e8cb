// Host: the socket API its application calls, ports and initial sequence numbers.
#include <algorithm>

#include "tcpsim/host/host.hpp"

namespace tcpsim {
namespace {

// A keyed hash standing in for the kernels' siphash/MD5 of the 4-tuple.
std::uint32_t keyed_hash(std::uint64_t secret, const FourTuple& t) {
    std::uint64_t h = secret ^ FourTupleHash{}(t);
    h ^= h >> 31;
    h *= 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    return static_cast<std::uint32_t>(h >> 32);
}

}  // namespace

SocketId Host::new_socket(SocketKind kind, SocketRef ref, bool autoread) {
    SocketId s;
    if (!free_sockets_.empty()) {
        s = free_sockets_.back();
        free_sockets_.pop_back();
    } else {
        s = static_cast<SocketId>(sockets_.size());
        sockets_.emplace_back();
    }
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    en = SocketEntry{};
    en.kind = kind;
    en.ref = ref;
    en.autoread = autoread;
    return s;
}

void Host::free_socket(SocketId s) {
    if (SocketEntry* en = entry(s)) {
        *en = SocketEntry{};
        free_sockets_.push_back(s);
    }
}

Host::SocketEntry* Host::entry(SocketId s) {
    if (s < 0 || static_cast<std::size_t>(s) >= sockets_.size()) return nullptr;
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    return en.kind == SocketKind::Free ? nullptr : &en;
}

const Host::SocketEntry* Host::entry(SocketId s) const {
    return const_cast<Host*>(this)->entry(s);
}

Host::ConnSlot* Host::slot_of(const SocketEntry& e) const {
    if (e.kind != SocketKind::Connection) return nullptr;
    auto it = connections_.find(e.tuple);
    if (it == connections_.end() || it->second->socket < 0) return nullptr;
    ConnSlot* slot = it->second.get();
    return &sockets_[static_cast<std::size_t>(slot->socket)] == &e ? slot : nullptr;
}

Seq Host::next_isn(const FourTuple& t) {
    if (setup_.fixed_isn) return Seq{*setup_.fixed_isn};
    const Time now = engine_.now();
    switch (setup_.rules.isn) {
        case IsnGenerator::Random:
            return Seq{isn_rng_.next_u32()};
        case IsnGenerator::Rfc793Clock:
            // RFC 793 3.3: bit 0 of a 32-bit clock increments about every 4 microseconds.
            return Seq{static_cast<std::uint32_t>(isn_secret_) + static_cast<std::uint32_t>(now.ns / 4000)};
        case IsnGenerator::LinuxClock:
            // secure_tcp_seq: siphash(4-tuple) + ktime_get_real_ns() >> 6.
            return Seq{keyed_hash(isn_secret_, t) + static_cast<std::uint32_t>(now.ns >> 6)};
        case IsnGenerator::BsdClock:
            // tcp_new_isn: keyed hash + ISN_BYTES_PER_SECOND (1 MiB/s) of elapsed time.
            return Seq{keyed_hash(isn_secret_, t) + static_cast<std::uint32_t>(now.ns / 954)};
    }
    return Seq{isn_rng_.next_u32()};
}

std::uint32_t Host::ts_offset_for(const FourTuple& t) const {
    switch (setup_.rules.timestamp_clock) {
        case TimestampClock::PerHost:
            return host_ts_offset_;
        case TimestampClock::PerAddressPair:
            // Linux 4.11 .. 2026 secure_tcp_ts_off: siphash(saddr, daddr) on top of the clock.
            return host_ts_offset_ + keyed_hash(ts_secret_, {{t.local.ip, 0}, {t.remote.ip, 0}});
        case TimestampClock::PerConnection:
            // Linux secure_tcp_seq_and_ts_off: a hash of the 4-tuple on top of the clock.
            return host_ts_offset_ + keyed_hash(ts_secret_, t);
    }
    return host_ts_offset_;
}

bool Host::bind_conflict(std::uint16_t port, bool reuse_address) const {
    // L-BIND-1 (inet_bind_conflict): the port is free to bind iff every socket on it and
    // the new one both have SO_REUSEADDR and none of them listens.
    if (listeners_.count(port)) return true;
    for (const auto& kv : connections_) {
        if (kv.first.local.port != port) continue;
        if (!reuse_address || !kv.second->conn.options().reuse_address) return true;
    }
    return time_wait_.any_of([&](const FourTuple& t, const TimeWaitEntry& tw) {
        return t.local.port == port && (!reuse_address || !tw.record.reuse_address);
    });
}

std::optional<Host::PortChoice> Host::pick_ephemeral_port(Endpoint remote, PortsHeld& held) {
    const ProfileRules& r = setup_.rules;
    const std::uint32_t low = r.ephemeral_low;
    std::uint32_t remaining = r.ephemeral_high - low + 1u;
    // L-PORT-1 (__inet_hash_connect): an even-sized range scanned with step 2 from an
    // offset of low's parity, then the other parity.
    const bool split = r.ephemeral_parity_split && remaining > 1;
    if (split) remaining &= ~1u;
    const Time now = engine_.now();
    const Ipv4 source = source_for(remote.ip);
    std::uint32_t offset = (keyed_hash(isn_secret_, {{source, 0}, remote}) + port_perturb_) % remaining;
    if (split) offset &= ~1u;
    const std::uint32_t step = split ? 2 : 1;
    held = PortsHeld{remaining, 0, 0, 0};
    for (std::uint32_t pass = 0; pass < (split ? 2u : 1u); ++pass) {
        for (std::uint32_t i = 0; i < remaining; i += step) {
            const auto port = static_cast<std::uint16_t>(low + (offset + i + pass) % remaining);
            // Ports held by an explicit bind() or a listener are never chosen.
            if (bound_ports_.count(port) || listeners_.count(port)) {
                ++held.bound;
                continue;
            }
            const FourTuple t{{source, port}, remote};
            if (connections_.count(t)) {
                ++held.connections;
                continue;
            }
            bool takes_time_wait = false;
            if (TimeWaitEntry* tw = time_wait_.find(t)) {
                if (!time_wait_reusable(tw->record, t, r, now, false)) {
                    ++held.time_wait;
                    continue;
                }
                takes_time_wait = true;
            }
            port_perturb_ += i + step;  // table_perturb[index] += i + step
            return PortChoice{port, takes_time_wait};
        }
    }
    return std::nullopt;
}

void Host::take_over_time_wait(const FourTuple& t, ConnectionParams& p) {
    // L-REUSE-4: ISN past the old SND.NXT, TS.Recent carried over, the entry killed.
    TimeWaitEntry* tw = time_wait_.find(t);
    p.iss = isn_after_time_wait(tw->record);
    p.ts_recent = tw->record.ts_recent;
    p.ts_recent_stamp = tw->record.ts_recent_stamp;
    count(Counter::TwRecycled, tw->record.socket, &t);
    end_time_wait(t, Cause::TwTakenByReuse);
}

SocketId Host::listen(const std::string& label, std::uint16_t port, const std::string& accept_as,
                      bool autoread, const SocketOptions& options, Errno& error) {
    const SocketId s = new_socket(SocketKind::Listener, {trace_.intern_socket(label), 0}, autoread);
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    en.port = port;
    en.accept_name = trace_.intern_socket(accept_as);
    en.options = options;
    error = bind_conflict(port, options.reuse_address) ? Errno::AddrInUse : Errno::Ok;
    if (error != Errno::Ok) record_decision(Cause::PortInUse, en.ref, nullptr);
    record_call(CallKind::Bind, s, error, 0);
    if (error != Errno::Ok) {
        free_socket(s);
        return -1;
    }
    listeners_[port] = s;
    bind_port(port);
    record_call(CallKind::Listen, s, error, 0);
    record_state(en.ref, nullptr, State::Closed, State::Listen, Cause::Listen);
    return s;
}

SocketId Host::connect(const std::string& label, Endpoint remote,
                       std::optional<std::uint16_t> local_port, bool autoread,
                       const SocketOptions& options, Errno& error) {
    const SocketId s = new_socket(SocketKind::Connection, {trace_.intern_socket(label), 0}, autoread);
    sockets_[static_cast<std::size_t>(s)].options = options;
    const SocketRef ref = sockets_[static_cast<std::size_t>(s)].ref;
    const Time now = engine_.now();
    std::optional<PortChoice> choice;
    if (local_port) {
        // bind() first: L-BIND-1; then the 4-tuple must be free, or a TIME-WAIT entry that
        // tcp_twsk_unique lets go (with twp == NULL: timestamps decide, not tcp_tw_reuse).
        error = bind_conflict(*local_port, options.reuse_address) ? Errno::AddrInUse : Errno::Ok;
        if (error != Errno::Ok) record_decision(Cause::PortInUse, ref, nullptr);
        record_call(CallKind::Bind, s, error, 0);
        if (error != Errno::Ok) {
            free_socket(s);
            return -1;
        }
        const FourTuple t{{source_for(remote.ip), *local_port}, remote};
        TimeWaitEntry* tw = time_wait_.find(t);
        if (connections_.count(t) == 0 &&
            (!tw || time_wait_reusable(tw->record, t, setup_.rules, now, true)))
            choice = PortChoice{*local_port, tw != nullptr};
        else
            record_decision(Cause::FourTupleInUse, ref, &t);
    } else {
        PortsHeld held;
        choice = pick_ephemeral_port(remote, held);
        if (!choice) record_decision(Cause::PortsExhausted, ref, nullptr, &held);
    }
    if (!choice) {
        error = Errno::AddrNotAvail;  // L-REUSE-5 / L-PORT-1: no usable port for this peer
        record_call(CallKind::Connect, s, error, 0);
        free_socket(s);
        return -1;
    }
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    en.tuple = {{source_for(remote.ip), choice->port}, remote};
    ConnectionParams p{en.tuple, &setup_.rules, Seq{}, ts_offset_for(en.tuple), options, {}, {}};
    if (choice->takes_time_wait) {
        take_over_time_wait(en.tuple, p);
    } else {
        p.iss = next_isn(en.tuple);
        // L-RECYC-3 (tcp_fetch_timewait_stamp): a fresh peer timestamp primes PAWS.
        auto cached = peer_timestamps_.find(remote.ip.value);
        if (setup_.rules.tw_recycle && cached != peer_timestamps_.end() &&
            now - cached->second.stamp <= seconds(60)) {
            p.ts_recent = cached->second.ts;
            p.ts_recent_stamp = cached->second.stamp;
        }
    }
    if (options.isn) p.iss = Seq{*options.isn};
    ConnSlot& slot = create_slot(p, s, en.ref, local_port.has_value());
    slot.connecting = true;
    error = Errno::InProgress;
    record_call(CallKind::Connect, s, error, 0);
    slot.conn.open_active(now, actions_);
    apply(slot);
    return s;
}

Errno Host::setsockopt(SocketId s, const SocketOptionsChange& change) {
    SocketEntry* en = entry(s);
    if (!en) {
        record_call(CallKind::Setsockopt, s, Errno::BadF, 0);
        return Errno::BadF;
    }
    change.apply_to(en->options);
    record_call(CallKind::Setsockopt, s, Errno::Ok, 0);
    if (ConnSlot* slot = slot_of(*en)) {
        slot->conn.set_options(en->options, engine_.now(), actions_);
        apply(*slot);
    }
    return Errno::Ok;
}

std::vector<std::uint8_t> Host::pattern_bytes(SocketId s, std::uint64_t n) const {
    std::vector<std::uint8_t> out(n);
    const SocketEntry* en = entry(s);
    const std::uint64_t key = en ? (std::uint64_t{setup_.index} << 48) ^ en->serial : 0;
    const std::uint64_t start = en ? en->written : 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t z = key * 0x9e3779b97f4a7c15ULL + (start + i);
        z ^= z >> 29;
        z *= 0xbf58476d1ce4e5b9ULL;
        out[i] = static_cast<std::uint8_t>(z >> 56);
    }
    return out;
}

Errno Host::send(SocketId s, const std::vector<std::uint8_t>& bytes) {
    SocketEntry* en = entry(s);
    Errno result = Errno::BadF;
    if (en && en->kind == SocketKind::Connection) {
        if (ConnSlot* slot = slot_of(*en)) {
            result = slot->conn.send(bytes, engine_.now(), actions_);
            if (result == Errno::Ok) {
                en->written += bytes.size();
                ledger_.wrote(en->tuple, bytes);
            }
            record_call(CallKind::Send, s, result, result == Errno::Ok ? static_cast<std::int64_t>(bytes.size()) : 0);
            apply(*slot);
            return result;
        }
        // The connection is gone: its error once, then EPIPE (as Linux reports sk_err).
        result = en->error != Errno::Ok ? en->error : Errno::Pipe;
        en->error = Errno::Ok;
    }
    record_call(CallKind::Send, s, result, 0);
    return result;
}

RecvResult Host::recv(SocketId s, std::uint64_t max_bytes) {
    SocketEntry* en = entry(s);
    RecvResult r;
    ConnSlot* reading = nullptr;
    if (!en || en->kind != SocketKind::Connection) {
        r.error = Errno::BadF;
    } else if (ConnSlot* slot = slot_of(*en)) {
        reading = slot;
        r = slot->conn.recv(max_bytes, engine_.now(), actions_);
    } else if (!en->unread.empty()) {
        const std::size_t n = max_bytes == 0 ? en->unread.size()
                                             : std::min<std::size_t>(en->unread.size(), max_bytes);
        r.bytes.assign(en->unread.begin(), en->unread.begin() + static_cast<std::ptrdiff_t>(n));
        en->unread.erase(en->unread.begin(), en->unread.begin() + static_cast<std::ptrdiff_t>(n));
    } else if (en->error != Errno::Ok && !en->peer_fin) {
        r.error = en->error;
        en->error = Errno::Ok;
    } else {
        // The connection completed its close, or the peer's FIN came first: end of stream
        // (Linux tcp_recvmsg checks SOCK_DONE before sk_err).
        r.eof = true;
    }
    bool integrity = true;
    if (!r.bytes.empty()) integrity = ledger_.read(en->tuple, r.bytes);
    record_call(CallKind::Recv, s, r.error, static_cast<std::int64_t>(r.bytes.size()), integrity);
    if (reading) apply(*reading);  // a window update the read made due
    return r;
}

Errno Host::shutdown(SocketId s, ShutdownHow how) {
    SocketEntry* en = entry(s);
    Errno result = Errno::BadF;
    ConnSlot* slot = en ? slot_of(*en) : nullptr;
    if (en && en->kind == SocketKind::Connection && !slot) result = Errno::NotConn;
    if (slot) {
        result = Errno::Ok;
        if (how == ShutdownHow::Read || how == ShutdownHow::Both) slot->conn.shutdown_read();
        if (how == ShutdownHow::Write || how == ShutdownHow::Both)
            result = slot->conn.shutdown_write(engine_.now(), actions_);
    }
    record_call(CallKind::Shutdown, s, result, 0);
    if (slot) apply(*slot);
    return result;
}

Errno Host::close(SocketId s) {
    SocketEntry* en = entry(s);
    if (!en) {
        record_call(CallKind::Close, s, Errno::BadF, 0);
        return Errno::BadF;
    }
    record_call(CallKind::Close, s, Errno::Ok, 0);
    if (en->kind == SocketKind::Listener) {
        // Embryonic children stay; a real stack would reset those not yet accepted
        // (L-CLOSE-1), which needs the accept queue the scenarios do not model yet.
        listeners_.erase(en->port);
        unbind_port(en->port);
        record_state(en->ref, nullptr, State::Listen, State::Closed, Cause::CloseListener);
        free_socket(s);
        return Errno::Ok;
    }
    if (ConnSlot* slot = slot_of(*en)) {
        slot->socket = -1;  // orphaned: the connection finishes on its own
        slot->connecting = false;
        slot->conn.close(engine_.now(), actions_);
        free_socket(s);
        apply(*slot);
        return Errno::Ok;
    }
    free_socket(s);
    return Errno::Ok;
}

Errno Host::abort(SocketId s) {
    SocketEntry* en = entry(s);
    if (!en) {
        record_call(CallKind::Abort, s, Errno::BadF, 0);
        return Errno::BadF;
    }
    record_call(CallKind::Abort, s, Errno::Ok, 0);
    if (en->kind == SocketKind::Listener) return close(s);
    if (ConnSlot* slot = slot_of(*en)) {
        slot->socket = -1;
        slot->connecting = false;
        slot->conn.abort(engine_.now(), actions_);
        free_socket(s);
        apply(*slot);
        return Errno::Ok;
    }
    free_socket(s);
    return Errno::Ok;
}

void Host::reboot() {
    TraceEvent call = event(TraceKind::Call, {}, nullptr);
    call.call = CallKind::Reboot;
    trace_.record(call);
    const Cause cause = Cause::Reboot;
    // Sorted, so the trace does not depend on hash order.
    std::vector<FourTuple> tuples;
    for (const auto& kv : connections_) tuples.push_back(kv.first);
    std::sort(tuples.begin(), tuples.end());
    for (const FourTuple& t : tuples) {
        ConnSlot& slot = *connections_.at(t);
        record_state(slot.label, &t, slot.conn.state(), State::Closed, cause);
        for (auto& h : slot.timers) engine_.cancel(h);
        ledger_.writer_closed(t);
        connections_.erase(t);
    }
    for (const FourTuple& t : time_wait_.sorted_keys()) {
        record_state(time_wait_.find(t)->record.socket, &t, State::TimeWait, State::Closed, cause);
        time_wait_.erase(t);
    }
    schedule_time_wait_timer();
    for (const auto& [port, s] : listeners_)
        record_state(sockets_[static_cast<std::size_t>(s)].ref, nullptr, State::Listen, State::Closed, cause);
    listeners_.clear();
    bound_ports_.clear();
    peer_timestamps_.clear();
    for (std::size_t i = 0; i < sockets_.size(); ++i) free_socket(static_cast<SocketId>(i));
}

bool Host::autoread(SocketId s) const {
    const SocketEntry* en = entry(s);
    return en && en->autoread;
}

SocketRef Host::socket_ref(SocketId s) const {
    const SocketEntry* en = entry(s);
    return en ? en->ref : SocketRef{};
}

bool Host::has_unread(SocketId s) const {
    const SocketEntry* en = entry(s);
    if (!en || en->kind != SocketKind::Connection) return false;
    if (const ConnSlot* slot = slot_of(*en)) return slot->conn.readable_bytes() > 0;
    return !en->unread.empty();
}

bool Host::at_eof(SocketId s) const {
    const SocketEntry* en = entry(s);
    if (!en || en->kind != SocketKind::Connection) return false;
    if (const ConnSlot* slot = slot_of(*en)) return slot->conn.eof_pending();
    return en->unread.empty() && en->error == Errno::Ok;
}

}  // namespace tcpsim
