#include "tcpsim/trace/cause.hpp"

namespace tcpsim {

CauseText describe(Cause c) {
    switch (c) {
        case Cause::None: return {"none", "", ""};
        case Cause::Connect: return {"connect", "connect", "RFC 9293 3.10.1"};
        case Cause::Listen: return {"listen", "listen", "RFC 9293 3.10.1"};
        case Cause::CloseListener: return {"close_listener", "close", "RFC 9293 3.10.4"};
        case Cause::Close: return {"close", "close", "RFC 9293 3.10.4"};
        case Cause::ShutdownWrite: return {"shutdown_write", "shutdown(SHUT_WR)", "RFC 9293 3.10.4"};
        case Cause::CloseQueued:
            return {"close_queued", "close (queued in SYN-RECEIVED)", "RFC 9293 3.10.4"};
        case Cause::CloseUnreadData:
            return {"close_unread_data", "close with unread data", "RFC 9293 3.6.1"};
        case Cause::CloseLingerZero:
            return {"close_linger_zero", "close with SO_LINGER{1,0}", "Linux tcp_disconnect, L-CLOSE-3"};
        case Cause::Abort: return {"abort", "abort", "RFC 9293 3.10.5"};
        case Cause::Reboot: return {"reboot", "host rebooted: state forgotten", "tcpsim reboot"};
        case Cause::RcvSyn: return {"rcv_syn", "rcv SYN", "RFC 9293 3.10.7.2"};
        case Cause::RcvSynAck: return {"rcv_syn_ack", "rcv SYN,ACK", "RFC 9293 3.10.7.3"};
        case Cause::RcvSynSimultaneous:
            return {"rcv_syn_simultaneous", "rcv SYN (simultaneous open)", "RFC 9293 3.10.7.3"};
        case Cause::RcvAckOfSyn: return {"rcv_ack_of_syn", "rcv ACK of SYN", "RFC 9293 3.10.7.4"};
        case Cause::RcvRstRefused: return {"rcv_rst_refused", "rcv RST", "RFC 9293 3.10.7.3"};
        case Cause::RcvRstPassiveOpen:
            return {"rcv_rst_passive_open", "rcv RST (passive open returns to LISTEN)", "RFC 9293 3.10.7.4"};
        case Cause::RcvSynPassiveOpen:
            return {"rcv_syn_passive_open", "rcv SYN (passive open returns to LISTEN)", "RFC 9293 3.10.7.4"};
        case Cause::RcvRst: return {"rcv_rst", "rcv RST", "RFC 9293 3.10.7.4"};
        case Cause::RcvSynInWindow: return {"rcv_syn_in_window", "rcv SYN in window", "RFC 793 3.9"};
        case Cause::RcvDataAfterClose:
            return {"rcv_data_after_close", "rcv data after close", "RFC 9293 3.6.1"};
        case Cause::RcvFin: return {"rcv_fin", "rcv FIN", "RFC 9293 3.10.7.4"};
        case Cause::RcvAckOfFin: return {"rcv_ack_of_fin", "rcv ACK of FIN", "RFC 9293 3.10.7.4"};
        case Cause::RetransmitLimit:
            return {"retransmit_limit", "retransmission limit reached", "RFC 9293 3.8.3"};
        case Cause::KeepaliveTimeout:
            return {"keepalive_timeout", "keepalive: no answer to probes",
                    "RFC 9293 3.8.4, Linux tcp_keepalive_timer"};
        case Cause::FinWait2Timeout:
            return {"fin_wait_2_timeout", "FIN_WAIT_2 timeout (orphan)", "Linux tcp_fin_timeout, L-ORPHAN-1"};
        case Cause::TimeWait2Msl:
            return {"time_wait_2msl", "TIME-WAIT timeout: 2 x MSL", "RFC 9293 3.10.8"};
        case Cause::TimeWaitLinux:
            return {"time_wait_linux", "TIME-WAIT timeout: Linux TCP_TIMEWAIT_LEN",
                    "Linux tcp_time_wait, L-ENTER-2"};
        case Cause::TimeWaitSolaris:
            return {"time_wait_solaris", "TIME-WAIT timeout: tcp_time_wait_interval",
                    "illumos tcp_time_wait_interval"};
        case Cause::TimeWaitWindows:
            return {"time_wait_windows", "TIME-WAIT timeout: TcpTimedWaitDelay", "Windows TcpTimedWaitDelay"};
        case Cause::TimeWaitConfigured:
            return {"time_wait_configured", "TIME-WAIT timeout: the time_wait knob", "tcpsim time_wait"};
        case Cause::TimeWaitRecycle:
            return {"time_wait_recycle", "TIME-WAIT timeout: tw_recycle 3.5 x RTO",
                    "Linux 4.9 tcp_time_wait, L-ENTER-3b"};
        case Cause::TwSynReopensRfc1122:
            return {"tw_syn_reopens_rfc1122", "rcv SYN above RCV.NXT reopening TIME-WAIT",
                    "RFC 1122 4.2.2.13, RFC 9293 3.6.1 (MAY-2)"};
        case Cause::TwSynReopensRfc6191:
            return {"tw_syn_reopens_rfc6191", "rcv SYN reopening TIME-WAIT", "RFC 6191 2"};
        case Cause::TwSynReopensLinux:
            return {"tw_syn_reopens_linux", "rcv SYN reopening TIME-WAIT",
                    "Linux tcp_timewait_state_process, L-TW-3"};
        case Cause::TwSynReopensBsd:
            return {"tw_syn_reopens_bsd", "rcv SYN above RCV.NXT reopening TIME-WAIT",
                    "FreeBSD tcp_twcheck, B-TW-3"};
        case Cause::TwAssassinated:
            return {"tw_assassinated", "rcv RST (TIME-WAIT assassination)",
                    "Linux tcp_rfc1337=0, L-TW-1, RFC 1337"};
        case Cause::TwRstCloses: return {"tw_rst_closes", "rcv RST", "RFC 9293 3.10.7.4"};
        case Cause::TwSynNoListenerBsd:
            return {"tw_syn_no_listener_bsd", "rcv SYN, no listener", "FreeBSD tcp_twcheck, B-TW-3"};
        case Cause::TwSynInWindow: return {"tw_syn_in_window", "rcv SYN in window", "RFC 793 3.9"};
        case Cause::TwTakenByReuse:
            return {"tw_taken_by_reuse", "connect() takes the 4-tuple (tcp_tw_reuse)",
                    "Linux tcp_twsk_unique, L-REUSE-3/4"};
        case Cause::TwBucketsFull:
            return {"tw_buckets_full", "tcp_max_tw_buckets reached: no TIME-WAIT",
                    "Linux inet_twsk_alloc, L-ENTER-3"};
        case Cause::TwAckRestarts:
            return {"tw_ack_restarts", "rcv ACK: timer restarted, no reply",
                    "Linux tcp_timewait_state_process, L-TW-2"};
        case Cause::TwRstIgnoredRfc1337:
            return {"tw_rst_ignored_rfc1337", "RST ignored (tcp_rfc1337=1)",
                    "Linux tcp_timewait_state_process, L-TW-1, RFC 1337"};
        case Cause::TwRstIgnoredBsd:
            return {"tw_rst_ignored_bsd", "RST ignored", "FreeBSD tcp_twcheck, B-TW-1 (RFC 1337)"};
        case Cause::TwRstIgnoredRfc1337F1: return {"tw_rst_ignored_rfc1337_f1", "RST ignored", "RFC 1337 F1"};
        case Cause::TwRstNotExact:
            return {"tw_rst_not_exact", "RST not at RCV.NXT ignored",
                    "Linux tcp_timewait_state_process, L-TW-5"};
        case Cause::TwRstOutOfWindow:
            return {"tw_rst_out_of_window", "RST outside the window ignored", "RFC 9293 3.10.7.4"};
        case Cause::TwRstChallengeAck:
            return {"tw_rst_challenge_ack", "RST in window but not at RCV.NXT: challenge ACK", "RFC 5961 3.2"};
        case Cause::TwPawsReject:
            return {"tw_paws_reject", "timestamp older than TS.Recent fails PAWS: ACK, timer restarted",
                    "Linux tcp_timewait_state_process (tcp_paws_reject), L-TW-4"};
        case Cause::TwSegmentAcked:
            return {"tw_segment_acked", "rcv segment: ACK, timer restarted",
                    "Linux tcp_timewait_state_process, L-TW-4"};
        case Cause::TwSynAcked:
            return {"tw_syn_acked", "SYN may not reopen TIME-WAIT: ACK, timer left alone",
                    "Linux tcp_timewait_state_process, L-TW-4"};
        case Cause::TwAckRateLimited:
            return {"tw_ack_rate_limited", "ACK not sent: rate limit (tcp_invalid_ratelimit)",
                    "Linux tcp_oow_rate_limited, L-TW-4"};
        case Cause::TwFinRetransmitted:
            return {"tw_fin_retransmitted", "rcv retransmitted FIN: ACK, timer restarted", "RFC 9293 3.10.7.4"};
        case Cause::TwFinRetransmittedBsd:
            return {"tw_fin_retransmitted_bsd", "rcv retransmitted FIN: ACK, timer restarted",
                    "FreeBSD tcp_twcheck, B-TW-7"};
        case Cause::TwSynDroppedBsd:
            return {"tw_syn_dropped_bsd", "SYN not above RCV.NXT dropped", "FreeBSD tcp_twcheck, B-TW-5"};
        case Cause::TwNoAckDroppedBsd:
            return {"tw_no_ack_dropped_bsd", "segment without ACK dropped", "FreeBSD tcp_twcheck, B-TW-5"};
        case Cause::TwNoTimestampDropped:
            return {"tw_no_timestamp_dropped", "segment without timestamp dropped",
                    "FreeBSD tcp_twcheck, B-TW-6, RFC 7323 3.2"};
        case Cause::TwDupAckIgnoredBsd:
            return {"tw_dup_ack_ignored_bsd", "duplicate ACK: no reply", "FreeBSD tcp_twcheck, B-TW-8"};
        case Cause::TwAckedBsd: return {"tw_acked_bsd", "rcv segment: ACK", "FreeBSD tcp_twcheck, B-TW-8"};
        case Cause::TwSynDropped6191:
            return {"tw_syn_dropped_6191", "SYN may not reopen TIME-WAIT: silently dropped",
                    "RFC 6191 2 (A.4, B.3)"};
        case Cause::TwOutOfWindowAcked:
            return {"tw_out_of_window_acked", "segment outside the window: ACK", "RFC 9293 3.10.7.4"};
        case Cause::TwNothingNew:
            return {"tw_nothing_new", "segment carries nothing new after the FIN: dropped", "RFC 9293 3.10.7.4"};
        case Cause::TwSynChallengeAck:
            return {"tw_syn_challenge_ack", "SYN in TIME-WAIT: challenge ACK", "RFC 5961 4.2"};
        case Cause::Unacceptable:
            return {"unacceptable", "segment fails the sequence test: ACK, dropped",
                    "RFC 9293 3.10.7.4 (Table 6)"};
        case Cause::UnacceptableRst:
            return {"unacceptable_rst", "RST fails the sequence test: dropped", "RFC 9293 3.10.7.4"};
        case Cause::ChallengeAckRst:
            return {"challenge_ack_rst", "RST in window but not at RCV.NXT: challenge ACK", "RFC 5961 3.2"};
        case Cause::ChallengeAckSyn:
            return {"challenge_ack_syn", "SYN in a synchronized state: challenge ACK", "RFC 5961 4.2"};
        case Cause::PawsReject:
            return {"paws_reject", "timestamp older than TS.Recent fails PAWS: ACK, dropped", "RFC 7323 5.3 R1"};
        case Cause::NoTimestampDropped:
            return {"no_timestamp_dropped", "segment without timestamp dropped", "RFC 7323 3.2"};
        case Cause::AckOfUnsent:
            return {"ack_of_unsent", "ACK of data not yet sent: ACK, dropped", "RFC 9293 3.10.7.4"};
        case Cause::NoAckDropped:
            return {"no_ack_dropped", "segment without ACK dropped", "RFC 9293 3.10.7.4"};
        case Cause::SynSentBadAck:
            return {"syn_sent_bad_ack", "unacceptable ACK in SYN-SENT: reset", "RFC 9293 3.10.7.3"};
        case Cause::SynSentRstIgnored:
            return {"syn_sent_rst_ignored", "RST with an unacceptable ACK ignored", "RFC 9293 3.10.7.3"};
        case Cause::SynSentNoSyn:
            return {"syn_sent_no_syn", "segment without SYN dropped in SYN-SENT", "RFC 9293 3.10.7.3"};
        case Cause::SynReceivedBadAck:
            return {"syn_received_bad_ack", "unacceptable ACK in SYN-RECEIVED: reset", "RFC 9293 3.10.7.4"};
        case Cause::SynRetransmitted:
            return {"syn_retransmitted", "retransmitted SYN: SYN,ACK sent again", "Linux tcp_check_req"};
        case Cause::DataAfterFinIgnored:
            return {"data_after_fin_ignored", "data after the peer's FIN ignored: ACK", "RFC 9293 3.10.7.4"};
        case Cause::WscaleClamped:
            return {"wscale_clamped", "window scale above 14 taken as 14", "RFC 7323 2.3"};
        case Cause::NoConnectionReset:
            return {"no_connection_reset", "no connection for the segment: reset", "RFC 9293 3.10.7.1"};
        case Cause::NoConnectionRstDropped:
            return {"no_connection_rst_dropped", "RST for no connection dropped", "RFC 9293 3.10.7.1"};
        case Cause::ListenRstIgnored:
            return {"listen_rst_ignored", "RST ignored in LISTEN", "RFC 9293 3.10.7.2"};
        case Cause::ListenAckReset: return {"listen_ack_reset", "ACK in LISTEN: reset", "RFC 9293 3.10.7.2"};
        case Cause::ListenNonSynDropped:
            return {"listen_non_syn_dropped", "segment without SYN dropped in LISTEN", "RFC 9293 3.10.7.2"};
        case Cause::TwRecycleSynDropped:
            return {"tw_recycle_syn_dropped", "SYN dropped: timestamp older than the peer's last (tw_recycle)",
                    "Linux 4.9 tcp_peer_is_proven, L-RECYC-2"};
        case Cause::PortsExhausted:
            return {"ports_exhausted", "no free ephemeral port toward this destination",
                    "Linux __inet_hash_connect, L-PORT-1"};
        case Cause::FourTupleInUse:
            return {"four_tuple_in_use", "the 4-tuple is in use", "Linux __inet_check_established, L-REUSE-5"};
        case Cause::PortInUse: return {"port_in_use", "bind(): port in use", "Linux inet_bind_conflict, L-BIND-1"};
        case Cause::CraftedReferenceMissing:
            return {"crafted_reference_missing", "crafted segment not sent: its \"of\" socket has no connection",
                    "scenario send_segment"};
        case Cause::RawSocketTookReply:
            return {"raw_socket_took_reply", "taken by the raw socket, not the stack", "scenario send_segment"};
    }
    return {"?", "?", ""};
}

std::optional<Cause> parse_cause(std::string_view id) {
    for (std::uint16_t i = 0; i <= static_cast<std::uint16_t>(Cause::RawSocketTookReply); ++i) {
        const auto c = static_cast<Cause>(i);
        if (describe(c).id == id) return c;
    }
    return std::nullopt;
}

}  // namespace tcpsim
