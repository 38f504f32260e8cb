// One TCP connection: the RFC 9293 state machine from SYN-SENT/SYN-RECEIVED to CLOSED,
// driven by three kinds of input (user calls, segment arrival, timer expiry), each of
// which appends the resulting Actions. TIME-WAIT is entered here; the host then replaces
// the connection by a compact TimeWaitRecord (see time_wait.hpp), as Linux replaces a
// socket by a tcp_timewait_sock.
//
//   Connection c(params);
//   c.open_active(now, out);               // CLOSED -> SYN_SENT, SYN queued in `out`
//   c.on_segment(syn_ack, now, out);       // -> ESTABLISHED, ACK in `out`
//
// Implementation is split by event source: connection_user.cpp (calls),
// connection_input.cpp (segment arrival), connection_output.cpp (sending, timers).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "tcpsim/core/errno.hpp"
#include "tcpsim/core/time.hpp"
#include "tcpsim/profile/profile.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/net/tcp_state.hpp"
#include "tcpsim/tcp/actions.hpp"
#include "tcpsim/tcp/socket_options.hpp"
#include "tcpsim/tcp/tcb.hpp"

namespace tcpsim {

struct ConnectionParams {
    FourTuple tuple;               // local first
    const ProfileRules* rules = nullptr;
    Seq iss;
    std::uint32_t ts_offset = 0;   // TSval = ts_offset + elapsed ticks (RFC 7323 5.4)
    SocketOptions options;
    // Inherited from a TIME-WAIT entry this connection replaces (L-REUSE-4).
    std::optional<std::uint32_t> ts_recent;
    std::optional<Time> ts_recent_stamp;
};

// Result of a recv call: bytes, end of stream, or an error.
struct RecvResult {
    std::vector<std::uint8_t> bytes;
    bool eof = false;
    Errno error = Errno::Ok;
};

class Connection {
public:
    explicit Connection(const ConnectionParams& p);

    // --- user calls (RFC 9293 3.10.1-3.10.5) ---
    // OPEN, active: CLOSED -> SYN-SENT.
    void open_active(Time now, Actions& out);
    // OPEN, passive, for a SYN that reached a listener: LISTEN -> SYN-RECEIVED.
    void open_passive(const Segment& syn, Time now, Actions& out);
    // SEND: queues bytes; returns how many were accepted or the error.
    Errno send(const std::vector<std::uint8_t>& bytes, Time now, Actions& out);
    // RECEIVE: up to max_bytes (0 = all readable). Reading may open a window the peer
    // waits on, and then a window update is sent (RFC 9293 3.8.6.2.2).
    RecvResult recv(std::uint64_t max_bytes, Time now, Actions& out);
    // The bytes no application will read, taken as the connection goes (no window update).
    std::vector<std::uint8_t> take_unread();
    // shutdown(SHUT_WR): our FIN after the queued data; receiving continues.
    Errno shutdown_write(Time now, Actions& out) {
        return send_fin(now, out, Cause::ShutdownWrite);
    }
    void shutdown_read() { read_shutdown_ = true; }
    // CLOSE: the application lets go of the socket; the connection continues as an orphan.
    Errno close(Time now, Actions& out);
    // ABORT: RST where the RFC says so, then CLOSED.
    void abort(Time now, Actions& out);
    // setsockopt(): keepalive starts or stops at once.
    void set_options(const SocketOptions& o, Time now, Actions& out);

    // --- segment arrival (RFC 9293 3.10.7.3, 3.10.7.4) ---
    void on_segment(const Segment& seg, Time now, Actions& out);

    // --- timer expiry (RFC 9293 3.10.8) ---
    void on_timer(TimerKind kind, Time now, Actions& out);

