// Why something happened: every state change and every decision a stack makes about a
// segment (including the decisions to send nothing), named once, with the event in RFC
// words and the clause or OS rule behind it. Rule ids (L-TW-1, B-TW-3...) are those of
// shared/BEHAVIOUR.md.
//
//   describe(Cause::TwRstIgnoredRfc1337).clause == "Linux tcp_timewait_state_process, L-TW-1, RFC 1337"
//
// The world names causes; the views word them (the explanation view adds a sentence for
// each, and -Wswitch-enum makes a new cause break the build until it has one).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tcpsim {

enum class Cause : std::uint8_t {
    None,
    // Calls.
    Connect,
    Listen,
    CloseListener,
    Close,
    ShutdownWrite,
    CloseQueued,
    CloseUnreadData,
    CloseLingerZero,
    Abort,
    Reboot,
    // Opening.
    RcvSyn,
    RcvSynAck,
    RcvSynSimultaneous,
    RcvAckOfSyn,
    RcvRstRefused,
    RcvRstPassiveOpen,
    RcvSynPassiveOpen,
    // Synchronized states.
    RcvRst,
    RcvSynInWindow,
    RcvDataAfterClose,
    RcvFin,
    RcvAckOfFin,
    // Timers.
    RetransmitLimit,
    KeepaliveTimeout,
    FinWait2Timeout,
    TimeWait2Msl,
    TimeWaitLinux,
    TimeWaitSolaris,
    TimeWaitWindows,
    TimeWaitConfigured,
    TimeWaitRecycle,
    // A TIME-WAIT record ends early.
    TwSynReopensRfc1122,
    TwSynReopensRfc6191,
    TwSynReopensLinux,
    TwSynReopensBsd,
    TwAssassinated,
    TwRstCloses,
    TwSynNoListenerBsd,
    TwSynInWindow,
    TwTakenByReuse,
    TwBucketsFull,
    // A TIME-WAIT record's decisions about a segment.
    TwAckRestarts,
    TwRstIgnoredRfc1337,
    TwRstIgnoredBsd,
    TwRstIgnoredRfc1337F1,
    TwRstNotExact,
    TwRstOutOfWindow,
    TwRstChallengeAck,
    TwPawsReject,
    TwSegmentAcked,
    TwSynAcked,
    TwAckRateLimited,
    TwFinRetransmitted,
    TwFinRetransmittedBsd,
    TwSynDroppedBsd,
    TwNoAckDroppedBsd,
    TwNoTimestampDropped,
    TwDupAckIgnoredBsd,
    TwAckedBsd,
    TwSynDropped6191,
    TwOutOfWindowAcked,
    TwNothingNew,
    TwSynChallengeAck,
    // A connection's decisions about a segment.
    Unacceptable,
    UnacceptableRst,
    ChallengeAckRst,
    ChallengeAckSyn,
    PawsReject,
    NoTimestampDropped,
    AckOfUnsent,
    NoAckDropped,
    SynSentBadAck,
    SynSentRstIgnored,
    SynSentNoSyn,
    SynReceivedBadAck,
    SynRetransmitted,
    DataAfterFinIgnored,
    WscaleClamped,
    // The host's decisions: no connection, listeners, ports.
    NoConnectionReset,
    NoConnectionRstDropped,
    ListenRstIgnored,
    ListenAckReset,
    ListenNonSynDropped,
    TwRecycleSynDropped,
    PortsExhausted,
    FourTupleInUse,
    PortInUse,
    // A raw socket's (crafted segments).
    CraftedReferenceMissing,
    RawSocketTookReply,
};

struct CauseText {
    std::string_view id;      // stable, for JSON: "tw_rst_ignored_rfc1337"
    std::string_view event;   // what happened: "RST ignored (tcp_rfc1337=1)"
    std::string_view clause;  // the rule: "RFC 9293 3.10.7.4", "Linux tcp_fin_timeout, L-ORPHAN-1"
};

CauseText describe(Cause c);
std::optional<Cause> parse_cause(std::string_view id);

}  // namespace tcpsim
