#include "tcpsim/tcp/time_wait.hpp"

#include <algorithm>

#include "tcpsim/tcp/connection.hpp"
#include "tcpsim/tcp/reset.hpp"

namespace tcpsim {

TimeWaitRecord TimeWaitRecord::from(const Connection& c, SocketRef socket, Time now) {
    TimeWaitRecord r;
    r.snd_nxt = c.tcb().snd.nxt;
    r.rcv_nxt = c.tcb().rcv.nxt;
    // Linux tcp_time_wait keeps tw_rcv_wnd and tw_rcv_wscale; replies say rcv_wnd >> shift.
    r.rcv_wnd = c.tcb().rcv.wnd;
    r.rcv_wscale = c.rcv_wscale();
    r.reuse_address = c.options().reuse_address;
    r.ts_on = c.timestamps_on();
    r.ts_recent = c.ts_recent();
    r.ts_recent_stamp = c.ts_recent_stamp();
    r.ts_offset = c.ts_offset();
    r.socket = socket;
    r.entered = now;
    r.expires = c.time_wait_expires();
    r.length = r.expires - now;
    r.expiry_cause = c.time_wait_cause();
    return r;
}

Cause time_wait_expiry_cause(TimeWaitLength source) {
    switch (source) {
        case TimeWaitLength::TwoMsl: return Cause::TimeWait2Msl;
        case TimeWaitLength::LinuxTimewaitLen: return Cause::TimeWaitLinux;
        case TimeWaitLength::SolarisInterval: return Cause::TimeWaitSolaris;
        case TimeWaitLength::WindowsDelay: return Cause::TimeWaitWindows;
        case TimeWaitLength::Configured: return Cause::TimeWaitConfigured;
    }
    return Cause::TimeWait2Msl;
}

Seq isn_after_time_wait(const TimeWaitRecord& r) {
    // tcp_timewait_state_process: isn = tw_snd_nxt + 65535 + 2, never 0.
    const Seq isn = r.snd_nxt + 65537;
    return isn.v == 0 ? Seq{1} : isn;
}

namespace {

Segment reply_to(const TimeWaitRecord& r, const FourTuple& tuple, Flags flags, Seq seq,
                 const ProfileRules& rules, Time now) {
    Segment s;
    s.src = tuple.local;
    s.dst = tuple.remote;
    s.seq = seq;
    s.flags = flags;
    if (has(flags, Flags::Ack)) {
        s.ack = r.rcv_nxt;
        s.window = static_cast<std::uint16_t>(std::min<std::uint32_t>(r.rcv_wnd >> r.rcv_wscale, 65535));
    }
    s.options.layout = rules.option_layout;
    if (r.ts_on) {
        const auto val = r.ts_offset + static_cast<std::uint32_t>(now.ns / rules.timestamp_tick.ns);
        s.options.timestamp = TimestampOption{val, r.ts_recent};
    }
    return s;
}

// Sequence numbers compare modulo 2^32 (RFC 9293 3.4).
bool seq_above(Seq a, Seq b) { return seq_gt(a, b); }

bool ts_newer(std::uint32_t tsval, std::uint32_t recent) {
    return static_cast<std::int32_t>(recent - tsval) < 0;
}

// May this SYN start a new incarnation? (RFC 9293 3.6.1 MAY-2, RFC 6191, L-TW-3, B-TW-3.)
bool syn_may_reopen(const TimeWaitRecord& r, const Segment& seg, SynInTimeWait rule) {
    const bool higher_seq = seq_above(seg.seq, r.rcv_nxt);
    const auto& ts = seg.options.timestamp;
    switch (rule) {
        case SynInTimeWait::Reject:
            return false;
        case SynInTimeWait::SequenceOnly:
            return higher_seq;
        case SynInTimeWait::Rfc6191:
            if (r.ts_on) {
                if (ts) return ts_newer(ts->val, r.ts_recent) || (ts->val == r.ts_recent && higher_seq);  // A.1, A.2
                return higher_seq;  // A.3
            }
            return ts.has_value() || higher_seq;  // B.1, B.2
        case SynInTimeWait::Linux:
            // L-TW-3: TSopt is parsed only when the old connection kept a TS.Recent.
            return higher_seq || (r.ts_recent_stamp && ts && ts_newer(ts->val, r.ts_recent));
    }
    return false;
}

TimeWaitOutcome reopen(const TimeWaitRecord& r, const ProfileRules& rules) {
    TimeWaitOutcome o;
    o.reopen = true;
    // Linux and RFC 1122 pick an ISN above the old SND.NXT; FreeBSD asks tcp_new_isn().
    if (rules.time_wait_rules != TimeWaitRules::Bsd) o.reopen_isn = isn_after_time_wait(r);
    switch (rules.syn_in_time_wait) {
        case SynInTimeWait::Rfc6191:
            o.cause = Cause::TwSynReopensRfc6191;
            break;
        case SynInTimeWait::Linux:
            o.cause = Cause::TwSynReopensLinux;
            break;
        case SynInTimeWait::Reject:
        case SynInTimeWait::SequenceOnly:
            o.cause = rules.time_wait_rules == TimeWaitRules::Bsd ? Cause::TwSynReopensBsd
                                                                  : Cause::TwSynReopensRfc1122;
            break;
    }
    return o;
}

TimeWaitOutcome linux_rules(const TimeWaitRecord& r, const FourTuple& tuple, const Segment& seg,
                            const ProfileRules& rules, Time now, bool listener_exists) {
    TimeWaitOutcome o;
    const Segment ack = reply_to(r, tuple, Flags::Ack, r.snd_nxt, rules, now);
    // PAWS pre-step: only when the old connection kept a TS.Recent.
    bool paws_reject = false;
    const auto& ts = seg.options.timestamp;
    if (r.ts_recent_stamp && ts) {
        paws_reject = static_cast<std::int32_t>(r.ts_recent - ts->val) > 0 &&
                      now < *r.ts_recent_stamp + rules.paws_stale_after && r.ts_recent != 0;
        // tcp_paws_reject: an RST is believed once TS.Recent is TCP_PAWS_MSL (60 s) old.
        if (seg.is(Flags::Rst) && now >= *r.ts_recent_stamp + seconds(60)) paws_reject = false;
    }
    if (!paws_reject && seg.seq == r.rcv_nxt && (seg.seg_len() == 0 || seg.is(Flags::Rst))) {
        if (seg.is(Flags::Rst)) {
            // L-TW-1: with tcp_rfc1337=0 an exact RST kills TIME-WAIT (assassination).
            if (rules.rst_in_time_wait == RstInTimeWait::Ignore) {
                o.cause = Cause::TwRstIgnoredRfc1337;
                return o;
            }
            o.close = true;
            o.cause = Cause::TwAssassinated;
            return o;
        }
        // L-TW-2: an in-window bare ACK restarts the timer, no reply.
        o.restart_timer = true;
        if (ts) o.new_ts_recent = ts->val;
        o.cause = Cause::TwAckRestarts;
        return o;
    }
    const bool bare_syn = seg.is(Flags::Syn) && !seg.is(Flags::Rst) && !seg.is(Flags::Ack);
    if (bare_syn && !paws_reject && syn_may_reopen(r, seg, rules.syn_in_time_wait) && listener_exists)
        return reopen(r, rules);
    if (seg.is(Flags::Rst)) {
        o.cause = Cause::TwRstNotExact;  // L-TW-5: other RSTs are ignored
        return o;
    }
    // L-TW-4: everything else gets an ACK; ACK-bearing or PAWS-rejected segments restart
    // the timer (a bare SYN does not: it may be a new SYN with a random ISN).
    o.restart_timer = paws_reject || seg.is(Flags::Ack);
    o.cause = paws_reject ? Cause::TwPawsReject : bare_syn ? Cause::TwSynAcked : Cause::TwSegmentAcked;
    const bool limited = seg.len() == 0 && !seg.is(Flags::Fin);  // tcp_oow_rate_limited
    if (limited && rules.invalid_ratelimit.ns > 0 && r.last_ratelimited_ack &&
        now - *r.last_ratelimited_ack < rules.invalid_ratelimit) {
        o.cause = Cause::TwAckRateLimited;
        return o;
    }
    o.reply = ack;
    o.ratelimited_ack = limited;
    return o;
}

TimeWaitOutcome bsd_rules(const TimeWaitRecord& r, const FourTuple& tuple, const Segment& seg,
                          const ProfileRules& rules, Time now, bool listener_exists) {
    TimeWaitOutcome o;
    if (seg.is(Flags::Rst)) {
        o.cause = Cause::TwRstIgnoredBsd;  // B-TW-1 (RFC 1337 F1)
        return o;
    }
    if (seg.is(Flags::Syn) && !seg.is(Flags::Ack)) {
        // B-TW-3: a SYN above RCV.NXT closes the entry and goes to the listener; B-TW-5:
        // any other SYN (it has no ACK) is dropped.
        if (!syn_may_reopen(r, seg, rules.syn_in_time_wait)) {
            o.cause = Cause::TwSynDroppedBsd;
            return o;
        }
        if (listener_exists) return reopen(r, rules);
        o.close = true;  // tcp_twclose, then the lookup finds no listener
        o.reply = reply_to(r, tuple, Flags::Rst | Flags::Ack, Seq{0}, rules, now);
        o.reply->ack = seg.seq + seg.seg_len();
        o.reply->options.timestamp.reset();
        o.cause = Cause::TwSynNoListenerBsd;
        return o;
    }
    if (!seg.is(Flags::Ack)) {
        o.cause = Cause::TwNoAckDroppedBsd;  // B-TW-5
        return o;
    }
    if (r.ts_on && !seg.options.timestamp && rules.drop_missing_timestamps) {
        o.cause = Cause::TwNoTimestampDropped;  // B-TW-6
        return o;
    }
    o.cause = Cause::TwAckedBsd;
    if (seg.is(Flags::Fin) && seg.seq + seg.len() + 1 == r.rcv_nxt) {
        o.restart_timer = true;  // B-TW-7: a duplicate FIN restarts 2MSL
        o.cause = Cause::TwFinRetransmittedBsd;
    }
    // B-TW-8: anything but an exact duplicate pure ACK is ACKed.
    const bool exact_dup_ack = seg.flags == Flags::Ack && seg.len() == 0 && seg.seq == r.rcv_nxt &&
                               seg.ack == r.snd_nxt;
    if (exact_dup_ack) {
        o.cause = Cause::TwDupAckIgnoredBsd;
        return o;
    }
    o.reply = reply_to(r, tuple, Flags::Ack, r.snd_nxt, rules, now);
    return o;
}

TimeWaitOutcome rfc_rules(const TimeWaitRecord& r, const FourTuple& tuple, const Segment& seg,
                          const ProfileRules& rules, Time now, bool listener_exists) {
    TimeWaitOutcome o;
    const Segment ack = reply_to(r, tuple, Flags::Ack, r.snd_nxt, rules, now);
    // The peer's FIN sits at RCV.NXT-1: a retransmission of it ends exactly there.
    if (seg.is(Flags::Fin) && !seg.is(Flags::Rst) && seg.seq + seg.len() + 1 == r.rcv_nxt) {
        // RFC 9293 3.10.7.4 (fifth, eighth): in TIME-WAIT, a retransmitted FIN is ACKed and
        // the 2 MSL timeout restarts.
        o.reply = ack;
        o.restart_timer = true;
        o.cause = Cause::TwFinRetransmitted;
        return o;
    }
    const bool in_window = r.rcv_wnd == 0 ? seg.seq == r.rcv_nxt
                                          : seq_in(seg.seq, r.rcv_nxt, r.rcv_nxt + r.rcv_wnd);
    if (seg.is(Flags::Rst)) {
        if (!in_window) {
            o.cause = Cause::TwRstOutOfWindow;  // RFC 9293 3.10.7.4 "first": unacceptable RST dropped
            return o;
        }
        if (rules.challenge_ack && seg.seq != r.rcv_nxt) {
            o.reply = ack;  // RFC 5961 3.2: challenge ACK
            o.cause = Cause::TwRstChallengeAck;
            return o;
        }
        switch (rules.rst_in_time_wait) {
            case RstInTimeWait::Close:
                // RFC 9293 3.10.7.4 "second": TIME-WAIT + RST -> CLOSED (the RFC 1337 hazard).
                o.close = true;
                o.cause = Cause::TwRstCloses;
                return o;
            case RstInTimeWait::Ignore:
                o.cause = Cause::TwRstIgnoredRfc1337F1;  // RFC 1337 F1: ignore RST segments in TIME-WAIT
                return o;
        }
        return o;
    }
    if (seg.is(Flags::Syn)) {
        if (!seg.is(Flags::Ack) && syn_may_reopen(r, seg, rules.syn_in_time_wait) && listener_exists)
            return reopen(r, rules);
        if (rules.syn_in_time_wait == SynInTimeWait::Rfc6191) {
            o.cause = Cause::TwSynDropped6191;  // A.4 / B.3: silently drop
            return o;
        }
        if (rules.challenge_ack || !in_window) {
            // RFC 5961 4.2 challenge ACK; or, RFC 793, an out-of-window SYN gets an ACK.
            o.reply = ack;
            o.cause = rules.challenge_ack ? Cause::TwSynChallengeAck : Cause::TwOutOfWindowAcked;
            return o;
        }
        // RFC 793 3.9: an in-window SYN is an error: reset (in the RFC 9293 3.5.2 form)
        // and close.
        o.reply = reset_for_no_connection(seg);
        o.close = true;
        o.cause = Cause::TwSynInWindow;
        return o;
    }
    const bool acceptable = seg.seg_len() == 0 ? in_window || seg.seq == r.rcv_nxt : in_window;
    // RFC 9293 3.10.7.4 "first": an unacceptable segment is answered by an ACK; an
    // acceptable one can carry nothing new after the peer's FIN and is dropped.
    if (!acceptable) {
        o.reply = ack;
        o.cause = Cause::TwOutOfWindowAcked;
    } else {
        o.cause = Cause::TwNothingNew;
    }
    return o;
}

}  // namespace

TimeWaitOutcome on_time_wait_segment(const TimeWaitRecord& r, const FourTuple& tuple,
                                     const Segment& seg, const ProfileRules& rules, Time now,
                                     bool listener_exists) {
    switch (rules.time_wait_rules) {
        case TimeWaitRules::Rfc793:
            return rfc_rules(r, tuple, seg, rules, now, listener_exists);
        case TimeWaitRules::Bsd:
            return bsd_rules(r, tuple, seg, rules, now, listener_exists);
        case TimeWaitRules::Linux:
            return linux_rules(r, tuple, seg, rules, now, listener_exists);
    }
    return {};
}

bool time_wait_reusable(const TimeWaitRecord& r, const FourTuple& tuple, const ProfileRules& rules,
                        Time now, bool port_was_bound) {
    // L-REUSE-3: the peer must have used timestamps on the old connection (the TS.Recent
    // carried over lets PAWS reject its old duplicates).
    if (!r.ts_recent_stamp) return false;
    if (port_was_bound) return true;  // bind() pinned the port: tcp_tw_reuse is not asked
    int reuse = rules.tw_reuse;
    // L-REUSE-2: mode 2 reuses only loopback connections.
    if (reuse == 2 && !tuple.remote.ip.is_loopback() && !tuple.local.ip.is_loopback()) reuse = 0;
    if (reuse == 0) return false;
    switch (rules.tw_reuse_age) {
        case TwReuseAge::EntryDelay: {
            // tcp_clock_ms() > tw_entry_stamp + delay: Linux compares whole milliseconds.
            const auto ms = [](Time t) { return t.ns / 1'000'000; };
            return ms(now) > ms(r.entered) + rules.tw_reuse_delay.ns / 1'000'000;
        }
        case TwReuseAge::RecentSecond: {
            // 4.x tcp_twsk_unique: get_seconds() - tw_ts_recent_stamp > 1, both whole
            // seconds: 1 to 2 s after the last timestamp accepted from the peer.
            const auto sec = [](Time t) { return t.ns / 1'000'000'000; };
            return sec(now) - sec(*r.ts_recent_stamp) > 1;
        }
    }
    return false;
}

}  // namespace tcpsim
