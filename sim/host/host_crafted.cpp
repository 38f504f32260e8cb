// Host: the raw socket through which a scenario sends segments it builds itself.
#include "tcpsim/host/host.hpp"

namespace tcpsim {

std::optional<CraftedReference> Host::crafted_reference(std::string_view socket) {
    // "s.2" is the second connection accepted as "s"; "s" is instance 0 (a connecting
    // socket) or 1 (the first accepted), as TraceNames::socket_label prints them.
    SocketRef want{-1, 1};
    const std::size_t dot = socket.rfind('.');
    std::string_view name = socket;
    if (dot != std::string_view::npos && dot + 1 < socket.size() &&
        socket.find_first_not_of("0123456789", dot + 1) == std::string_view::npos) {
        name = socket.substr(0, dot);
        want.instance = static_cast<std::uint32_t>(std::stoul(std::string(socket.substr(dot + 1))));
    }
    want.name = trace_.intern_socket(name);
    const auto is_wanted = [&](SocketRef r) {
        return r.name == want.name && (r.instance == want.instance || (want.instance == 1 && r.instance == 0));
    };
    const Time now = engine_.now();
    const auto tsval = [&](std::uint32_t offset) {
        return offset + static_cast<std::uint32_t>(now.ns / setup_.rules.timestamp_tick.ns);
    };
    // At most one connection or TIME-WAIT entry carries a label, so the search order
    // cannot show.
    for (const auto& [tuple, slot] : connections_) {
        if (!is_wanted(slot->label)) continue;
        const Connection& c = slot->conn;
        CraftedReference r{c.tcb().snd.una, c.tcb().snd.nxt, c.tcb().rcv.nxt, std::nullopt, std::nullopt};
        if (c.timestamps_on()) {
            r.ts_recent = c.ts_recent();
            r.tsval = tsval(c.ts_offset());
        }
        return r;
    }
    std::optional<CraftedReference> found;
    time_wait_.any_of([&](const FourTuple&, const TimeWaitEntry& tw) {
        const TimeWaitRecord& rec = tw.record;
        if (!is_wanted(rec.socket)) return false;
        // TIME-WAIT: everything we sent was acknowledged, so SND.UNA = SND.NXT.
        found = CraftedReference{rec.snd_nxt, rec.snd_nxt, rec.rcv_nxt, std::nullopt, std::nullopt};
        if (rec.ts_on) {
            found->ts_recent = rec.ts_recent;
            found->tsval = tsval(rec.ts_offset);
        }
        return true;
    });
    return found;
}

void Host::send_crafted(Segment seg, bool stack_answers) {
    const FourTuple t{seg.src, seg.dst};
    TraceEvent call = event(TraceKind::Call, {}, &t);
    call.call = CallKind::SendSegment;
    call.error = Errno::Ok;
    trace_.record(call);
    if (!stack_answers) raw_tuples_.insert(t);
    transmit(std::move(seg), {}, t);
}

void Host::record_crafted_unsent(const FourTuple& t) { record_decision(Cause::CraftedReferenceMissing, {}, &t); }

}  // namespace tcpsim