    // --- what the host and application may read ---
    State state() const { return state_; }
    const FourTuple& tuple() const { return tuple_; }
    const Tcb& tcb() const { return tcb_; }
    const ProfileRules& rules() const { return *rules_; }
    std::size_t readable_bytes() const { return recv_buf_.size(); }
    bool eof_pending() const { return fin_received_ && recv_buf_.empty(); }
    bool fin_received() const { return fin_received_; }
    // Current retransmission timeout (RFC 6298), for TIME_WAIT length rules.
    Duration rto() const { return rto_; }
    Time time_wait_expires() const { return time_wait_expires_; }
    // What set the TIME-WAIT length (named when it expires).
    Cause time_wait_cause() const { return time_wait_cause_; }
    const SocketOptions& options() const { return options_; }
    // RFC 7323: whether both sides agreed on timestamps, and the state PAWS keeps.
    bool timestamps_on() const { return ts_on_; }
    std::uint32_t ts_recent() const { return ts_recent_; }
    std::optional<Time> ts_recent_stamp() const { return ts_recent_stamp_; }
    std::uint32_t ts_offset() const { return ts_offset_; }
    // RFC 2018: both SYNs carried SACK-permitted (the SACK blocks themselves are not modelled).
    bool sack_permitted() const { return sack_on_; }
    // RFC 7323 2.2: both SYNs carried the window scale option; the shifts it set (0 without).
    bool window_scaling_on() const { return wscale_on_; }
    std::uint8_t snd_wscale() const { return snd_wscale_; }  // Snd.Wind.Shift, the peer's
    std::uint8_t rcv_wscale() const { return rcv_wscale_; }  // Rcv.Wind.Shift, ours
    // The MSS our SYN announces: from the route's MTU (L-SYN-6).
    std::uint16_t advertised_mss() const { return advmss_; }
    // The receive window we would offer now, in bytes (what the sequence test and the
    // receiver use; the window field carries it shifted by Rcv.Wind.Shift).
    std::uint32_t receive_window() const;

private:
    // connection_user.cpp
    Errno send_fin(Time now, Actions& out, Cause cause);

    // connection_user.cpp
    // The window a SYN offers, chosen once per connection (L-SYN-3/4, B-SYN-2).
    void choose_initial_window();
    // After the application read: whether the window opened enough to tell the peer.
    bool window_update_due() const;

    // connection_input.cpp
    // MSS, timestamps, window scale and SACK-permitted from the peer's SYN (RFC 9293 3.7.1,
    // RFC 7323 2.2/3.2, RFC 2018): each is on when both SYNs carried it.
    void accept_syn_options(const Segment& syn, Time now, Actions& out);
    // The handshake made the MSS known: FreeBSD tcp_mss rounds the buffer (B-SYN-3), Linux
    // tcp_initialize_rcv_mss starts its receive MSS estimate.
    void size_receive_buffer();
    void on_segment_syn_sent(const Segment& seg, Time now, Actions& out);
    // RFC 7323 5.3 R1 (PAWS) and 3.2 (missing TSopt); false drops the segment.
    bool timestamps_acceptable(const Segment& seg, Time now, Actions& out);
    void note_timestamp(const Segment& seg, Time now);
    void on_segment_synchronized(const Segment& seg, Time now, Actions& out);
    bool acceptable(const Segment& seg) const;
    void process_ack(const Segment& seg, Time now, Actions& out, bool& stop);
    void process_text(const Segment& seg, Actions& out, bool& ack_now);
    void process_fin(const Segment& seg, Time now, Actions& out, bool& ack_now);
    void reset_by_peer(Time now, Actions& out);
    void drain_out_of_order();

