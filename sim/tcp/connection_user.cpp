// Connection: the user calls of RFC 9293 3.10.1-3.10.5.
#include "tcpsim/tcp/connection.hpp"

namespace tcpsim {

void Connection::open_active(Time now, Actions& out) {
    // RFC 9293 3.10.1 OPEN (active): send SYN, enter SYN-SENT.
    transition(State::SynSent, Cause::Connect, out);
    send_syn(now, out);
}

void Connection::open_passive(const Segment& syn, Time now, Actions& out) {
    // RFC 9293 3.10.7.2 LISTEN, "third check for a SYN": RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ,
    // send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, enter SYN-RECEIVED.
    passive_ = true;
    state_ = State::Listen;
    tcb_.rcv.irs = syn.seq;
    tcb_.rcv.nxt = syn.seq + 1;
    tcb_.snd.wnd = syn.window;
    tcb_.snd.max_wnd = syn.window;
    tcb_.snd.wl1 = syn.seq;
    if (syn.options.mss) tcb_.snd_mss = std::min(*syn.options.mss, rules_->mss);
    if (timestamps_wanted() && syn.options.timestamp) {
        ts_on_ = true;  // RFC 7323 3.2: the SYN offered TSopt and we accept it
        ts_recent_ = syn.options.timestamp->val;
        ts_recent_stamp_ = now;
    }
    transition(State::SynReceived, Cause::RcvSyn, out);
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

RecvResult Connection::recv(std::uint64_t max_bytes) {
    RecvResult r;
    if (!recv_buf_.empty() && !read_shutdown_) {
        const std::size_t n = max_bytes == 0 ? recv_buf_.size()
                                             : std::min<std::size_t>(recv_buf_.size(), max_bytes);
        r.bytes.assign(recv_buf_.begin(), recv_buf_.begin() + static_cast<std::ptrdiff_t>(n));
        recv_buf_.erase(recv_buf_.begin(), recv_buf_.begin() + static_cast<std::ptrdiff_t>(n));
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

}  // namespace tcpsim
