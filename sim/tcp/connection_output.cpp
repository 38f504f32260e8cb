// Connection: what it sends and when (RFC 9293 3.8, RFC 6298), and its state changes.
#include <algorithm>
#include <cassert>
#include <memory>

#include "tcpsim/core/error.hpp"
#include "tcpsim/tcp/connection.hpp"
#include "tcpsim/tcp/time_wait.hpp"

namespace tcpsim {

Connection::Connection(const ConnectionParams& p)
    : tuple_(p.tuple),
      rules_(p.rules),
      options_(p.options),
      rto_(p.rules->rto_initial),
      // L-SYN-6: toward 127.0.0.0/8 or our own address the route is loopback's.
      advmss_(p.rules->advertised_mss(p.tuple.remote.ip.is_loopback() || p.tuple.remote.ip == p.tuple.local.ip)),
      rcv_space_(p.rules->receive_buffer),
      ts_offset_(p.ts_offset),
      ts_recent_(p.ts_recent.value_or(0)),
      ts_recent_stamp_(p.ts_recent_stamp) {
    tcb_.snd.iss = p.iss;
    tcb_.snd.una = p.iss;
    tcb_.snd.nxt = p.iss;
    max_sent_ = p.iss;
}

std::uint32_t Connection::tsval(Time now) const {
    // RFC 7323 5.4: a clock that ticks at least once per second, with a random offset.
    return ts_offset_ + static_cast<std::uint32_t>(now.ns / rules_->timestamp_tick.ns);
}

std::uint32_t Connection::effective_mss() const {
    // An MSS option of 0 counts as none (Linux tcp_parse_options keeps TCP_MSS_DEFAULT;
    // FreeBSD tcp_mss_update: "Offer == 0 means that there was no MSS").
    const std::uint32_t offered = tcb_.snd_mss == 0 ? kDefaultSendMss : tcb_.snd_mss;
    // A tiny one is raised, as Linux __tcp_mtu_to_mss does to tcp_min_snd_mss and FreeBSD
    // tcp_mss_update to minmss: else a forged MSS makes a flood of near-empty segments.
    const std::uint32_t mss = std::max<std::uint32_t>(offered, rules_->min_snd_mss);
    // RFC 7323 / RFC 6691: the 12 bytes of a timestamp option come out of each segment
    // (the floor, at least 48, leaves room for them).
    return ts_on_ ? mss - 12 : mss;
}

void Connection::transition(State to, Cause cause, Actions& out, Errno error) {
    out.list.push_back(Transition{state_, to, cause, error});
    state_ = to;
}

void Connection::enter_closed(Cause cause, Errno error, Actions& out) {
    cancel_all_timers(out);
    if (error != Errno::Ok && !orphaned_) pending_error_ = error;
    transition(State::Closed, cause, out, error);
}

void Connection::enter_time_wait(Cause cause, Time now, Actions& out) {
    cancel_all_timers(out);
    transition(State::TimeWait, cause, out);
    // RFC 9293 3.10.7.4: TIME-WAIT lasts 2 MSL (or the profile's fixed length); Linux 4.9
    // tw_recycle cuts it to 3.5 RTO when the peer used timestamps (L-ENTER-3b).
    Duration length = rules_->time_wait_length();
    time_wait_cause_ = time_wait_expiry_cause(rules_->time_wait_source);
    if (rules_->tw_recycle && ts_on_) {
        length = rto_ * 3 + rto_ / 2;
        time_wait_cause_ = Cause::TimeWaitRecycle;
    }
    time_wait_expires_ = now + length;
    arm_timer(TimerKind::TimeWait, time_wait_expires_, out);
}

std::uint32_t Connection::window_left() const {
    return seq_gt(rcv_adv_, tcb_.rcv.nxt) ? rcv_adv_ - tcb_.rcv.nxt : 0;
}

std::uint32_t Connection::linux_receive_window(std::uint32_t free) const {
    // __tcp_select_window (L-SYN-5), with the free space counted in bytes (the kernel's
    // skb overhead, and rcv_ssthresh's growth, are not modelled).
    const std::int64_t granule = std::int64_t{1} << rcv_wscale_;
    const std::int64_t mss = rcv_mss_;
    const std::int64_t allowed = rcv_space_;
    const std::int64_t full = std::min<std::int64_t>(std::int64_t{65535} << rcv_wscale_, allowed);
    std::int64_t space = free;
    std::int64_t window = 0;
    bool closed = false;
    if (space < full / 2) {
        // Memory is short: round down, and offer nothing once below an MSS or 1/16.
        space = space / granule * granule;
        closed = space < allowed / 16 || space < mss;
    }
    if (!closed) {
        space = std::min<std::int64_t>(space, rcv_ssthresh_);
        if (rcv_wscale_ > 0) {
            window = (space + granule - 1) / granule * granule;  // ALIGN: not scaled away
        } else {
            // Keep the last window while it is within an MSS of the space, else a multiple of it.
            window = tcb_.rcv.wnd;
            if (window <= space - mss || window > space)
                window = mss > 0 ? space / mss * mss : space;
            else if (mss == full && space > window + full / 2)
                window = space;
        }
    }
    // tcp_select_window: never shrink the offered window.
    const std::int64_t left = window_left();
    if (window < left) window = (left + granule - 1) / granule * granule;
    return static_cast<std::uint32_t>(std::min<std::int64_t>(window, std::int64_t{65535} << rcv_wscale_));
}

std::uint32_t Connection::bsd_receive_window(std::uint32_t free) const {
    // FreeBSD tcp_output: the buffer's space, no window under a quarter of the buffer and
    // under an MSS (receiver SWS avoidance), never shrinking, rounded up to the scale.
    const std::uint32_t limit = std::uint32_t{65535} << rcv_wscale_;
    std::uint32_t window = std::min(free, limit);
    const std::uint32_t maxseg = effective_mss() + (ts_on_ ? 12 : 0);
    if (window < rcv_space_ / 4 && window < maxseg) window = 0;
    window = std::max(window, window_left());
    const std::uint32_t granule = std::uint32_t{1} << rcv_wscale_;
    return std::min((window + granule - 1) / granule * granule, limit);
}

std::uint32_t Connection::receive_window() const {
    const std::size_t used = recv_buf_.size();
    const std::uint32_t free = used >= rcv_space_ ? 0 : rcv_space_ - static_cast<std::uint32_t>(used);
    switch (rules_->receive_window) {
        case ReceiveWindowRule::Linux:
            return linux_receive_window(free);
        case ReceiveWindowRule::Bsd:
            return bsd_receive_window(free);
        case ReceiveWindowRule::Rfc:
        case ReceiveWindowRule::Solaris:
            break;
    }
    // RFC 7323 2.3: at most 65535 << Rcv.Wind.Shift.
    return std::min(free, std::uint32_t{65535} << rcv_wscale_);
}

std::uint16_t Connection::advertised_window() const {
    // RFC 7323 2.3: the window field is the window right-shifted by Rcv.Wind.Shift.
    return static_cast<std::uint16_t>(std::min<std::uint32_t>(receive_window() >> rcv_wscale_, 65535));
}

std::uint16_t Connection::syn_window() const {
    switch (rules_->receive_window) {
        case ReceiveWindowRule::Solaris: {
            // illumos tcp_xmit_mp: tcp_rwnd >> tcp_rcv_ws in the SYN too [unverified]; p0f's
            // Solaris 8 SYN (32850 = 65700 >> 1, wscale 1) agrees.
            const bool syn_ack = state_ == State::SynReceived;
            const std::uint8_t shift =
                syn_ack ? rcv_wscale_ : (rules_->window_scaling ? rules_->window_scale : std::uint8_t{0});
            return static_cast<std::uint16_t>(std::min<std::uint32_t>(tcb_.rcv.wnd >> shift, 65535));
        }
        case ReceiveWindowRule::Rfc:
        case ReceiveWindowRule::Linux:
        case ReceiveWindowRule::Bsd:
            break;
    }
    // L-SYN-2, B-SYN-2: min(RCV.WND, 65535), unscaled.
    return static_cast<std::uint16_t>(std::min<std::uint32_t>(tcb_.rcv.wnd, 65535));
}

Segment Connection::make_segment(Flags flags, Seq seq, Time now) const {
    Segment s;
    s.src = tuple_.local;
    s.dst = tuple_.remote;
    s.seq = seq;
    s.flags = flags;
    if (has(flags, Flags::Ack)) s.ack = tcb_.rcv.nxt;
    if (has(flags, Flags::Syn))
        s.window = syn_window();
    else
        s.window = has(flags, Flags::Rst) && !has(flags, Flags::Ack) ? 0 : advertised_window();
    // RFC 7323 3.2: once negotiated, TSopt goes in every segment (SHOULD in a RST).
    if (ts_on_) s.options.timestamp = TimestampOption{tsval(now), ts_recent_};
    s.options.layout = rules_->option_layout;
    return s;
}

void Connection::emit(Segment s, Actions& out) {
    if (s.is(Flags::Ack)) {
        last_ack_sent_ = s.ack;
        // RCV.WND is what the peer was told: the field, scaled unless in a SYN.
        if (!s.is(Flags::Syn)) tcb_.rcv.wnd = std::uint32_t{s.window} << rcv_wscale_;
        const Seq edge = tcb_.rcv.nxt + (s.is(Flags::Syn) ? std::uint32_t{s.window} : tcb_.rcv.wnd);
        if (seq_gt(edge, rcv_adv_)) rcv_adv_ = edge;
    }
    out.list.push_back(Transmit{std::move(s)});
}

void Connection::send_ack(Time now, Actions& out) {
    // RFC 9293 3.10.7.4: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    emit(make_segment(Flags::Ack, tcb_.snd.nxt, now), out);
}

void Connection::send_reset(Seq seq, Time now, Actions& out) {
    emit(make_segment(Flags::Rst, seq, now), out);
}

void Connection::send_abort_reset(Time now, Actions& out) {
    // RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST>; Linux tcp_send_active_reset adds the ACK.
    const Flags flags = rules_->abort_rst_has_ack ? (Flags::Rst | Flags::Ack) : Flags::Rst;
    emit(make_segment(flags, tcb_.snd.nxt, now), out);
}

void Connection::send_syn(Time now, Actions& out) {
    const bool syn_ack = state_ == State::SynReceived;
    Segment s = make_segment(syn_ack ? (Flags::Syn | Flags::Ack) : Flags::Syn, tcb_.snd.iss, now);
    s.options.mss = advmss_;  // RFC 9293 3.7.1: MSS option only in SYN segments
    // RFC 7323 3.2: TSopt MAY be in a SYN, and in a SYN,ACK only if the SYN had it. TSecr
    // is TS.Recent: 0, or the old TS.Recent of a TIME-WAIT this connection took over (Linux
    // tcp_syn_options, L-SYN-7).
    if (timestamps_wanted() && (!syn_ack || ts_on_)) s.options.timestamp = TimestampOption{tsval(now), ts_recent_};
    // RFC 7323 2.2: WSopt MAY be in a SYN, and in a SYN,ACK only if the SYN had it; RFC
    // 2018 3: likewise SACK-permitted.
    if (rules_->window_scaling && (!syn_ack || wscale_on_)) s.options.wscale = rules_->window_scale;
    s.options.sack_permitted = rules_->sack && (!syn_ack || sack_on_);
    emit(std::move(s), out);
    tcb_.snd.nxt = tcb_.snd.iss + 1;
    if (seq_gt(tcb_.snd.nxt, max_sent_)) max_sent_ = tcb_.snd.nxt;
    if (retries_ == 0 && !rtt_seq_) {
        rtt_seq_ = tcb_.snd.nxt;
        rtt_start_ = now;
    }
    if (!timers_[static_cast<std::size_t>(TimerKind::Retransmit)])
        arm_timer(TimerKind::Retransmit, now + rto_, out);
}

Seq Connection::data_end() const {
    // Data starts after the SYN; acknowledged bytes have left send_buf_.
    const Seq base = seq_gt(tcb_.snd.una, tcb_.snd.iss) ? tcb_.snd.una : tcb_.snd.iss + 1;
    const Seq first = fin_sent_ && seq_gt(base, fin_seq_) ? fin_seq_ : base;
    return first + static_cast<std::uint32_t>(send_buf_.size());
}

std::uint32_t Connection::unsent_bytes() const {
    const Seq end = data_end();
    return seq_lt(tcb_.snd.nxt, end) ? end - tcb_.snd.nxt : 0;
}

void Connection::emit_data_segment(Seq seq, std::uint32_t len, bool with_fin, Time now, Actions& out) {
    const Seq base = data_end() - static_cast<std::uint32_t>(send_buf_.size());
    const std::uint32_t offset = seq - base;
    assert(offset + len <= send_buf_.size());
    Flags flags = Flags::Ack;
    if (len > 0) flags = flags | Flags::Psh;
    if (with_fin) flags = flags | Flags::Fin;
    Segment s = make_segment(flags, seq, now);
    if (len > 0) {
        auto bytes = std::make_shared<std::vector<std::uint8_t>>(
            send_buf_.begin() + offset, send_buf_.begin() + offset + len);
        s.payload = std::move(bytes);
    }
    emit(std::move(s), out);
}

void Connection::output(Time now, Actions& out, bool force) {
    switch (state_) {
        case State::Established:
        case State::CloseWait:
        case State::FinWait1:
        case State::Closing:
        case State::LastAck:
            break;
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::SynReceived:
        case State::FinWait2:
        case State::TimeWait:
            return;  // RFC 9293 3.10.2: data queued before ESTABLISHED waits for it
    }
    bool sent = false;
    for (;;) {
        const Seq nxt_before = tcb_.snd.nxt;
        const std::uint32_t unsent = unsent_bytes();
        if (unsent > 0) {
            const Seq window_end = tcb_.snd.una + tcb_.snd.wnd;
            const std::uint32_t usable =
                seq_gt(window_end, tcb_.snd.nxt) ? window_end - tcb_.snd.nxt : 0;
            if (usable == 0) break;
            const std::uint32_t len = std::min<std::uint32_t>({effective_mss(), unsent, usable});
            // RFC 9293 3.8.6.2.1 (sender SWS avoidance): a segment the window cuts short waits
            // for a wider window, unless it is half the largest window the peer offered
            // (FreeBSD tcp_output; Linux tcp_snd_wnd_test waits for the whole segment) or
            // the persist timer forces it out (Linux tcp_write_wakeup).
            if (len < std::min(effective_mss(), unsent) && len < tcb_.snd.max_wnd / 2 && !force) break;
            const bool with_fin = fin_queued_ && !fin_sent_ && len == unsent;
            const Seq seq = tcb_.snd.nxt;
            if (with_fin) {
                fin_seq_ = seq + len;
                fin_sent_ = true;
            }
            emit_data_segment(seq, len, with_fin, now, out);
            if (!rtt_seq_ && seq_ge(seq, max_sent_)) {
                rtt_seq_ = seq + len;
                rtt_start_ = now;
            }
            tcb_.snd.nxt = seq + len + (with_fin ? 1 : 0);
            sent = true;
        } else if (fin_queued_ && !fin_sent_) {
            // RFC 9293 3.10.4: the FIN follows all queued data; it needs no window.
            fin_seq_ = tcb_.snd.nxt;
            fin_sent_ = true;
            emit(make_segment(Flags::Fin | Flags::Ack, fin_seq_, now), out);
            tcb_.snd.nxt = fin_seq_ + 1;
            sent = true;
        } else {
            break;
        }
        // Each pass must use sequence space, or this loop would never end (it did, with MSS 0).
        if (tcb_.snd.nxt == nxt_before) throw InternalError("Connection::output sent a segment of no length");
        if (seq_gt(tcb_.snd.nxt, max_sent_)) max_sent_ = tcb_.snd.nxt;
    }
    if (sent && !timers_[static_cast<std::size_t>(TimerKind::Retransmit)])
        arm_timer(TimerKind::Retransmit, now + rto_, out);
    // RFC 9293 3.8.6.1: a zero window with data waiting is probed, never given up on.
    if (unsent_bytes() > 0 && tcb_.snd.una == tcb_.snd.nxt &&
        !timers_[static_cast<std::size_t>(TimerKind::Persist)])
        arm_timer(TimerKind::Persist, now + rto_, out);
}

int Connection::retry_limit() const {
    switch (state_) {
        case State::SynSent: return rules_->syn_retries;
        case State::SynReceived: return rules_->synack_retries;
        case State::Closed:
        case State::Listen:
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
        case State::Closing:
        case State::LastAck:
        case State::TimeWait:
            return rules_->data_retries;
    }
    return rules_->data_retries;
}

void Connection::retransmit(Time now, Actions& out) {
    if (retries_ >= retry_limit()) {
        // RFC 9293 3.8.3: past R2 the connection is closed and the user told ETIMEDOUT.
        enter_closed(Cause::RetransmitLimit, Errno::TimedOut, out);
        return;
    }
    ++retries_;
    if (state_ == State::SynSent || state_ == State::SynReceived) handshake_retransmitted_ = true;
    rto_ = std::min(rto_ * 2, rules_->rto_max);  // RFC 6298 5.5: back off the timer
    rtt_seq_.reset();                             // RFC 6298 3 (Karn): no sample from a retransmission
    switch (state_) {
        case State::SynSent:
        case State::SynReceived:
            send_syn(now, out);  // arms the timer with the backed-off RTO
            return;
        case State::Established:
        case State::CloseWait:
        case State::FinWait1:
        case State::Closing:
        case State::LastAck: {
            // RFC 6298 5.4: retransmit the earliest segment not acknowledged.
            const Seq sent_end = fin_sent_ ? fin_seq_ : tcb_.snd.nxt;
            const std::uint32_t outstanding =
                seq_gt(sent_end, tcb_.snd.una) ? sent_end - tcb_.snd.una : 0;
            if (outstanding > 0) {
                const std::uint32_t len = std::min<std::uint32_t>(effective_mss(), outstanding);
                emit_data_segment(tcb_.snd.una, len,
                                  fin_sent_ && tcb_.snd.una + len == fin_seq_, now, out);
            } else if (fin_sent_) {
                emit(make_segment(Flags::Fin | Flags::Ack, fin_seq_, now), out);
            }
            break;
        }
        case State::Closed:
        case State::Listen:
        case State::FinWait2:
        case State::TimeWait:
            return;
    }
    arm_timer(TimerKind::Retransmit, now + rto_, out);
}

void Connection::on_timer(TimerKind kind, Time now, Actions& out) {
    timers_[static_cast<std::size_t>(kind)].reset();
    out.list.push_back(TimerRequest{kind, TimerAction::Expire, now});
    switch (kind) {
        case TimerKind::Retransmit:
            retransmit(now, out);
            break;
        case TimerKind::Persist: {
            // Linux tcp_write_wakeup: a window too small for a full segment gets what fits.
            if (tcb_.snd.wnd > 0 && unsent_bytes() > 0) {
                output(now, out, true);
                break;
            }
            // Linux tcp_xmit_probe_skb: a window probe is an old ACK (SEQ=SND.UNA-1) that
            // the peer must answer with its current window.
            emit(make_segment(Flags::Ack, tcb_.snd.una - 1, now), out);
            if (unsent_bytes() > 0 && tcb_.snd.wnd == 0) {
                // RFC 1122 4.2.2.17: probe intervals grow exponentially; Linux
                // tcp_probe_timer (L-ZWP-2): RTO << probes, at most TCP_RTO_MAX.
                window_probes_ = std::min(window_probes_ + 1, 30);
                Duration next = rto_;
                for (int i = 0; i < window_probes_ && next < rules_->rto_max; ++i) next = next * 2;
                arm_timer(TimerKind::Persist, now + std::min(next, rules_->rto_max), out);
            }
            break;
        }
        case TimerKind::TimeWait:
            // RFC 9293 3.10.8: "If the time-wait timeout expires on a connection delete
            // the TCB, enter the CLOSED state and return."
            enter_closed(time_wait_cause_, Errno::Ok, out);
            break;
        case TimerKind::FinWait2:
            // L-ORPHAN-1: the orphan gives up on the peer's FIN silently (no RST).
            enter_closed(Cause::FinWait2Timeout, Errno::Ok, out);
            break;
        case TimerKind::Keepalive:
            on_keepalive(now, out);
            break;
    }
}

void Connection::arm_keepalive(Time now, Actions& out) {
    if (!options_.keepalive) {
        cancel_timer(TimerKind::Keepalive, out);
        return;
    }
    const Duration idle = options_.keep_idle.value_or(rules_->keepalive_time);
    const Time base = std::max(last_received_, now - idle);
    arm_timer(TimerKind::Keepalive, std::max(base + idle, now), out);
}

void Connection::on_keepalive(Time now, Actions& out) {
    // Linux tcp_keepalive_timer (L-KA-2..6): only synchronized connections are probed
    // (TIME-WAIT is a record by then and has no keepalive).
    if (!options_.keepalive || !is_synchronized(state_) || state_ == State::TimeWait) return;
    const Duration idle = options_.keep_idle.value_or(rules_->keepalive_time);
    const Duration interval = options_.keep_interval.value_or(rules_->keepalive_intvl);
    const int count = options_.keep_count.value_or(rules_->keepalive_probes);
    if (tcb_.snd.una != tcb_.snd.nxt || unsent_bytes() > 0) {
        // L-KA-2: outstanding data is the retransmission timer's business.
        arm_timer(TimerKind::Keepalive, now + idle, out);
        return;
    }
    if (now - last_received_ < idle) {
        arm_timer(TimerKind::Keepalive, last_received_ + idle, out);
        return;
    }
    if (probes_out_ >= count) {
        // L-KA-3: the peer never answered: reset and report ETIMEDOUT.
        send_abort_reset(now, out);
        enter_closed(Cause::KeepaliveTimeout,
                     Errno::TimedOut, out);
        return;
    }
    // L-KA-4 / RFC 9293 3.8.4: a probe is an old ACK, SEQ = SND.NXT - 1, the peer must answer.
    emit(make_segment(Flags::Ack, tcb_.snd.una - 1, now), out);
    ++probes_out_;
    arm_timer(TimerKind::Keepalive, now + interval, out);
}

void Connection::arm_fin_wait_2(Time now, Actions& out) {
    if (!orphaned_ || state_ != State::FinWait2 || !rules_->fin_timeout) return;
    // Linux tcp_fin_time(): at least 3.5 RTO.
    const Duration rto3_5 = rto_ * 3 + rto_ / 2;
    arm_timer(TimerKind::FinWait2, now + std::max(*rules_->fin_timeout, rto3_5), out);
}

void Connection::arm_timer(TimerKind kind, Time expires, Actions& out) {
    auto& slot = timers_[static_cast<std::size_t>(kind)];
    out.list.push_back(TimerRequest{kind, slot ? TimerAction::Restart : TimerAction::Set, expires});
    slot = expires;
}

void Connection::cancel_timer(TimerKind kind, Actions& out) {
    auto& slot = timers_[static_cast<std::size_t>(kind)];
    if (!slot) return;
    out.list.push_back(TimerRequest{kind, TimerAction::Cancel, *slot});
    slot.reset();
}

void Connection::cancel_all_timers(Actions& out) {
    for (TimerKind k : {TimerKind::Retransmit, TimerKind::TimeWait, TimerKind::FinWait2,
                        TimerKind::Keepalive, TimerKind::Persist})
        cancel_timer(k, out);
}

std::optional<Duration> Connection::rtt_from_timestamp(const Segment& seg, Time now) const {
    if (!ts_on_ || !seg.options.timestamp || seg.options.timestamp->ecr == 0) return std::nullopt;
    const auto ticks = static_cast<std::int32_t>(tsval(now) - seg.options.timestamp->ecr);
    if (ticks < 0) return std::nullopt;
    // Linux tcp_rtt_tsopt_us returns -1 (no sample, tcp_ack_update_rtt gives up) unless the
    // TSecr is less than INT_MAX us back: a forged TSecr must not make the RTO.
    const Duration rtt = rules_->timestamp_tick * ticks;
    if (rtt >= microseconds(INT32_MAX)) return std::nullopt;
    return rtt;
}

void Connection::on_handshake_done() {
    // RFC 6298 5.7 (Linux TCP_TIMEOUT_FALLBACK): no RTT sample after a retransmitted SYN
    // means data starts with a 3 s RTO.
    if (!srtt_ && handshake_retransmitted_) rto_ = std::max(seconds(3), rules_->rto_min);
}

void Connection::on_rtt_sample(Duration r) {
    // RFC 6298 2.2 / 2.3. Duration arithmetic saturates, so no sample can wrap SRTT.
    if (!srtt_) {
        srtt_ = r;
        rttvar_ = r / 2;
    } else {
        const Duration diff = *srtt_ > r ? *srtt_ - r : r - *srtt_;
        rttvar_ = (rttvar_ * 3 + diff) / 4;
        srtt_ = (*srtt_ * 7 + r) / 8;
    }
    Duration var = rttvar_ * 4;
    if (rules_->rto_min_in_variance) {
        // Linux tcp_set_rto: RTO = SRTT + max(RTTVAR term, tcp_rto_min).
        rto_ = *srtt_ + std::max(var, rules_->rto_min);
    } else {
        rto_ = std::max(*srtt_ + std::max(var, nanoseconds(1)), rules_->rto_min);
    }
    rto_ = std::min(rto_, rules_->rto_max);
}

}  // namespace tcpsim
