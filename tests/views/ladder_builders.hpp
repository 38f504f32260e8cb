// Hand-made traces for the ladder tests: segments with ids, as the world writes them.
#pragma once

#include <sstream>
#include <string>

#include "tcpsim/views/ladder.hpp"
#include "trace_builders.hpp"

namespace tcpsim::test {

// A segment event with its id; `conn` as the world writes it (the sender's view for a
// send or a link event, the receiver's for a delivery).
inline TraceEvent seg(SegmentEvent what, std::int64_t t_ms, std::uint16_t host, SocketRef socket, std::uint64_t id,
                      Flags flags, std::uint32_t seq, std::uint32_t ack, const FourTuple& conn, std::uint32_t len = 0) {
    TraceEvent e = on(segment(t_ms, host, socket, what, flags, seq, ack, len, 65535), conn);
    e.segment = id;
    return e;
}

inline TraceEvent link_drop(std::int64_t t_ms, std::uint16_t host, SocketRef socket, std::uint64_t id, Flags flags,
                            std::uint32_t seq, std::uint32_t ack, const FourTuple& conn, LinkReason reason) {
    TraceEvent e = seg(SegmentEvent::Drop, t_ms, host, socket, id, flags, seq, ack, conn);
    e.reason = reason;
    return e;
}

// The ladder of a kept trace.
inline Ladder ladder_of(const Trace& trace, LadderOptions options = {}) {
    LadderView view(std::move(options));
    replay(trace, view);
    return view.ladder();
}

// A handshake whose SYN,ACK is duplicated by the link and whose ACK a scripted fault
// drops, then a TIME_WAIT of 60 s. Absolute ISNs 4294967295 (client) and 5000 (server).
inline Trace story() {
    Trace trace = two_hosts();
    const SocketRef l = sock(trace, "l");
    const SocketRef c = sock(trace, "c");
    const SocketRef s = sock(trace, "s", 1);
    const std::int32_t fault = trace.add_fault("lose the client's ACK");
    const FourTuple conn = client_side();
    const FourTuple rev = conn.reversed();
    trace.record(call(0, kServer, l, CallKind::Listen, Errno::Ok));
    trace.record(state(0, kServer, l, State::Closed, State::Listen, Cause::Listen));
    trace.record(on(call(0, kClient, c, CallKind::Connect, Errno::InProgress), conn));
    trace.record(on(state(0, kClient, c, State::Closed, State::SynSent, Cause::Connect), conn));
    TraceEvent syn = seg(SegmentEvent::Send, 0, kClient, c, 1, Flags::Syn, 4294967295u, 0, conn);
    syn.options.mss = 1460;
    trace.record(syn);
    trace.record(seg(SegmentEvent::Deliver, 10, kServer, l, 1, Flags::Syn, 4294967295u, 0, rev));
    trace.record(on(state(10, kServer, s, State::Listen, State::SynReceived, Cause::RcvSyn), rev));
    trace.record(seg(SegmentEvent::Send, 10, kServer, s, 2, Flags::Syn | Flags::Ack, 5000, 0, rev));
    TraceEvent twice = seg(SegmentEvent::Duplicate, 10, kServer, s, 2, Flags::Syn | Flags::Ack, 5000, 0, rev);
    twice.reason = LinkReason::Duplicate;
    trace.record(twice);
    trace.record(seg(SegmentEvent::Deliver, 20, kClient, c, 2, Flags::Syn | Flags::Ack, 5000, 0, conn));
    trace.record(on(state(20, kClient, c, State::SynSent, State::Established, Cause::RcvSynAck), conn));
    trace.record(seg(SegmentEvent::Send, 20, kClient, c, 3, Flags::Ack, 0, 5001, conn));
    TraceEvent hit = seg(SegmentEvent::Send, 20, kClient, c, 3, Flags::Ack, 0, 5001, conn);
    hit.kind = TraceKind::Link;
    hit.link = LinkEvent::Fault;
    hit.fault = fault;
    trace.record(hit);
    trace.record(link_drop(20, kClient, c, 3, Flags::Ack, 0, 5001, conn, LinkReason::Fault));
    trace.record(seg(SegmentEvent::Deliver, 21, kClient, c, 2, Flags::Syn | Flags::Ack, 5000, 0, conn));
    TraceEvent dup = on(decision(21, kClient, c, Cause::Unacceptable), conn);
    dup.segment = 2;
    dup.flags = Flags::Syn | Flags::Ack;
    dup.seq = Seq{5000};
    trace.record(dup);
    trace.record(on(state(1000, kClient, c, State::Established, State::TimeWait, Cause::RcvFin), conn));
    trace.record(on(timer(1000, kClient, c, TimerKind::TimeWait, TimerAction::Set, 61000), conn));
    trace.record(on(timer(61000, kClient, c, TimerKind::TimeWait, TimerAction::Expire), conn));
    TraceEvent over = on(state(61000, kClient, c, State::TimeWait, State::Closed, Cause::TimeWait2Msl), conn);
    over.length = seconds(60);
    trace.record(over);
    trace.finish({RunEnd::Quiescent, ms(61000), 30});
    return trace;
}

}  // namespace tcpsim::test
