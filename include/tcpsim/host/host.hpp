// A simulated host: one IPv4 address, an OS profile, and its TCP stack: the socket API
// for its application, demultiplexing of arriving segments to connections, listeners
// and the TIME-WAIT table, ports (bind conflicts, ephemeral choice, tw_reuse), ISNs and
// timestamp clocks, the tw_recycle peer cache, and protocol counters. Every call and
// every action of its connections is recorded in the trace.
//
//   Host h(setup, engine, trace, network, ledger);
//   Errno e;
//   SocketId c = h.connect("c", {server_ip, 80}, std::nullopt, true, {}, e);  // EINPROGRESS
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/core/rng.hpp"
#include "tcpsim/net/crafted_segment.hpp"
#include "tcpsim/profile/profile.hpp"
#include "tcpsim/host/segment_port.hpp"
#include "tcpsim/host/socket_events.hpp"
#include "tcpsim/host/stream_ledger.hpp"
#include "tcpsim/host/time_wait_table.hpp"
#include "tcpsim/tcp/connection.hpp"
#include "tcpsim/tcp/socket_options.hpp"
#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

struct HostSetup {
    std::uint16_t index = 0;
    std::string name;
    Ipv4 ip;
    ProfileRules rules;
    std::optional<std::uint32_t> fixed_isn;
    std::optional<std::uint32_t> timestamp_offset;
    std::uint64_t seed = 1;
};

class Host {
public:
    Host(HostSetup setup, Engine& engine, TraceSink& trace, SegmentPort& port, StreamLedger& ledger);
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;
    ~Host();

    void set_app(SocketEvents* app) { app_ = app; }

    // --- socket API (each call is recorded) ---
    SocketId listen(const std::string& label, std::uint16_t port, const std::string& accept_as,
                    bool autoread, const SocketOptions& options, Errno& error);
    // `local_port`: bind() to it first (L-BIND-1); otherwise an ephemeral port (L-PORT-1).
    SocketId connect(const std::string& label, Endpoint remote, std::optional<std::uint16_t> local_port,
                     bool autoread, const SocketOptions& options, Errno& error);
    Errno setsockopt(SocketId s, const SocketOptionsChange& change);
    Errno send(SocketId s, const std::vector<std::uint8_t>& bytes);
    // The next `n` bytes of the socket's generated stream: a pattern keyed by the host and
    // the connection's serial number, so bytes of one incarnation never pass for another's
    // (even on the same 4-tuple with the same fixed ISN).
    std::vector<std::uint8_t> pattern_bytes(SocketId s, std::uint64_t n) const;
    RecvResult recv(SocketId s, std::uint64_t max_bytes);
    Errno shutdown(SocketId s, ShutdownHow how);
    Errno close(SocketId s);
    Errno abort(SocketId s);
    // The host crashes and comes back: every socket, connection, TIME-WAIT entry and
    // cached peer timestamp is forgotten, silently (no segment leaves).
    void reboot();

    bool autoread(SocketId s) const;
    // The socket as the trace names it (invalid for a closed socket): a SocketId may be
    // reused, a SocketRef and its connection tell incarnations apart.
    SocketRef socket_ref(SocketId s) const;
    // Whether a recv would return bytes now, and whether it would return end-of-stream.
    bool has_unread(SocketId s) const;
    bool at_eof(SocketId s) const;

    // --- a raw socket: segments the scenario builds (net/crafted_segment.hpp) ---
    // The variables of the socket the trace labels `socket` ("s", "s.2"): its connection's,
    // or its TIME-WAIT entry's; none when it has neither now.
    std::optional<CraftedReference> crafted_reference(std::string_view socket);
    // Sends `seg` as built (addresses, numbers, options all set). Unless `stack_answers`,
    // what arrives on its 4-tuple from then on goes to the raw socket, not to TCP.
    void send_crafted(Segment seg, bool stack_answers);
    // A crafted segment that could not be built (its reference socket is gone): the
    // decision is recorded, nothing is sent.
    void record_crafted_unsent(const FourTuple& t);

    // --- from the network ---
    void deliver(const Segment& seg);

    const std::string& name() const { return setup_.name; }
    Ipv4 ip() const { return setup_.ip; }
    std::uint16_t index() const { return setup_.index; }
    const ProfileRules& rules() const { return setup_.rules; }
    std::size_t time_wait_count() const { return time_wait_.size(); }

private:
    struct ConnSlot {
        Connection conn;
        Host* host;
        SocketId socket = -1;  // -1 once the application closed it (orphan)
        SocketRef label;
        SocketId listener = -1;   // passive opens: whom to tell on ESTABLISHED
        bool connecting = false;  // an active connect() waits for its result
        bool accepted = false;    // a passive open was handed to the application
        bool bound = false;       // its port came from an explicit bind (or a listener)
        std::array<TimerHandle, kTimerKinds> timers{};
    };
    enum class SocketKind : std::uint8_t { Free, Listener, Connection };
    struct SocketEntry {
        SocketKind kind = SocketKind::Free;
        SocketRef ref;
        bool autoread = true;
        SocketOptions options;
        // Listener
        std::uint16_t port = 0;
        std::int32_t accept_name = kNoSocket;  // accepted connections' name, interned
        std::uint32_t accepted = 0;
        // Connection
        FourTuple tuple;
        Seq iss;
        std::uint64_t written = 0;
        Errno error = Errno::Ok;  // the connection failed with this and is gone
        // Bytes still unread when the connection became a TIME-WAIT record or closed:
        // the application can read them, then end-of-stream (as from Linux's closed socket).
        std::vector<std::uint8_t> unread;
        bool peer_fin = false;     // the peer's FIN arrived before the connection went
        std::uint64_t serial = 0;  // which connection of this host: keys its byte pattern
    };
    // L-RECYC-1: the newest timestamp seen from a peer address (tcp_metrics).
    struct PeerTimestamp {
        std::uint32_t ts = 0;
        Time stamp;
    };
    // What connect() found for a 4-tuple: free, or a TIME-WAIT entry it may take over.
    struct PortChoice {
        std::uint16_t port = 0;
        bool takes_time_wait = false;
    };

