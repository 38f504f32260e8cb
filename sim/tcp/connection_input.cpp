// Connection: segment arrival, RFC 9293 3.10.7.3 (SYN-SENT) and 3.10.7.4 (other states).
#include <algorithm>

#include "tcpsim/tcp/connection.hpp"
#include "tcpsim/tcp/reset.hpp"

namespace tcpsim {

void Connection::on_segment(const Segment& seg, Time now, Actions& out) {
    last_received_ = now;
    if (seg.is(Flags::Ack)) probes_out_ = 0;  // L-KA-4: any ACK answers the keepalive
    switch (state_) {
        case State::SynSent:
            on_segment_syn_sent(seg, now, out);
            return;
        case State::SynReceived:
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
        case State::Closing:
        case State::LastAck:
            on_segment_synchronized(seg, now, out);
            return;
        case State::Closed:
        case State::Listen:
        case State::TimeWait:
            return;  // the host handles these without a Connection
    }
}

void Connection::accept_syn_options(const Segment& syn, Time now, Actions& out) {
    // RFC 9293 3.7.1: the peer's MSS bounds what we send, as our route does (L-SYN-6).
    if (syn.options.mss) tcb_.snd_mss = std::min(*syn.options.mss, advmss_);
    // RFC 7323 3.2: timestamps are on when both SYNs carry TSopt.
    if (timestamps_wanted() && syn.options.timestamp) {
        ts_on_ = true;
        ts_recent_ = syn.options.timestamp->val;
        ts_recent_stamp_ = now;
    }
    // RFC 7323 2.2: window scaling is on when both SYNs carry WSopt, each side then shifting
    // the windows it sends by its own shift; 2.3: a shift above 14 is taken as 14.
    if (rules_->window_scaling && syn.options.wscale) {
        wscale_on_ = true;
        rcv_wscale_ = rules_->window_scale;
        snd_wscale_ = std::min<std::uint8_t>(*syn.options.wscale, 14);
        if (*syn.options.wscale > 14) decide(Cause::WscaleClamped, out);
    }
    // RFC 2018 2: SACK may be used when both SYNs carry SACK-permitted.
    sack_on_ = rules_->sack && syn.options.sack_permitted;
}

void Connection::size_receive_buffer() {
    switch (rules_->receive_window) {
        case ReceiveWindowRule::Bsd: {
            // FreeBSD tcp_mss (B-SYN-3): a buffer larger than the MSS (t_maxseg, options not
            // subtracted) is rounded up to a multiple of it: 65536 -> 65700 = 45 * 1460.
            const std::uint32_t maxseg = effective_mss() + (ts_on_ ? 12 : 0);
            if (rcv_space_ > maxseg) rcv_space_ = (rcv_space_ + maxseg - 1) / maxseg * maxseg;
            return;
        }
        case ReceiveWindowRule::Linux: {
            // tcp_initialize_rcv_mss: min(advmss, the send MSS, half the window, 536), >= 88.
            const std::uint32_t hint = std::min({std::uint32_t{advmss_}, effective_mss(), tcb_.rcv.wnd / 2, 536u});
            rcv_mss_ = std::max<std::uint32_t>(hint, 88);
            return;
        }
        case ReceiveWindowRule::Rfc:
        case ReceiveWindowRule::Solaris:
            return;
    }
}

void Connection::on_segment_syn_sent(const Segment& seg, Time now, Actions& out) {
    auto& snd = tcb_.snd;
    bool ack_acceptable = false;
    // RFC 9293 3.10.7.3 "first check the ACK bit".
    if (seg.is(Flags::Ack)) {
        if (seq_le(seg.ack, snd.iss) || seq_gt(seg.ack, snd.nxt)) {
            if (seg.is(Flags::Rst)) {
                decide(Cause::SynSentRstIgnored, out);
            } else {
                decide(Cause::SynSentBadAck, out);
                send_reset(seg.ack, now, out);  // <SEQ=SEG.ACK><CTL=RST>
            }
            return;
        }
        ack_acceptable = seq_le(snd.una, seg.ack) && seq_le(seg.ack, snd.nxt);
    }
    // "second check the RST bit".
    if (seg.is(Flags::Rst)) {
        if (ack_acceptable)
            enter_closed(Cause::RcvRstRefused, Errno::ConnRefused, out);
        else
            decide(Cause::SynSentRstIgnored, out);  // "If the ACK bit is off, drop the segment"
        return;
    }
    // "fourth check the SYN bit".
    if (!seg.is(Flags::Syn)) {
        decide(Cause::SynSentNoSyn, out);
        return;
    }
    tcb_.rcv.irs = seg.seq;
    tcb_.rcv.nxt = seg.seq + 1;
    rcv_adv_ = tcb_.rcv.nxt + syn_window();  // what our SYN offered
    accept_syn_options(seg, now, out);
    snd.wnd = seg.window;  // RFC 7323 2.2: a SYN's window is never scaled
    snd.max_wnd = std::max<std::uint32_t>(snd.max_wnd, seg.window);
    snd.wl1 = seg.seq;
    snd.wl2 = seg.ack;
    if (seg.is(Flags::Ack)) {
        snd.una = seg.ack;
        if (rtt_seq_ && seq_ge(seg.ack, *rtt_seq_)) {
            on_rtt_sample(now - rtt_start_);
            rtt_seq_.reset();
        } else if (auto rtt = rtt_from_timestamp(seg, now)) {
            on_rtt_sample(*rtt);
        }
    }
    if (seq_gt(snd.una, snd.iss)) {
        retries_ = 0;
        cancel_timer(TimerKind::Retransmit, out);
        on_handshake_done();
        size_receive_buffer();
        transition(State::Established, Cause::RcvSynAck, out);
        send_ack(now, out);
        out.list.push_back(Notify{Notice::Connected});
        arm_keepalive(now, out);
        output(now, out);
        return;
    }
    // Simultaneous open (RFC 9293 Figure 8): SYN-RECEIVED, send <SEQ=ISS><ACK=RCV.NXT><SYN,ACK>.
    transition(State::SynReceived, Cause::RcvSynSimultaneous, out);
    snd.nxt = snd.iss;
    send_syn(now, out);
}

bool Connection::timestamps_acceptable(const Segment& seg, Time now, Actions& out) {
    if (!ts_on_) return true;
    if (!seg.options.timestamp) {
        // RFC 7323 3.2: SHOULD drop a non-RST segment without TSopt (FreeBSD does, B-TW-6);
        // Linux accepts it and only skips PAWS.
        if (seg.is(Flags::Rst) || !rules_->drop_missing_timestamps) return true;
        decide(Cause::NoTimestampDropped, out);
        return false;
    }
    if (seg.is(Flags::Rst) || !ts_recent_stamp_) return true;  // Linux: RSTs skip PAWS
    // RFC 7323 5.5: TS.Recent goes stale after 24 days idle (Linux 6.x: TCP_PAWS_WRAP, ~2147 s).
    if (now - *ts_recent_stamp_ >= rules_->paws_stale_after) return true;
    const auto behind = static_cast<std::int32_t>(ts_recent_ - seg.options.timestamp->val);
    if (behind <= static_cast<std::int32_t>(rules_->paws_window)) return true;
    // RFC 7323 5.3 R1: an old timestamp: the segment is not acceptable; ACK and drop.
    decide(Cause::PawsReject, out);
    send_ack(now, out);
    return false;
}

void Connection::note_timestamp(const Segment& seg, Time now) {
    // RFC 7323 4.3 / 5.3 R3: TS.Recent follows the segment at the left window edge.
    if (!ts_on_ || !seg.options.timestamp || seq_gt(seg.seq, last_ack_sent_)) return;
    ts_recent_ = seg.options.timestamp->val;
    ts_recent_stamp_ = now;
}

bool Connection::acceptable(const Segment& seg) const {
    // RFC 9293 3.10.7.4 Table 6: the four cases of the sequence number test, against the
    // window in bytes (RFC 7323 2.3: the receiver's unscaled value).
    const Seq rcv_nxt = tcb_.rcv.nxt;
    const std::uint32_t wnd = receive_window();
    const std::uint32_t len = seg.seg_len();
    if (len == 0 && wnd == 0) return seg.seq == rcv_nxt;
    if (len == 0) return seq_in(seg.seq, rcv_nxt, rcv_nxt + wnd);
    if (wnd == 0) return false;
    return seq_in(seg.seq, rcv_nxt, rcv_nxt + wnd) ||
           seq_in(seg.seq + (len - 1), rcv_nxt, rcv_nxt + wnd);
}

void Connection::reset_by_peer(Time /*now*/, Actions& out) {
    // RFC 9293 3.10.7.4 "second, check the RST bit".
    switch (state_) {
        case State::SynReceived:
            if (passive_) {
                // Passive open: the listener carries on; this embryonic connection ends.
                enter_closed(Cause::RcvRstPassiveOpen,
                             Errno::Ok, out);
            } else {
                enter_closed(Cause::RcvRst, Errno::ConnRefused, out);
            }
            return;
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
            enter_closed(Cause::RcvRst, Errno::ConnReset, out);
            return;
        case State::CloseWait:
            // Linux tcp_reset(): a reset in CLOSE_WAIT reports EPIPE.
            enter_closed(Cause::RcvRst,
                         rules_->epipe_for_reset_in_close_wait ? Errno::Pipe : Errno::ConnReset, out);
            return;
        case State::Closing:
        case State::LastAck:
            enter_closed(Cause::RcvRst, Errno::Ok, out);
            return;
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::TimeWait:
            return;
    }
}

void Connection::on_segment_synchronized(const Segment& seg, Time now, Actions& out) {
    // Linux tcp_check_req: a retransmitted SYN in SYN-RECEIVED is answered by
    // retransmitting the SYN,ACK (the sequence test would only give a bare ACK).
    if (state_ == State::SynReceived && seg.is(Flags::Syn) && !seg.is(Flags::Ack) &&
        !seg.is(Flags::Rst) && seg.seq == tcb_.rcv.irs) {
        decide(Cause::SynRetransmitted, out);
        tcb_.snd.nxt = tcb_.snd.iss;
        send_syn(now, out);
        return;
    }
    // RFC 9293 Figure 8 (and Linux tcp_validate_incoming's simultaneous-connect case):
    // the peer's SYN,ACK crossing ours acknowledges our SYN; its SYN repeats the one we
    // already took, so only its ACK is processed.
    if (state_ == State::SynReceived && !passive_ && seg.is(Flags::Syn) && seg.is(Flags::Ack) &&
        !seg.is(Flags::Rst) && seg.seq + 1 == tcb_.rcv.nxt && seg.ack == tcb_.snd.nxt) {
        Segment rest = seg;
        rest.flags = seg.flags & static_cast<Flags>(~static_cast<std::uint8_t>(Flags::Syn));
        rest.seq = seg.seq + 1;
        on_segment_synchronized(rest, now, out);
        return;
    }
    if (!timestamps_acceptable(seg, now, out)) return;
    // "first check sequence number".
    if (!acceptable(seg)) {
        if (seg.is(Flags::Rst)) {
            decide(Cause::UnacceptableRst, out);
        } else {
            decide(Cause::Unacceptable, out);
            send_ack(now, out);
        }
        return;
    }
    note_timestamp(seg, now);
    // "second check the RST bit".
    if (seg.is(Flags::Rst)) {
        if (rules_->challenge_ack && seg.seq != tcb_.rcv.nxt) {
            // RFC 5961 3.2: an in-window RST that is not exactly RCV.NXT gets a challenge ACK.
            decide(Cause::ChallengeAckRst, out);
            send_challenge_ack(now, out);
            return;
        }
        reset_by_peer(now, out);
        return;
    }
    // "fourth check the SYN bit".
    if (seg.is(Flags::Syn)) {
        if (state_ == State::SynReceived && passive_) {
            enter_closed(Cause::RcvSynPassiveOpen,
                         Errno::Ok, out);
            return;
        }
        if (rules_->challenge_ack) {
            decide(Cause::ChallengeAckSyn, out);
            send_challenge_ack(now, out);  // RFC 5961 4.2
            return;
        }
        // RFC 793: a SYN in the window is an error: send a reset (formed from the SYN as
        // RFC 9293 3.5.2 says, as 4.4BSD's dropwithreset does), enter CLOSED.
        if (auto rst = reset_for_no_connection(seg)) emit(std::move(*rst), out);
        enter_closed(Cause::RcvSynInWindow, Errno::ConnReset, out);
        return;
    }
    // "fifth check the ACK field".
    if (!seg.is(Flags::Ack)) {
        decide(Cause::NoAckDropped, out);
        return;
    }
    bool stop = false;
    process_ack(seg, now, out, stop);
    if (stop) return;
    // "seventh, process the segment text" and "eighth, check the FIN bit".
    bool ack_now = false;
    process_text(seg, out, ack_now);
    if (fin_queued_ && orphaned_ && seg.len() > 0 &&
        (state_ == State::FinWait1 || state_ == State::FinWait2)) {
        // RFC 9293 3.6.1 (SHLD-3): new data after CLOSE is answered with a reset.
        send_reset(tcb_.snd.nxt, now, out);
        enter_closed(Cause::RcvDataAfterClose, Errno::Ok, out);
        return;
    }
    process_fin(seg, now, out, ack_now);
    if (ack_now) send_ack(now, out);
    if (state_ != State::Closed && state_ != State::TimeWait) output(now, out);
}

void Connection::process_ack(const Segment& seg, Time now, Actions& out, bool& stop) {
    auto& snd = tcb_.snd;
    if (state_ == State::SynReceived) {
        if (!(seq_lt(snd.una, seg.ack) && seq_le(seg.ack, snd.nxt))) {
            decide(Cause::SynReceivedBadAck, out);
            send_reset(seg.ack, now, out);  // <SEQ=SEG.ACK><CTL=RST>
            stop = true;
            return;
        }
        on_handshake_done();
        size_receive_buffer();
        transition(State::Established, Cause::RcvAckOfSyn, out);
        out.list.push_back(Notify{Notice::Connected});
        arm_keepalive(now, out);
        // RFC 7323 2.3: SND.WND = SEG.WND << Snd.Wind.Shift in every segment but a SYN
        // (Linux tcp_rcv_state_process scales a crossing SYN,ACK's window too).
        snd.wnd = std::uint32_t{seg.window} << snd_wscale_;
        snd.wl1 = seg.seq;
        snd.wl2 = seg.ack;
        if (fin_queued_) {
            // A close() issued in SYN-RECEIVED was queued until now (RFC 9293 3.10.4).
            transition(State::FinWait1, Cause::CloseQueued, out);
        }
    }
    if (seq_gt(seg.ack, snd.nxt)) {
        // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK,
        // drop the segment, and return."
        decide(Cause::AckOfUnsent, out);
        send_ack(now, out);
        stop = true;
        return;
    }
    if (seq_lt(snd.una, seg.ack)) {
        // New data (or our SYN/FIN) acknowledged.
        const Seq data_base = data_end() - static_cast<std::uint32_t>(send_buf_.size());
        const Seq acked_to = fin_sent_ && seq_gt(seg.ack, fin_seq_) ? fin_seq_ : seg.ack;
        if (seq_gt(acked_to, data_base)) {
            const std::uint32_t n =
                std::min<std::uint32_t>(acked_to - data_base, static_cast<std::uint32_t>(send_buf_.size()));
            send_buf_.erase(send_buf_.begin(), send_buf_.begin() + n);
        }
        snd.una = seg.ack;
        if (rtt_seq_ && seq_ge(seg.ack, *rtt_seq_)) {
            on_rtt_sample(now - rtt_start_);
            rtt_seq_.reset();
        } else if (auto rtt = rtt_from_timestamp(seg, now)) {
            on_rtt_sample(*rtt);
        }
        retries_ = 0;
        // RFC 6298 5.2/5.3: all data acknowledged stops the timer, otherwise restart it.
        if (snd.una == snd.nxt)
            cancel_timer(TimerKind::Retransmit, out);
        else
            arm_timer(TimerKind::Retransmit, now + rto_, out);
    }
    // Window update (RFC 9293 3.10.7.4): only from a segment not older than the last one.
    if (seq_le(snd.una, seg.ack) &&
        (seq_lt(snd.wl1, seg.seq) || (snd.wl1 == seg.seq && seq_le(snd.wl2, seg.ack)))) {
        snd.wnd = std::uint32_t{seg.window} << snd_wscale_;  // RFC 7323 2.3
        snd.max_wnd = std::max(snd.max_wnd, snd.wnd);
        snd.wl1 = seg.seq;
        snd.wl2 = seg.ack;
        if (snd.wnd > 0) {
            cancel_timer(TimerKind::Persist, out);
            window_probes_ = 0;  // L-ZWP-3: the window opened, backoff starts over
        }
    }
    const bool fin_acked = fin_sent_ && seq_gt(snd.una, fin_seq_);
    switch (state_) {
        case State::FinWait1:
            if (fin_acked) {
                transition(State::FinWait2, Cause::RcvAckOfFin, out);
                arm_fin_wait_2(now, out);
            }
            break;
        case State::Closing:
            if (fin_acked) {
                enter_time_wait(Cause::RcvAckOfFin, now, out);
                stop = true;
            }
            break;
        case State::LastAck:
            if (fin_acked) {
                enter_closed(Cause::RcvAckOfFin, Errno::Ok, out);
                stop = true;
            }
            break;
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::SynReceived:
        case State::Established:
        case State::FinWait2:
        case State::CloseWait:
        case State::TimeWait:
            break;
    }
}

void Connection::process_text(const Segment& seg, Actions& out, bool& ack_now) {
    switch (state_) {
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
            break;
        case State::CloseWait:
        case State::Closing:
        case State::LastAck:
            // "This should not occur since a FIN has been received": ignore the text.
            if (seg.len() > 0) {
                decide(Cause::DataAfterFinIgnored, out);
                ack_now = true;
            }
            return;
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::SynReceived:
        case State::TimeWait:
            return;
    }
    if (seg.len() == 0 && !seg.is(Flags::Fin)) return;
    if (seg.len() > 0) {
        ack_now = true;
        const auto& bytes = *seg.payload;
        // Trim what was already received (RFC 9293 3.10.7.4 "first": segments are
        // trimmed to the window; we keep the part at or after RCV.NXT).
        std::uint32_t skip = seq_lt(seg.seq, tcb_.rcv.nxt) ? tcb_.rcv.nxt - seg.seq : 0;
        if (skip >= bytes.size()) return;
        // Linux tcp_measure_rcv_mss: the receive MSS estimate follows the largest segment.
        if (seg.len() >= rcv_mss_) rcv_mss_ = std::min<std::uint32_t>(seg.len(), advmss_);
        const std::uint32_t room = receive_window();
        if (skip == 0 && seg.seq != tcb_.rcv.nxt) {
            // Out of order but in the window: held until the gap fills.
            const std::uint32_t offset = seg.seq - tcb_.rcv.nxt;
            if (offset < room) {
                const std::size_t take = std::min<std::size_t>(bytes.size(), room - offset);
                auto& slot = out_of_order_[offset + (tcb_.rcv.nxt - tcb_.rcv.irs)];
                if (slot.size() < take) slot.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
            }
            if (seg.is(Flags::Fin)) out_of_order_fin_ = seg.seq + seg.len();
            return;
        }
        const std::size_t take = std::min<std::size_t>(bytes.size() - skip, room);
        recv_buf_.insert(recv_buf_.end(), bytes.begin() + skip,
                         bytes.begin() + static_cast<std::ptrdiff_t>(skip + take));
        tcb_.rcv.nxt = tcb_.rcv.nxt + static_cast<std::uint32_t>(take);
        drain_out_of_order();
        if (take > 0) out_nudge_readable_ = true;
    } else if (seg.is(Flags::Fin) && seq_gt(seg.seq, tcb_.rcv.nxt)) {
        out_of_order_fin_ = seg.seq;
        ack_now = true;
    }
}

void Connection::drain_out_of_order() {
    // Offsets are measured from IRS so they stay valid as RCV.NXT moves.
    for (;;) {
        const std::uint32_t next = tcb_.rcv.nxt - tcb_.rcv.irs;
        auto it = out_of_order_.begin();
        while (it != out_of_order_.end() && it->first + it->second.size() <= next)
            it = out_of_order_.erase(it);
        if (it == out_of_order_.end() || it->first > next) return;
        const std::size_t skip = next - it->first;
        recv_buf_.insert(recv_buf_.end(), it->second.begin() + static_cast<std::ptrdiff_t>(skip),
                         it->second.end());
        tcb_.rcv.nxt = tcb_.rcv.nxt + static_cast<std::uint32_t>(it->second.size() - skip);
        out_of_order_.erase(it);
    }
}

void Connection::process_fin(const Segment& seg, Time now, Actions& out, bool& ack_now) {
    std::optional<Seq> fin_at;
    if (seg.is(Flags::Fin)) fin_at = seg.seq + seg.len();
    if (!fin_at && out_of_order_fin_) fin_at = out_of_order_fin_;
    if (!fin_at) {
        if (out_nudge_readable_) out.list.push_back(Notify{Notice::Readable});
        out_nudge_readable_ = false;
        return;
    }
    // RFC 9293 3.10.7.4 "eighth": the FIN counts only once everything before it arrived.
    if (*fin_at != tcb_.rcv.nxt) {
        if (seq_gt(*fin_at, tcb_.rcv.nxt)) out_of_order_fin_ = fin_at;
        if (out_nudge_readable_) out.list.push_back(Notify{Notice::Readable});
        out_nudge_readable_ = false;
        return;
    }
    out_of_order_fin_.reset();
    ack_now = true;
    switch (state_) {
        case State::SynReceived:
        case State::Established:
            fin_received_ = true;
            tcb_.rcv.nxt = tcb_.rcv.nxt + 1;
            transition(State::CloseWait, Cause::RcvFin, out);
            break;
        case State::FinWait1:
            // Our FIN is not yet acknowledged (process_ack would have moved us to
            // FIN-WAIT-2): simultaneous close (RFC 9293 Figure 13).
            fin_received_ = true;
            tcb_.rcv.nxt = tcb_.rcv.nxt + 1;
            transition(State::Closing, Cause::RcvFin, out);
            break;
        case State::FinWait2:
            fin_received_ = true;
            tcb_.rcv.nxt = tcb_.rcv.nxt + 1;
            enter_time_wait(Cause::RcvFin, now, out);
            break;
        case State::CloseWait:
        case State::Closing:
        case State::LastAck:
            return;  // "Remain in the ... state": nothing new for the application
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::TimeWait:
            return;
    }
    out_nudge_readable_ = false;
    out.list.push_back(Notify{Notice::Readable});
}

}  // namespace tcpsim