    // connection_output.cpp
    void transition(State to, Cause cause, Actions& out, Errno error = Errno::Ok);
    void decide(Cause cause, Actions& out) { out.list.push_back(Decision{cause}); }
    void enter_closed(Cause cause, Errno error, Actions& out);
    void enter_time_wait(Cause cause, Time now, Actions& out);
    Segment make_segment(Flags flags, Seq seq, Time now) const;
    // RFC 7323 2.2: the window of a SYN or SYN,ACK, never scaled.
    std::uint16_t syn_window() const;
    std::uint32_t linux_receive_window(std::uint32_t free) const;
    std::uint32_t bsd_receive_window(std::uint32_t free) const;
    // The right edge already offered, which no later window moves left (RFC 9293 3.8.6.2.2).
    std::uint32_t window_left() const;
    void emit(Segment s, Actions& out);
    void send_ack(Time now, Actions& out);
    void send_challenge_ack(Time now, Actions& out) { send_ack(now, out); }
    void send_reset(Seq seq, Time now, Actions& out);
    // SO_LINGER{1,0}, abort and keepalive failure: RST (with ACK where the profile says).
    void send_abort_reset(Time now, Actions& out);
    void send_syn(Time now, Actions& out);
    // Sends what the window allows; `force` sends a segment the window cuts short (persist).
    void output(Time now, Actions& out, bool force = false);
    void emit_data_segment(Seq seq, std::uint32_t len, bool with_fin, Time now, Actions& out);
    void retransmit(Time now, Actions& out);
    void arm_timer(TimerKind kind, Time expires, Actions& out);
    void cancel_timer(TimerKind kind, Actions& out);
    void cancel_all_timers(Actions& out);
    void on_rtt_sample(Duration rtt);
    // The RTT from the segment's TSecr (RFC 7323 4.1, Linux tcp_rtt_tsopt_us), usable even
    // for retransmitted segments, where Karn's rule forbids the sequence-based sample; none
    // for a TSecr INT32_MAX us or more back.
    std::optional<Duration> rtt_from_timestamp(const Segment& seg, Time now) const;
    // Connection established: RFC 6298 5.7 restarts from 3 s after a lost SYN or SYN,ACK.
    void on_handshake_done();
    void on_keepalive(Time now, Actions& out);
    void arm_keepalive(Time now, Actions& out);
    // L-ORPHAN-1: an orphan in FIN-WAIT-2 waits at most tcp_fin_timeout for the peer's FIN.
    void arm_fin_wait_2(Time now, Actions& out);
    std::uint32_t tsval(Time now) const;
    // RFC 7323: whether this end offers and accepts timestamps (the connect's choice, else
    // the profile's).
    bool timestamps_wanted() const { return options_.timestamps.value_or(rules_->timestamps); }
    std::uint32_t effective_mss() const;
    std::uint16_t advertised_window() const;
    std::uint32_t unsent_bytes() const;
    Seq data_end() const;  // sequence number after the last queued byte
    int retry_limit() const;

    FourTuple tuple_;
    const ProfileRules* rules_;
    Tcb tcb_;
    State state_ = State::Closed;
    bool passive_ = false;
    bool orphaned_ = false;
    bool read_shutdown_ = false;
    Errno pending_error_ = Errno::Ok;
    SocketOptions options_;

    // Send side: bytes from SND.UNA (after the SYN) onwards, acknowledged bytes removed.
    std::deque<std::uint8_t> send_buf_;
    bool fin_queued_ = false;  // the application closed its sending side
    bool fin_sent_ = false;
    Seq fin_seq_;              // sequence number our FIN occupies
    Seq max_sent_;             // highest SND.NXT ever reached (retransmissions rewind nxt)

    // Receive side.
    std::deque<std::uint8_t> recv_buf_;
    std::map<std::uint32_t, std::vector<std::uint8_t>> out_of_order_;  // offset from RCV.NXT base
    std::optional<Seq> out_of_order_fin_;
    bool fin_received_ = false;
    bool out_nudge_readable_ = false;  // in-order bytes arrived during this segment

    // Retransmission (RFC 6298) and timers.
    Duration rto_;
    std::optional<Duration> srtt_;
    Duration rttvar_;
    std::optional<Seq> rtt_seq_;  // segment being timed (Karn: never a retransmission)
    Time rtt_start_;
    int retries_ = 0;
    bool handshake_retransmitted_ = false;  // RFC 6298 5.7
    Time last_received_;
    int probes_out_ = 0;  // keepalive probes not answered
    int window_probes_ = 0;  // zero-window probes since the window closed (their backoff)

    // MSS, the receive window, window scaling and SACK-permitted.
    std::uint16_t advmss_;
    std::uint32_t rcv_space_;      // receive space in bytes (B-SYN-3 rounds it up)
    Seq rcv_adv_;                  // right edge of the last window sent
    std::uint32_t rcv_ssthresh_ = 0;  // Linux: later windows stay within the initial one (L-SYN-5)
    std::uint32_t rcv_mss_ = 0;       // Linux icsk_ack.rcv_mss: the peer's segment size, estimated
    bool wscale_on_ = false;
    std::uint8_t snd_wscale_ = 0;
    std::uint8_t rcv_wscale_ = 0;
    bool sack_on_ = false;

    // RFC 7323 timestamps.
    bool ts_on_ = false;
    std::uint32_t ts_offset_ = 0;
    std::uint32_t ts_recent_ = 0;
    std::optional<Time> ts_recent_stamp_;
    Seq last_ack_sent_;  // Last.ACK.sent (RFC 7323 4.3)
    std::array<std::optional<Time>, kTimerKinds> timers_{};  // indexed by TimerKind
    Time time_wait_expires_;
    Cause time_wait_cause_ = Cause::TimeWait2Msl;
};

}  // namespace tcpsim
