// Connection: the user calls of RFC 9293 3.10.1-3.10.5.
#include "tcpsim/tcp/connection.hpp"

namespace tcpsim {

void Connection::choose_initial_window() {
    switch (rules_->receive_window) {
        case ReceiveWindowRule::Linux: {
            // tcp_select_initial_window (L-SYN-3/4): the space rounded down to a multiple of
            // the MSS, less the timestamps when they will be on: a passive open whose SYN had
            // them (tcp_openreq_init_rwin), an active one that inherited a TS.Recent from a
            // TIME-WAIT (tcp_connect_init, L-SYN-7). 64240 = 44 * 1460, 65160 = 45 * 1448.
            const bool timestamps = timestamps_wanted() && (passive_ ? ts_on_ : ts_recent_stamp_.has_value());
            const std::uint32_t mss = advmss_ - (timestamps ? 12 : 0);
            const std::uint32_t space = rcv_space_ > mss ? rcv_space_ / mss * mss : rcv_space_;
            tcb_.rcv.wnd = std::min<std::uint32_t>(space, 65535);
            rcv_ssthresh_ = tcb_.rcv.wnd;
            return;
        }
        case ReceiveWindowRule::Rfc:
        case ReceiveWindowRule::Bsd:
        case ReceiveWindowRule::Solaris:
            tcb_.rcv.wnd = rcv_space_;
            return;
    }
}

void Connection::open_active(Time now, Actions& out) {
    // RFC 9293 3.10.1 OPEN (active): send SYN, enter SYN-SENT.
    transition(State::SynSent, Cause::Connect, out);
    choose_initial_window();
    send_syn(now, out);
}

void Connection::open_passive(const Segment& syn, Time now, Actions& out) {
    // RFC 9293 3.10.7.2 LISTEN, "third check for a SYN": RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ,
    // send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, enter SYN-RECEIVED.
    passive_ = true;
    state_ = State::Listen;
    tcb_.rcv.irs = syn.seq;
    tcb_.rcv.nxt = syn.seq + 1;
    rcv_adv_ = tcb_.rcv.nxt;
    tcb_.snd.wnd = syn.window;  // RFC 7323 2.2: a SYN's window is never scaled
    tcb_.snd.max_wnd = syn.window;
    tcb_.snd.wl1 = syn.seq;
    accept_syn_options(syn, now, out);
    transition(State::SynReceived, Cause::RcvSyn, out);
    choose_initial_window();
    send_syn(now, out);
}

Errno Connection::send(const std::vector<std::uint8_t>& bytes, Time now, Actions& out) {
    if (pending_error_ != Errno::Ok) return pending_error_;
    if (fin_queued_) return Errno::Pipe;  // RFC 9293 3.10.2: "connection closing"
    switch (state_) {
        case State::SynSent:
        case State::SynReceived:
        case State::Established:
        case State::CloseWait:
            break;
        case State::Closed:
        case State::Listen:
            return Errno::NotConn;
        case State::FinWait1:
        case State::FinWait2:
        case State::Closing:
        case State::LastAck:
        case State::TimeWait:
            return Errno::Pipe;
    }
    send_buf_.insert(send_buf_.end(), bytes.begin(), bytes.end());
    output(now, out);
    return Errno::Ok;
}

bool Connection::window_update_due() const {
    // Not once the peer has closed, or we stopped reading: it sends no more.
    if (!is_synchronized(state_) || fin_received_ || read_shutdown_) return false;
    const std::uint32_t old_window = window_left();  // what the peer may still send
    const std::uint32_t used = static_cast<std::uint32_t>(std::min<std::size_t>(recv_buf_.size(), rcv_space_));
    switch (rules_->receive_window) {
        case ReceiveWindowRule::Linux: {
            // tcp_cleanup_rbuf: when at most half the window clamp (the receive space) is
            // left, an ACK if the window now offered is at least twice what is left.
            if (std::uint64_t{2} * old_window > rcv_space_) return false;
            const std::uint32_t new_window = receive_window();
            return new_window != 0 && new_window >= std::uint64_t{2} * old_window;
        }
        case ReceiveWindowRule::Bsd: {
            // tcp_output "Sending of standalone window updates": the window grows by two
            // segments and a quarter of the buffer (or the buffer is small, or nearly
            // full), or by half the buffer; never when the scaled field would not change.
            const std::uint32_t recwin = std::min(rcv_space_ - used, std::uint32_t{65535} << rcv_wscale_);
            if (recwin == 0 || recwin <= old_window) return false;
            const std::uint32_t adv = recwin - old_window;
            if ((old_window >> rcv_wscale_) >= (recwin >> rcv_wscale_)) return false;
            const std::uint32_t maxseg = effective_mss() + (ts_on_ ? 12 : 0);
            if (adv >= 2 * maxseg &&
                (adv >= rcv_space_ / 4 || recwin <= rcv_space_ / 8 || rcv_space_ <= 8 * maxseg))
                return true;
            return std::uint64_t{2} * adv >= rcv_space_;
        }
        case ReceiveWindowRule::Rfc:
        case ReceiveWindowRule::Solaris: {
            // RFC 9293 3.8.6.2.2: the window moves right once it can by min(Fr * RCV.BUFF,
            // Eff.snd.MSS), Fr = 1/2; the update is sent when the peer may be held by what
            // we offered (less than that step), else its next ACK carries it.
            const std::uint32_t step = std::min(rcv_space_ / 2, effective_mss());
            const std::uint32_t new_window = receive_window();
            return old_window < step && new_window >= old_window + step;
        }
    }
    return false;
}

RecvResult Connection::recv(std::uint64_t max_bytes, Time now, Actions& out) {
    RecvResult r;
    if (!recv_buf_.empty() && !read_shutdown_) {
        const std::size_t n = max_bytes == 0 ? recv_buf_.size()
                                             : std::min<std::size_t>(recv_buf_.size(), max_bytes);
        r.bytes.assign(recv_buf_.begin(), recv_buf_.begin() + static_cast<std::ptrdiff_t>(n));
        recv_buf_.erase(recv_buf_.begin(), recv_buf_.begin() + static_cast<std::ptrdiff_t>(n));
        if (window_update_due()) send_ack(now, out);
        return r;
    }
    if (pending_error_ != Errno::Ok) {
        r.error = pending_error_;
        return r;
    }
    if (fin_received_ || read_shutdown_) {
        r.eof = true;
        return r;
    }
    if (state_ == State::Closed) {
        r.error = Errno::NotConn;
        return r;
    }
    r.error = Errno::Again;
    return r;
}

Errno Connection::send_fin(Time now, Actions& out, Cause cause) {
    if (pending_error_ != Errno::Ok) return pending_error_;
    switch (state_) {
        case State::Established:
            fin_queued_ = true;
            transition(State::FinWait1, cause, out);
            output(now, out);
            return Errno::Ok;
        case State::CloseWait:
            fin_queued_ = true;
            transition(State::LastAck, cause, out);
            output(now, out);
            return Errno::Ok;
        case State::SynReceived:
            // RFC 9293 3.10.4: the FIN waits until ESTABLISHED is reached.
            fin_queued_ = true;
            return Errno::Ok;
        case State::SynSent:
        case State::Closed:
        case State::Listen:
            return Errno::NotConn;
        case State::FinWait1:
        case State::FinWait2:
        case State::Closing:
        case State::LastAck:
        case State::TimeWait:
            return Errno::Ok;  // already closing: nothing more to send
    }
    return Errno::Ok;
}

Errno Connection::close(Time now, Actions& out) {
    orphaned_ = true;
    if (state_ == State::Closed) return Errno::Ok;
    if (!recv_buf_.empty() && is_synchronized(state_)) {
        // RFC 9293 3.6.1 (SHLD-3, RFC 2525 2.17, L-CLOSE-2): CLOSE with unread received data
        // resets the connection rather than pretending the data was delivered.
        send_abort_reset(now, out);
        enter_closed(Cause::CloseUnreadData, Errno::Ok, out);
        return Errno::Ok;
    }
    if (options_.linger && options_.linger->ns == 0) {
        // L-CLOSE-3: SO_LINGER{1,0} discards everything and resets: no FIN, no TIME-WAIT.
        bool reset = false;
        switch (state_) {
            case State::Established:
            case State::CloseWait:
            case State::FinWait1:
            case State::FinWait2:
            case State::SynReceived:
                reset = true;
                break;
            case State::Closing:
            case State::LastAck:
                reset = unsent_bytes() > 0;
                break;
            case State::Closed:
            case State::Listen:
            case State::SynSent:
            case State::TimeWait:
                break;
        }
        if (reset) send_abort_reset(now, out);
        enter_closed(Cause::CloseLingerZero, Errno::Ok, out);
        return Errno::Ok;
    }
    if (state_ == State::FinWait2) arm_fin_wait_2(now, out);
    switch (state_) {
        case State::SynSent:
            // RFC 9293 3.10.4 SYN-SENT: delete the TCB; nothing is sent.
            enter_closed(Cause::Close, Errno::Ok, out);
            return Errno::Ok;
        case State::SynReceived:
        case State::Established:
        case State::CloseWait:
            return send_fin(now, out, Cause::Close);
        case State::Closed:
        case State::Listen:
        case State::FinWait1:
        case State::FinWait2:
        case State::Closing:
        case State::LastAck:
        case State::TimeWait:
            return Errno::Ok;
    }
    return Errno::Ok;
}

void Connection::set_options(const SocketOptions& o, Time now, Actions& out) {
    const bool keepalive_changed = o.keepalive != options_.keepalive ||
                                   o.keep_idle != options_.keep_idle;
    options_ = o;
    if (keepalive_changed && is_synchronized(state_)) arm_keepalive(now, out);
}

void Connection::abort(Time now, Actions& out) {
    orphaned_ = true;
    switch (state_) {
        case State::SynReceived:
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
            // RFC 9293 3.10.5: send <SEQ=SND.NXT><CTL=RST>.
            send_abort_reset(now, out);
            break;
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::Closing:
        case State::LastAck:
        case State::TimeWait:
            break;
    }
    if (state_ != State::Closed) enter_closed(Cause::Abort, Errno::Ok, out);
}

std::vector<std::uint8_t> Connection::take_unread() {
    std::vector<std::uint8_t> bytes;
    if (read_shutdown_) return bytes;
    bytes.assign(recv_buf_.begin(), recv_buf_.end());
    recv_buf_.clear();
    return bytes;
}

}  // namespace tcpsim