    SocketId new_socket(SocketKind kind, SocketRef ref, bool autoread);
    void free_socket(SocketId s);
    SocketEntry* entry(SocketId s);
    const SocketEntry* entry(SocketId s) const;
    ConnSlot* slot_of(const SocketEntry& e) const;

    // The source address toward `remote`: loopback stays on loopback.
    Ipv4 source_for(Ipv4 remote) const { return remote.is_loopback() ? remote : setup_.ip; }
    // ISNs, timestamp clocks and ports.
    Seq next_isn(const FourTuple& t);
    std::uint32_t ts_offset_for(const FourTuple& t) const;
    bool bind_conflict(std::uint16_t port, bool reuse_address) const;
    // Fills `held` with why each port was passed over when none is found.
    std::optional<PortChoice> pick_ephemeral_port(Endpoint remote, PortsHeld& held);
    void take_over_time_wait(const FourTuple& t, ConnectionParams& p);
    void bind_port(std::uint16_t port) { ++bound_ports_[port]; }
    void unbind_port(std::uint16_t port);

    ConnSlot& create_slot(ConnectionParams p, SocketId s, SocketRef label, bool bound);
    void apply(ConnSlot& slot);
    void after_actions(ConnSlot& slot);
    // Keeps what the application has not read yet before the connection goes away.
    void keep_unread(ConnSlot& slot);
    void destroy_slot(ConnSlot& slot);
    void on_conn_timer(ConnSlot& slot, TimerKind kind);
    void demote_to_time_wait(ConnSlot& slot);
    void on_time_wait_segment(const FourTuple& t, TimeWaitEntry& tw, const Segment& seg);
    // Ends an entry before its time (the timer's cancellation is recorded).
    void end_time_wait(const FourTuple& t, Cause cause);
    void expire_time_wait(const FourTuple& t);
    // One engine event for the earliest TIME-WAIT expiry (see TimeWaitTable).
    void schedule_time_wait_timer();
    void on_time_wait_timer();
    void remember_peer_timestamp(const Connection& c);
    void on_listener_segment(SocketId listener, const Segment& seg, std::optional<Seq> isn);

    // Gives the segment its id, records its sending, hands it to the network.
    void transmit(Segment seg, SocketRef label, const FourTuple& t);
    TraceEvent event(TraceKind kind, SocketRef label, const FourTuple* t) const;
    void record_call(CallKind call, SocketId s, Errno error, std::int64_t value, bool integrity = true);
    void record_state(SocketRef label, const FourTuple* t, State from, State to, Cause cause,
                      Errno error = Errno::Ok, Duration length = {});
    void record_timer(SocketRef label, const FourTuple& t, TimerKind kind, TimerAction action,
                      Time expires);
    // A decision about the segment being delivered (if any) or about a call.
    void record_decision(Cause cause, SocketRef label, const FourTuple* t, const PortsHeld* ports = nullptr);
    void count(Counter counter, SocketRef label, const FourTuple* t);
    void notify(std::function<void(SocketEvents&)> f);

    HostSetup setup_;
    Engine& engine_;
    TraceSink& trace_;
    SegmentPort& port_;
    StreamLedger& ledger_;
    SocketEvents* app_ = nullptr;
    Rng isn_rng_;
    Rng port_rng_;
    std::uint64_t isn_secret_;
    std::uint64_t ts_secret_;
    std::uint32_t host_ts_offset_;
    std::uint32_t port_perturb_ = 0;
    std::uint64_t connections_made_ = 0;
    Actions actions_;

    std::vector<SocketEntry> sockets_;
    std::vector<SocketId> free_sockets_;
    std::map<std::uint16_t, SocketId> listeners_;
    std::map<std::uint16_t, int> bound_ports_;  // explicitly bound sockets per port
    std::map<std::uint32_t, PeerTimestamp> peer_timestamps_;  // by peer address
    std::map<Counter, std::uint64_t> counters_;
    const Segment* arriving_ = nullptr;  // the segment deliver() is handling
    std::set<FourTuple> raw_tuples_;      // local first: what a raw socket takes (send_crafted)
    // Lookup only; never iterated into output (reboot sorts the keys first).
    std::unordered_map<FourTuple, std::unique_ptr<ConnSlot>, FourTupleHash> connections_;
    TimeWaitTable time_wait_;
    TimerHandle time_wait_timer_;
    Time time_wait_timer_at_;
};

}  // namespace tcpsim
