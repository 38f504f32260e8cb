#include "tcpsim/views/explanation.hpp"

#include <fmt/format.h>

namespace tcpsim {

std::string_view explanation(Cause cause) {
    switch (cause) {
        case Cause::None: return "";
        case Cause::Connect:
            return "The application called connect(): the stack sends a SYN and waits for the peer's SYN,ACK.";
        case Cause::Listen:
            return "The application called listen(): the socket now waits for SYNs on its port.";
        case Cause::CloseListener:
            return "The application closed the listening socket: no new connections are accepted on its port.";
        case Cause::Close:
            return "The application called close(): a FIN goes out after any data still queued, and the "
                   "connection carries on without the application.";
        case Cause::ShutdownWrite:
            return "The application called shutdown(SHUT_WR): a FIN says it will send no more, but it can "
                   "still receive.";
        case Cause::CloseQueued:
            return "close() came while the handshake was still going on; now that it is done the queued FIN "
                   "is sent.";
        case Cause::CloseUnreadData:
            return "The application closed the socket with received data it never read: instead of a FIN the "
                   "stack sends an RST, so the peer learns the data was not delivered.";
        case Cause::CloseLingerZero:
            return "SO_LINGER was on with a time of 0: close() throws away what is queued and resets the "
                   "connection with an RST. There is no FIN and no TIME-WAIT.";
        case Cause::Abort:
            return "The application aborted the connection: an RST tells the peer, and everything is forgotten "
                   "at once.";
        case Cause::Reboot:
            return "The host crashed and restarted: it forgot every connection without sending anything.";
        case Cause::RcvSyn:
            return "A SYN reached the listening port: the stack answers with its own SYN,ACK and waits for "
                   "the ACK that completes the handshake.";
        case Cause::RcvSynAck:
            return "The peer's SYN,ACK acknowledges our SYN: the handshake is complete on this side, and our "
                   "ACK completes it on the other.";
        case Cause::RcvSynSimultaneous:
            return "A SYN (not a SYN,ACK) arrived while ours was outstanding: both sides opened at once, so "
                   "this side answers with a SYN,ACK.";
        case Cause::RcvAckOfSyn:
            return "The ACK of our SYN,ACK arrived: the three-way handshake is complete.";
        case Cause::RcvRstRefused:
            return "An RST acknowledging our SYN came back: nobody listens on that port, so connect() fails "
                   "with ECONNREFUSED.";
        case Cause::RcvRstPassiveOpen:
            return "An RST ended a half-open connection that came from a listener; the listener carries on.";
        case Cause::RcvSynPassiveOpen:
            return "A SYN arrived on a half-open connection from a listener: it is dropped and the listener "
                   "carries on.";
        case Cause::RcvRst:
            return "An acceptable RST arrived: the peer reset the connection, which is gone at once.";
        case Cause::RcvSynInWindow:
            return "A SYN arrived inside the window of a synchronized connection; RFC 793 calls that an error, "
                   "so the connection is reset.";
        case Cause::RcvDataAfterClose:
            return "New data arrived after the application closed the socket: nobody will read it, so the "
                   "stack resets the connection.";
        case Cause::RcvFin: return "The peer's FIN arrived: it will send no more data, and the stack ACKs it.";
        case Cause::RcvAckOfFin:
            return "The peer acknowledged our FIN: our direction of the connection is closed.";
        case Cause::RetransmitLimit:
            return "The segment was retransmitted as many times as allowed without an answer: the stack gives "
                   "up and reports ETIMEDOUT.";
        case Cause::KeepaliveTimeout:
            return "Every keepalive probe went unanswered: the peer is presumed dead, the connection is reset "
                   "and the application gets ETIMEDOUT.";
        case Cause::FinWait2Timeout:
            return "Nobody owns this connection any more and the peer never sent its FIN: the orphaned "
                   "FIN-WAIT-2 is dropped after tcp_fin_timeout, silently.";
        case Cause::TimeWait2Msl:
            return "TIME-WAIT lasted twice the Maximum Segment Lifetime, long enough for any old segment of "
                   "this connection to have died out; the 4-tuple is free again.";
        case Cause::TimeWaitLinux:
            return "Linux keeps TIME-WAIT for a fixed TCP_TIMEWAIT_LEN of 60 s, whatever the MSL; the 4-tuple "
                   "is free again.";
        case Cause::TimeWaitSolaris:
            return "Solaris keeps TIME-WAIT for tcp_time_wait_interval; the 4-tuple is free again.";
        case Cause::TimeWaitWindows:
            return "Windows keeps TIME-WAIT for TcpTimedWaitDelay; the 4-tuple is free again.";
        case Cause::TimeWaitConfigured:
            return "TIME-WAIT lasted the length the scenario set with the time_wait knob; the 4-tuple is free "
                   "again.";
        case Cause::TimeWaitRecycle:
            return "With tcp_tw_recycle and a peer using timestamps, Linux 4.9 cut TIME-WAIT to 3.5 times the "
                   "retransmission timeout.";
        case Cause::TwSynReopensRfc1122:
            return "A SYN with a sequence number above the old connection's arrived: it cannot be an old "
                   "duplicate, so TIME-WAIT ends and a new connection starts.";
        case Cause::TwSynReopensRfc6191:
            return "A SYN whose timestamp is newer than the old connection's (or, without timestamps, whose "
                   "sequence number is higher) ends TIME-WAIT and starts a new connection.";
        case Cause::TwSynReopensLinux:
            return "Linux lets a SYN reopen TIME-WAIT when its sequence number is above RCV.NXT or its "
                   "timestamp is newer; the new connection's ISN is the old SND.NXT + 65537.";
        case Cause::TwSynReopensBsd:
            return "FreeBSD lets a SYN reopen TIME-WAIT when its sequence number is above RCV.NXT: the old "
                   "record goes and the listener takes the SYN.";
        case Cause::TwAssassinated:
            return "An RST with exactly the expected sequence number ends TIME-WAIT early (tcp_rfc1337=0): "
                   "the protection TIME-WAIT gave against old duplicates is gone (RFC 1337).";
        case Cause::TwRstCloses:
            return "An RST inside the window closes TIME-WAIT, as RFC 9293 says; RFC 1337 calls this "
                   "TIME-WAIT assassination.";
        case Cause::TwSynNoListenerBsd:
            return "A SYN that may reopen TIME-WAIT arrived, but nobody listens on the port: the record goes "
                   "and the SYN is answered with an RST.";
        case Cause::TwSynInWindow:
            return "A SYN inside the window is an error in RFC 793: TIME-WAIT answers with an RST and closes.";
        case Cause::TwTakenByReuse:
            return "connect() needed this 4-tuple and tcp_tw_reuse allows taking it: the peer used timestamps "
                   "and the entry is old enough, so PAWS will reject the old connection's duplicates.";
        case Cause::TwBucketsFull:
            return "The TIME-WAIT table is full (tcp_max_tw_buckets): this connection closes without "
                   "TIME-WAIT, so a retransmitted FIN will find no socket.";
        case Cause::TwAckRestarts:
            return "An ACK exactly at RCV.NXT (say, a late duplicate of our own last ACK's answer) restarts "
                   "TIME-WAIT; Linux sends nothing back.";
        case Cause::TwRstIgnoredRfc1337:
            return "With tcp_rfc1337=1 Linux ignores an RST in TIME-WAIT, so an old RST cannot cut TIME-WAIT "
                   "short (RFC 1337 fix F1).";
        case Cause::TwRstIgnoredBsd:
            return "FreeBSD ignores every RST in TIME-WAIT, so an old RST cannot cut TIME-WAIT short "
                   "(RFC 1337 fix F1).";
        case Cause::TwRstIgnoredRfc1337F1:
            return "This profile follows RFC 1337 fix F1: RSTs are ignored in TIME-WAIT.";
        case Cause::TwRstNotExact:
            return "Linux acts on an RST in TIME-WAIT only at exactly RCV.NXT; this one is ignored.";
        case Cause::TwRstOutOfWindow:
            return "The RST is outside the receive window, so it cannot belong to this connection: ignored.";
        case Cause::TwRstChallengeAck:
            return "The RST is in the window but not exactly at RCV.NXT: RFC 5961 asks the sender to prove "
                   "itself by sending an ACK (a challenge ACK) instead of closing.";
        case Cause::TwPawsReject:
            return "The segment's timestamp is older than the last one seen on this connection: PAWS says it "
                   "is an old duplicate. TIME-WAIT ACKs it and restarts its timer.";
        case Cause::TwSegmentAcked:
            return "A segment reached TIME-WAIT (a retransmitted FIN, say): Linux answers with an ACK of what "
                   "it has and restarts the 60 s timer.";
        case Cause::TwSynAcked:
            return "This SYN may not reopen TIME-WAIT (its sequence number and timestamp are not newer, or "
                   "nobody listens): Linux answers with an ACK for the old connection and leaves the timer.";
        case Cause::TwAckRateLimited:
            return "An ACK would answer this segment, but one was sent less than tcp_invalid_ratelimit ago: "
                   "nothing is sent, so two stacks cannot ping-pong ACKs forever.";
        case Cause::TwFinRetransmitted:
            return "The peer sent its FIN again, so our last ACK was lost: TIME-WAIT ACKs it again and restarts "
                   "2 MSL. This is why TIME-WAIT exists.";
        case Cause::TwFinRetransmittedBsd:
            return "The peer sent its FIN again (our last ACK was lost): FreeBSD ACKs it again and restarts "
                   "2 MSL.";
        case Cause::TwSynDroppedBsd:
            return "A SYN not above RCV.NXT could be an old duplicate: FreeBSD drops it silently and TIME-WAIT "
                   "goes on.";
        case Cause::TwNoAckDroppedBsd:
            return "A segment without the ACK bit cannot be part of this connection any more: dropped.";
        case Cause::TwNoTimestampDropped:
            return "The connection used timestamps but this segment has none (RFC 7323 3.2): dropped.";
        case Cause::TwDupAckIgnoredBsd:
            return "A duplicate of an ACK already seen needs no answer: FreeBSD drops it.";
        case Cause::TwAckedBsd:
            return "FreeBSD answers this segment with an ACK of what it has.";
        case Cause::TwSynDropped6191:
            return "RFC 6191: a SYN whose timestamp (or sequence number) is not newer may be an old duplicate; "
                   "it is dropped without an answer.";
        case Cause::TwOutOfWindowAcked:
            return "The segment is outside the window: TIME-WAIT answers with an ACK saying where the "
                   "connection stands.";
        case Cause::TwNothingNew:
            return "The segment is in the window but after the peer's FIN nothing new can arrive: dropped.";
        case Cause::TwSynChallengeAck:
            return "A SYN in TIME-WAIT gets a challenge ACK (RFC 5961 4.2): a real peer restarting will answer "
                   "it with an RST.";
        case Cause::Unacceptable:
            return "The segment fails the sequence test (it is outside the receive window, an old duplicate "
                   "say): the stack drops it and sends an ACK saying what it expects.";
        case Cause::UnacceptableRst:
            return "The RST is outside the receive window, so it cannot be trusted: dropped without an answer.";
        case Cause::ChallengeAckRst:
            return "The RST is in the window but not exactly at RCV.NXT: RFC 5961 sends a challenge ACK; only "
                   "a peer that sees it and answers with the exact sequence number can reset the connection.";
        case Cause::ChallengeAckSyn:
            return "A SYN on a synchronized connection may be forged: RFC 5961 answers with a challenge ACK "
                   "instead of resetting.";
        case Cause::PawsReject:
            return "The segment's timestamp is older than the last one seen: PAWS (RFC 7323) calls it an old "
                   "duplicate; it is dropped and answered with an ACK.";
        case Cause::NoTimestampDropped:
            return "Both sides agreed on timestamps but this segment has none (RFC 7323 3.2): dropped.";
        case Cause::AckOfUnsent:
            return "The segment acknowledges data never sent: dropped, and answered with an ACK.";
        case Cause::NoAckDropped:
            return "Once synchronized every segment must carry the ACK bit; this one does not: dropped.";
        case Cause::SynSentBadAck:
            return "While waiting for a SYN,ACK, a segment acknowledged something we never sent (say, an old "
                   "connection's ACK from a TIME-WAIT peer): the stack answers with an RST.";
        case Cause::SynSentRstIgnored:
            return "An RST that does not acknowledge our SYN cannot refuse our connection: ignored.";
        case Cause::SynSentNoSyn:
            return "While waiting for a SYN,ACK, a segment without SYN arrived: dropped.";
        case Cause::SynReceivedBadAck:
            return "The ACK does not acknowledge our SYN,ACK: the half-open connection answers with an RST.";
        case Cause::SynRetransmitted:
            return "The peer sent its SYN again, so our SYN,ACK was probably lost: the SYN,ACK is sent again.";
        case Cause::DataAfterFinIgnored:
            return "Data after the peer's FIN cannot be delivered: it is dropped and ACKed.";
        case Cause::WscaleClamped:
            return "The peer's SYN asked for a window shift above 14, which would let a window exceed what "
                   "sequence numbers can tell apart (RFC 7323 2.3): the stack uses 14.";
        case Cause::NoConnectionReset:
            return "No connection or listener matches the segment: the host answers with an RST.";
        case Cause::NoConnectionRstDropped:
            return "An RST for no connection needs no answer: dropped.";
        case Cause::ListenRstIgnored: return "A listening socket ignores RSTs.";
        case Cause::ListenAckReset:
            return "A listening socket expects a SYN; a segment with an ACK belongs to no connection here and "
                   "gets an RST.";
        case Cause::ListenNonSynDropped: return "A listening socket only takes SYNs; this segment is dropped.";
        case Cause::TwRecycleSynDropped:
            return "tcp_tw_recycle remembers the last timestamp of each peer address; this SYN's timestamp is "
                   "older, so Linux 4.9 drops it silently. Behind a NAT, whose clients' clocks differ, this "
                   "drops good connections.";
        case Cause::PortsExhausted:
            return "connect() found no usable local port toward this destination: every port of the range is "
                   "taken by a connection, a bind() or a TIME-WAIT entry, so it fails with EADDRNOTAVAIL.";
        case Cause::FourTupleInUse:
            return "The socket was bound to a port whose 4-tuple toward this destination is still in use (a "
                   "connection, or a TIME-WAIT entry that may not be taken over): EADDRNOTAVAIL.";
        case Cause::PortInUse:
            return "bind() failed: the port is held by another socket, and not both of them set SO_REUSEADDR "
                   "(or one listens): EADDRINUSE.";
        case Cause::CraftedReferenceMissing:
            return "The crafted segment counts its numbers from a socket that has no connection or TIME-WAIT "
                   "entry at this moment, so it could not be built: nothing was sent.";
        case Cause::RawSocketTookReply:
            return "This 4-tuple belongs to the raw socket that crafted a segment on it: the reply goes to "
                   "the script, and the host's TCP never sees it (as a firewall rule would keep it from the "
                   "kernel).";
    }
    return "";
}

namespace {

// What being in a state means, for the states a teardown passes through.
std::string_view entering(State s) {
    switch (s) {
        case State::TimeWait:
            return " This side closed first, so it holds TIME-WAIT: it can still ACK a retransmitted FIN, and old "
                   "duplicates of this connection die out before its 4-tuple is used again.";
        case State::Closing:
            return " Both FINs crossed (a simultaneous close): each side waits for the ACK of its own FIN.";
        case State::CloseWait:
            return " The application reads end of file; the connection stays in CLOSE-WAIT until it calls "
                   "close(), so one that never does leaks the socket.";
        case State::LastAck:
            return " It waits for the ACK of its FIN; if that ACK is lost, the FIN is sent again.";
        case State::FinWait2:
            return " It now waits for the peer's FIN, for as long as the peer takes.";
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::SynReceived:
        case State::Established:
        case State::FinWait1:
            return "";
    }
    return "";
}

}  // namespace

std::string explain(const TraceEvent& e) {
    std::string out(explanation(e.cause));
    if (e.kind == TraceKind::State && e.from != State::TimeWait) out += entering(e.to);
    const Cause c = e.cause;
    const bool time_wait_expiry = c == Cause::TimeWait2Msl || c == Cause::TimeWaitLinux ||
                                  c == Cause::TimeWaitSolaris || c == Cause::TimeWaitWindows ||
                                  c == Cause::TimeWaitConfigured || c == Cause::TimeWaitRecycle;
    if (time_wait_expiry && e.length.ns > 0)
        out += fmt::format(" Its timer: {}, counted from when it was last (re)started.", format_duration(e.length));
    if (c == Cause::PortsExhausted) {
        out += fmt::format(" Of {} ports: {} held by connections, {} by TIME-WAIT, {} by bind() or a listener.",
                           e.ports.range, e.ports.connections, e.ports.time_wait, e.ports.bound);
    }
    const std::string_view clause = describe(e.cause).clause;
    if (!clause.empty()) out += fmt::format(" [{}]", clause);
    return out;
}

}  // namespace tcpsim
