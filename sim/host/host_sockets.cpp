// Host: the socket API its application calls.
#include <algorithm>

#include "tcpsim/host/host.hpp"

namespace tcpsim {

SocketId Host::new_socket(SocketKind kind, const std::string& label, bool autoread) {
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
    en.label = label;
    en.trace_label = trace_.intern_socket(label);
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

SocketId Host::listen(const std::string& label, std::uint16_t port, const std::string& accept_as,
                      bool autoread, Errno& error) {
    const SocketId s = new_socket(SocketKind::Listener, label, autoread);
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    en.port = port;
    en.accept_as = accept_as;
    if (listeners_.count(port)) {
        error = Errno::AddrInUse;
        record_call(CallKind::Listen, s, error, 0);
        free_socket(s);
        return -1;
    }
    listeners_[port] = s;
    error = Errno::Ok;
    record_call(CallKind::Listen, s, error, 0);
    record_state(en.trace_label, nullptr, State::Closed, State::Listen,
                 {"listen", "RFC 9293 3.10.1"});
    return s;
}

SocketId Host::connect(const std::string& label, Endpoint remote,
                       std::optional<std::uint16_t> local_port, bool autoread, Errno& error) {
    const SocketId s = new_socket(SocketKind::Connection, label, autoread);
    std::optional<std::uint16_t> port = local_port;
    if (port) {
        if (tuple_in_use({{setup_.ip, *port}, remote}) || listeners_.count(*port))
            error = Errno::AddrInUse;
    } else {
        port = pick_ephemeral_port(remote);
        if (!port) error = Errno::AddrNotAvail;
    }
    if (!port || error == Errno::AddrInUse) {
        record_call(CallKind::Connect, s, error, 0);
        free_socket(s);
        return -1;
    }
    SocketEntry& en = sockets_[static_cast<std::size_t>(s)];
    en.tuple = {{setup_.ip, *port}, remote};
    ConnSlot& slot = create_slot(en.tuple, s, en.trace_label);
    slot.connecting = true;
    error = Errno::InProgress;
    record_call(CallKind::Connect, s, error, 0);
    slot.conn.open_active(engine_.now(), actions_);
    apply(slot);
    return s;
}

std::vector<std::uint8_t> Host::pattern_bytes(SocketId s, std::uint64_t n) const {
    std::vector<std::uint8_t> out(n);
    const SocketEntry* en = entry(s);
    const std::uint64_t key = en ? (std::uint64_t{en->iss.v} << 16) ^ en->tuple.local.port : 0;
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
        // The connection is gone: its error, or EPIPE once it closed normally.
        result = en->error != Errno::Ok ? en->error : Errno::Pipe;
        en->error = Errno::Ok;
    }
    record_call(CallKind::Send, s, result, 0);
    return result;
}

RecvResult Host::recv(SocketId s, std::uint64_t max_bytes) {
    SocketEntry* en = entry(s);
    RecvResult r;
    if (!en || en->kind != SocketKind::Connection) {
        r.error = Errno::BadF;
    } else if (ConnSlot* slot = slot_of(*en)) {
        r = slot->conn.recv(max_bytes);
    } else if (!en->unread.empty()) {
        const std::size_t n = max_bytes == 0 ? en->unread.size()
                                             : std::min<std::size_t>(en->unread.size(), max_bytes);
        r.bytes.assign(en->unread.begin(), en->unread.begin() + static_cast<std::ptrdiff_t>(n));
        en->unread.erase(en->unread.begin(), en->unread.begin() + static_cast<std::ptrdiff_t>(n));
    } else if (en->error != Errno::Ok) {
        r.error = en->error;
        en->error = Errno::Ok;
    } else {
        r.eof = true;  // the connection completed its close: end of stream
    }
    bool integrity = true;
    if (!r.bytes.empty()) integrity = ledger_.read(en->tuple, r.bytes);
    record_call(CallKind::Recv, s, r.error, static_cast<std::int64_t>(r.bytes.size()), integrity);
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
        record_state(en->trace_label, nullptr, State::Listen, State::Closed,
                     {"close", "RFC 9293 3.10.4"});
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

std::optional<State> Host::socket_state(SocketId s) const {
    const SocketEntry* en = entry(s);
    if (!en) return std::nullopt;
    if (en->kind == SocketKind::Listener) return State::Listen;
    if (const ConnSlot* slot = slot_of(*en)) return slot->conn.state();
    if (time_wait_.contains(en->tuple)) return State::TimeWait;
    return State::Closed;
}

bool Host::autoread(SocketId s) const {
    const SocketEntry* en = entry(s);
    return en && en->autoread;
}

const std::string& Host::label(SocketId s) const {
    static const std::string kNone;
    const SocketEntry* en = entry(s);
    return en ? en->label : kNone;
}

bool Host::is_open(SocketId s) const { return entry(s) != nullptr; }

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
