#include "tcpsim/tcp/time_wait.hpp"

#include "tcpsim/tcp/connection.hpp"

namespace tcpsim {

TimeWaitRecord TimeWaitRecord::from(const Connection& c, std::int32_t socket) {
    TimeWaitRecord r;
    r.snd_nxt = c.tcb().snd.nxt;
    r.rcv_nxt = c.tcb().rcv.nxt;
    r.rcv_wnd = static_cast<std::uint16_t>(std::min<std::uint32_t>(c.rules().receive_buffer, 65535));
    r.socket = socket;
    r.expires = c.time_wait_expires();
    return r;
}

namespace {

Segment reply_to(const TimeWaitRecord& r, const FourTuple& tuple, Flags flags, Seq seq) {
    Segment s;
    s.src = tuple.local;
    s.dst = tuple.remote;
    s.seq = seq;
    s.flags = flags;
    if (has(flags, Flags::Ack)) {
        s.ack = r.rcv_nxt;
        s.window = r.rcv_wnd;
    }
    return s;
}

}  // namespace

TimeWaitOutcome on_time_wait_segment(const TimeWaitRecord& r, const FourTuple& tuple,
                                     const Segment& seg, const ProfileRules& rules) {
    TimeWaitOutcome o;
    const Segment ack = reply_to(r, tuple, Flags::Ack, r.snd_nxt);
    // The peer's FIN sits at RCV.NXT-1: a retransmission of it ends exactly there.
    const bool duplicate_fin = seg.is(Flags::Fin) && !seg.is(Flags::Rst) &&
                               seg.seq + seg.len() + 1 == r.rcv_nxt;
    if (duplicate_fin) {
        // RFC 9293 3.10.7.4 (fifth, eighth): in TIME-WAIT, a retransmitted FIN is ACKed and
        // the 2 MSL timeout restarts.
        o.reply = ack;
        o.restart_timer = true;
        o.cause = {"rcv retransmitted FIN", "RFC 9293 3.10.7.4"};
        return o;
    }
    const bool in_window = r.rcv_wnd == 0 ? seg.seq == r.rcv_nxt
                                          : seq_in(seg.seq, r.rcv_nxt, r.rcv_nxt + r.rcv_wnd);
    if (seg.is(Flags::Rst)) {
        if (!in_window) return o;  // RFC 9293 3.10.7.4 "first": unacceptable RST dropped
        if (rules.challenge_ack && seg.seq != r.rcv_nxt) {
            // Linux tcp_timewait_state_process (L-TW-1): inexact RSTs are ignored.
            return o;
        }
        switch (rules.rst_in_time_wait) {
            case RstInTimeWait::Close:
                // RFC 9293 3.10.7.4 "second": TIME-WAIT + RST -> CLOSED (RFC 1337 hazard).
                o.close = true;
                o.cause = {"rcv RST", "RFC 9293 3.10.7.4"};
                return o;
            case RstInTimeWait::Ignore:
                return o;  // RFC 1337 F1: ignore RST segments in TIME-WAIT
        }
        return o;
    }
    if (seg.is(Flags::Syn)) {
        if (rules.challenge_ack || !in_window) {
            // RFC 5961 4.2 challenge ACK; or, RFC 793, an out-of-window SYN gets an ACK.
            o.reply = ack;
            return o;
        }
        // RFC 793 3.9: an in-window SYN is an error: reset and close.
        o.reply = reply_to(r, tuple, Flags::Rst, seg.is(Flags::Ack) ? seg.ack : r.snd_nxt);
        o.close = true;
        o.cause = {"rcv SYN in window", "RFC 793 3.9"};
        return o;
    }
    const bool acceptable = seg.seg_len() == 0 ? in_window || seg.seq == r.rcv_nxt
                                               : in_window;
    // RFC 9293 3.10.7.4 "first": an unacceptable segment is answered by an ACK; an
    // acceptable one can carry nothing new after the peer's FIN and is dropped.
    if (!acceptable) o.reply = ack;
    return o;
}

}  // namespace tcpsim
