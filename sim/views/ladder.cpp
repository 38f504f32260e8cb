#include "tcpsim/views/ladder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "tcpsim/views/explanation.hpp"
#include "tcpsim/views/wire_packet.hpp"

namespace tcpsim {
namespace {

// Seconds with as few decimals (3, 6 or 9) as show the time exactly: "61.020", "0.000250".
std::string compact_seconds(Time t) {
    const std::string s = format_seconds(t);
    if (t.ns % 1'000'000 == 0) return s.substr(0, s.size() - 6);
    if (t.ns % 1'000 == 0) return s.substr(0, s.size() - 3);
    return s;
}

int decimals_for(Time t) {
    if (t.ns % 1'000'000 == 0) return 3;
    if (t.ns % 1'000 == 0) return 6;
    return 9;
}

std::string flags_text(Flags f) {
    std::string s = to_string(f);
    return s.empty() ? "NONE" : s;
}

std::string who(const TraceNames& names, std::uint16_t host, SocketRef socket) {
    std::string s(names.host_name(host));
    if (socket.valid()) s += " " + names.socket_label(socket);
    return s;
}

std::string fault_words(const TraceNames& names, std::int32_t fault) {
    const std::string_view d = names.fault(fault);
    return d.empty() ? std::string("a scripted fault") : fmt::format("fault \"{}\"", d);
}

std::string lose_why(const TraceNames& names, const LadderSegment& s) {
    switch (s.reason) {
        case LinkReason::Loss:
            return "The link lost it at random (the link's loss probability).";
        case LinkReason::Fault:
            return fmt::format("The scenario's {} dropped it.", fault_words(names, s.fault));
        case LinkReason::NoRoute:
            return "No link leads to its destination, so nothing carries it.";
        case LinkReason::NatNoMapping:
            return "It reached the NAT's public address, but the NAT has no mapping for that port, so it "
                   "drops it.";
        case LinkReason::NatNoFreePort:
            return "The NAT has no free public port left for a new mapping, so it drops it.";
        case LinkReason::None:
        case LinkReason::Duplicate:
        case LinkReason::Reorder:
            return "It was dropped on the way.";
    }
    return "";
}

std::string arrival_why(const TraceNames& names, const LadderSegment& s, bool copy) {
    if (copy) {
        return s.reason == LinkReason::Fault ? fmt::format("The scenario's {} duplicated it: this is the second copy.",
                                                           fault_words(names, s.fault))
                                             : "The link duplicated it: this is the second copy.";
    }
    if (s.fate != LadderFate::Delayed) return "";
    return s.reason == LinkReason::Fault
               ? fmt::format("The scenario's {} held it {} in the network.", fault_words(names, s.fault),
                             short_duration(s.delay))
               : fmt::format("The link held it {} back (reordering), so later segments can overtake it.",
                             short_duration(s.delay));
}

std::string timer_why(TimerKind k, TimerAction a) {
    switch (a) {
        case TimerAction::Set:
        case TimerAction::Cancel:
            return "";
        case TimerAction::Restart:
            return k == TimerKind::TimeWait ? "A segment arrived in TIME-WAIT and started its timer again." : "";
        case TimerAction::Expire:
            break;
    }
    switch (k) {
        case TimerKind::Retransmit:
            return "No ACK came within the retransmission timeout: the oldest unacknowledged segment is sent "
                   "again and the timeout doubles. [RFC 6298 5.4-5.5]";
        case TimerKind::TimeWait:
            return "TIME-WAIT has lasted its full length.";
        case TimerKind::FinWait2:
            return "The orphaned connection waited tcp_fin_timeout for the peer's FIN.";
        case TimerKind::Keepalive:
            return "The connection was idle for the keepalive time (or a probe went unanswered): a keepalive "
                   "probe goes out. [RFC 1122 4.2.3.6]";
        case TimerKind::Persist:
            return "The peer's window is closed: the persist timer sends a probe to learn whether it has "
                   "opened. [RFC 9293 3.8.6.1]";
    }
    return "";
}

// The calls that start or end something; any call that failed.
bool call_shown(const TraceEvent& e) {
    switch (e.call) {
        case CallKind::Connect:
            return e.error != Errno::Ok;  // started (EINPROGRESS) or failed
        case CallKind::Listen:
        case CallKind::Shutdown:
        case CallKind::Close:
        case CallKind::Abort:
        case CallKind::Reboot:
            return true;
        case CallKind::Bind:
        case CallKind::Accept:
        case CallKind::Send:
        case CallKind::Recv:
        case CallKind::Setsockopt:
        case CallKind::SendSegment:  // its arrow shows it
            return e.error != Errno::Ok && e.error != Errno::Again;
    }
    return false;
}

std::string call_text(CallKind c, Errno error) {
    std::string s = c == CallKind::Reboot ? std::string("reboot") : fmt::format("{}()", to_string(c));
    if (error != Errno::Ok && error != Errno::InProgress) s += fmt::format(" {}", to_string(error));
    return s;
}

bool timer_kept(const LadderTimer& t) { return t.kind == TimerKind::TimeWait || t.end == LadderTimerEnd::Expired; }

std::pair<Endpoint, Endpoint> normal(const FourTuple& t) {
    return t.local < t.remote ? std::pair{t.local, t.remote} : std::pair{t.remote, t.local};
}

}  // namespace

std::string short_duration(Duration d) {
    struct Unit {
        std::int64_t ns;
        std::string_view name;
    };
    constexpr Unit kUnits[] = {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}};
    for (const Unit& u : kUnits) {
        if (d.ns < u.ns && u.ns != 1'000) continue;
        if (d.ns < u.ns) break;
        // Up to three decimals, trailing zeros dropped: "1.5s", "59.99s".
        std::string s = fmt::format("{}.{:03}", d.ns / u.ns, (d.ns % u.ns) * 1000 / u.ns);
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
        return s + std::string(u.name);
    }
    return fmt::format("{}ns", d.ns);
}

std::string_view timer_name(TimerKind k) {
    switch (k) {
        case TimerKind::Retransmit:
            return "RTO";
        case TimerKind::TimeWait:
            return "TIME_WAIT";
        case TimerKind::FinWait2:
            return "FIN_WAIT_2 timeout";
        case TimerKind::Keepalive:
            return "keepalive";
        case TimerKind::Persist:
            return "persist";
    }
    return "";
}

std::string with_commas(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string segment_label(const LadderSegment& s) {
    std::string out = flags_text(s.flags);
    if (s.len == 0)
        fmt::format_to(std::back_inserter(out), " seq {}", s.seq);
    else
        fmt::format_to(std::back_inserter(out), " seq {}:{}({})", s.seq, s.seq + s.len, s.len);
    if (has(s.flags, Flags::Ack)) fmt::format_to(std::back_inserter(out), " ack {}", s.ack);
    if (s.win == 0 && !has(s.flags, Flags::Rst)) out += " win 0";
    if (has(s.flags, Flags::Syn)) {
        // In the order the sender's stack put them on the wire.
        std::vector<std::string> o;
        for (OptionKind kind : option_order(s.options, s.flags).view()) {
            switch (kind) {
                case OptionKind::Mss: o.push_back(fmt::format("mss {}", *s.options.mss)); break;
                case OptionKind::SackPermitted: o.push_back("sackOK"); break;
                case OptionKind::Timestamps: o.push_back(fmt::format("ts {}", s.options.timestamp->val)); break;
                case OptionKind::WindowScale: o.push_back(fmt::format("wscale {}", *s.options.wscale)); break;
            }
        }
        if (!o.empty()) fmt::format_to(std::back_inserter(out), " <{}>", fmt::join(o, ","));
    }
    if (s.retransmission) out += " (retransmission)";
    return out;
}

std::string reason_text(const Ladder& ladder, const LadderSegment& s) {
    return s.reason == LinkReason::Fault ? fmt::format("fault: {}", ladder.names.fault(s.fault))
                                         : std::string(to_string(s.reason));
}

std::string fate_text(const Ladder& ladder, const LadderSegment& s) {
    const auto reason = [&] { return reason_text(ladder, s); };
    if (s.fate == LadderFate::Dropped) {
        const std::string at = s.lost_at == s.sent ? "" : " at " + ladder.time_text(s.lost_at);
        return fmt::format("lost{} ({})", at, reason());
    }
    if (s.arrivals.empty()) return "still in flight at the end";
    std::string out;
    if (s.fate == LadderFate::Delayed) out = fmt::format("held {} ({}), ", short_duration(s.delay), reason());
    out += "arrives " + ladder.time_text(s.arrivals[0].t);
    for (std::size_t i = 1; i < s.arrivals.size(); ++i) out += ", copy " + ladder.time_text(s.arrivals[i].t);
    if (s.fate == LadderFate::Duplicated) out += fmt::format(" ({})", reason());
    return out;
}

std::string state_label(const Ladder& ladder, const LadderState& s) {
    std::string out = ladder.state_owner(s.host, s.socket);
    if (!out.empty()) out += ' ';
    out += to_string(s.to);
    if (s.error != Errno::Ok) fmt::format_to(std::back_inserter(out), " {}", to_string(s.error));
    return out;
}

std::string call_label(const LadderCall& c) { return call_text(c.call, c.error); }

std::string_view decision_label(const LadderDecision& d) { return describe(d.cause).event; }

std::string timer_note(const Ladder& ladder, const LadderTimer& t, std::size_t step) {
    const std::string_view name = timer_name(t.kind);
    if (step == t.step)
        return fmt::format("{} {} until {}", name, short_duration(t.expires - t.start), ladder.time_text(t.expires));
    for (const LadderRestart& r : t.restarts)
        if (step == r.step)
            return fmt::format("{} restarted: {} until {}", name, short_duration(r.expires - r.t),
                               ladder.time_text(r.expires));
    if (step == t.end_step && t.end == LadderTimerEnd::Expired && t.kind != TimerKind::TimeWait)
        return fmt::format("{} {} expired", name, short_duration(t.length()));
    return "";
}

std::optional<std::size_t> Ladder::column(std::uint16_t host) const {
    for (std::size_t i = 0; i < hosts.size(); ++i)
        if (hosts[i].index == host) return i;
    return std::nullopt;
}

std::string Ladder::state_owner(std::uint16_t host, SocketRef socket) const {
    const auto c = column(host);
    return c && hosts[*c].label_sockets && socket.valid() ? names.socket_label(socket) : "";
}

std::string Ladder::time_text(Time t) const {
    const std::string s = format_seconds(t);
    return s.substr(0, s.size() - static_cast<std::size_t>(9 - decimals));
}

Duration Ladder::typical_delay() const {
    std::vector<std::int64_t> d;
    for (const LadderSegment& s : segments)
        if (!s.arrivals.empty() && s.fate != LadderFate::Delayed) d.push_back((s.arrivals[0].t - s.sent).ns);
    if (d.empty()) return milliseconds(10);
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
    // Loopback segments arrive at once: a scale still needs a length.
    return d[d.size() / 2] > 0 ? nanoseconds(d[d.size() / 2]) : milliseconds(1);
}

LadderView::LadderView(LadderOptions options) : options_(std::move(options)), max_steps_(10 * options_.max_segments) {}

void LadderView::on_begin(const TraceNames& names) {
    names_ = &names;
    if (!options_.host.empty()) {
        host_ = names.find_host(options_.host);
        if (!host_) ladder_.filter_problem = fmt::format("--host {}: no host of that name in the run", options_.host);
    }
    if (!options_.socket.empty()) {
        socket_ = names.parse_socket(options_.socket);
        if (!socket_)
            ladder_.filter_problem =
                fmt::format("--socket {}: no socket of that name in the scenario", options_.socket);
    }
}

bool LadderView::in_window(Time t) const {
    return ladder_.filter_problem.empty() && !(options_.from && t < *options_.from) &&
           !(options_.until && t > *options_.until);
}

bool LadderView::host_matches(std::uint16_t host) const { return !host_ || host == *host_; }

bool LadderView::socket_matches(SocketRef s) const { return !socket_ || socket_->matches(s); }

bool LadderView::tuple_known(const FourTuple& t) const {
    return std::binary_search(tuples_.begin(), tuples_.end(), normal(t));
}

void LadderView::learn_tuple(const TraceEvent& e) {
    const auto key = normal(e.conn);
    const auto at = std::lower_bound(tuples_.begin(), tuples_.end(), key);
    if (at != tuples_.end() && *at == key) return;
    tuples_.insert(at, key);
    promote_matching();
}

bool LadderView::room_for_segment() {
    ++ladder_.total_segments;
    if (ladder_.segments.size() < options_.max_segments) return true;
    cut_ = true;
    return false;
}

bool LadderView::room_for_step(std::size_t n) {
    total_steps_ += n;
    if (cut_) return false;
    if (ladder_.steps.size() + n <= max_steps_) return true;
    cut_ = true;
    cut_by_steps_ = true;
    return false;
}

LadderStep LadderView::step_of(const TraceEvent& e, LadderStepKind kind, std::string text, std::string why) const {
    LadderStep s;
    s.kind = kind;
    s.t = e.t;
    s.event = ordinal_;
    s.host = e.host;
    s.socket = e.socket;
    s.text = std::move(text);
    s.why = std::move(why);
    return s;
}

void LadderView::on_event(const TraceEvent& e) {
    if (!cut_) relative_.learn(e);
    if (!pending_.empty()) forget_resolved(e.t);
    if (!cut_ && socket_ && e.has_conn && socket_->matches(e.socket)) learn_tuple(e);
    switch (e.kind) {
        case TraceKind::Segment:
            if (e.segment_event == SegmentEvent::Send)
                on_send(e);
            else
                on_fate(e);
            break;
        case TraceKind::Link:
            on_link(e);
            break;
        case TraceKind::Decision:
            on_decision(e);
            break;
        case TraceKind::State:
            on_state(e);
            break;
        case TraceKind::Timer:
            on_timer(e);
            break;
        case TraceKind::Call:
            on_call(e);
            break;
        case TraceKind::Counter:
            break;
    }
    ++ordinal_;
}

void LadderView::on_send(const TraceEvent& e) {
    if (!ladder_.filter_problem.empty() || (options_.until && e.t > *options_.until)) return;
    LadderSegment s;
    s.id = e.segment;
    s.step = ordinal_;
    s.from = e.host;
    s.socket = e.socket;
    s.to = names_->host_at(e.conn.remote.ip);
    s.conn = e.conn;
    s.sent = e.t;
    s.flags = e.flags;
    const RelativeSeq::Numbers n = relative_.of(e);
    s.seq = n.seq;
    s.ack = n.ack;
    s.len = e.len;
    s.win = e.win;
    s.options = e.options;
    s.raw_seq = e.seq.v;
    const auto space = static_cast<std::uint8_t>(s.flags & (Flags::Syn | Flags::Fin));
    s.retransmission =
        (s.len > 0 || space != 0) && carried_.count({s.conn.local, s.conn.remote, s.raw_seq, s.len, space});
    Pending p;
    p.host_ok = host_matches(e.host) || (s.to && host_matches(*s.to));
    p.socket_ok = socket_matches(e.socket) || tuple_known(e.conn);
    p.window_ok = in_window(e.t);
    if (cut_) {
        if (p.host_ok && p.socket_ok && p.window_ok) {
            ++ladder_.total_segments;
            ++total_steps_;
        }
        return;
    }
    const std::string to = s.to ? std::string(names_->host_name(*s.to)) : to_string(e.conn.remote);
    p.steps.push_back(step_of(e, LadderStepKind::Send,
                              fmt::format("{} sends {} to {}", who(*names_, e.host, e.socket), segment_label(s), to)));
    p.segment = std::move(s);
    if (p.host_ok && p.socket_ok && p.window_ok) {
        keep(std::move(p));
    } else if (p.host_ok || !p.segment.to) {
        // The host it reaches through a NAT, the socket that takes it, or an arrival in
        // the window, is learnt later.
        pending_.push_back(std::move(p));
    }
}

void LadderView::keep(Pending&& p) {
    if (!room_for_segment() || !room_for_step(p.steps.size() + p.decisions.size())) return;
    const std::size_t index = ladder_.segments.size();
    kept_[p.segment.id] = index;
    const LadderSegment& s = p.segment;
    if (const auto space = static_cast<std::uint8_t>(s.flags & (Flags::Syn | Flags::Fin)); s.len > 0 || space != 0)
        carried_.emplace(s.conn.local, s.conn.remote, s.raw_seq, s.len, space);
    for (auto& [d, step] : p.decisions) {
        d.segment = index;
        p.segment.decisions.push_back(ladder_.decisions.size());
        ladder_.decisions.push_back(d);
        ladder_.steps.push_back(std::move(step));
    }
    ladder_.segments.push_back(std::move(p.segment));
    for (LadderStep& step : p.steps) ladder_.steps.push_back(std::move(step));
}

void LadderView::add_fate(LadderSegment& s, std::vector<LadderStep>& steps, const TraceEvent& e) {
    const std::string label = segment_label(s);
    switch (e.segment_event) {
        case SegmentEvent::Send:
            return;
        case SegmentEvent::Deliver: {
            const bool copy = !s.arrivals.empty();
            s.arrivals.push_back({e.t, ordinal_, e.socket});
            if (!copy) s.to = e.host;
            if (s.fate == LadderFate::InFlight) s.fate = LadderFate::Delivered;
            steps.push_back(step_of(
                e, LadderStepKind::Arrive,
                fmt::format("{} receives {}{} from {} (sent at {})", who(*names_, e.host, e.socket),
                            copy ? "a second copy of " : "", label, names_->host_name(s.from), compact_seconds(s.sent)),
                arrival_why(*names_, s, copy)));
            return;
        }
        case SegmentEvent::Drop: {
            s.reason = e.reason;
            s.lost_at = e.t;
            s.lost_step = ordinal_;
            if (s.arrivals.empty()) {
                s.fate = LadderFate::Dropped;
                s.to = names_->host_at(e.conn.remote.ip);
            }
            LadderStep step =
                step_of(e, LadderStepKind::Lose, fmt::format("{} from {} is lost", label, names_->host_name(s.from)),
                        lose_why(*names_, s));
            step.host = s.from;
            steps.push_back(std::move(step));
            return;
        }
        case SegmentEvent::Duplicate:
            s.fate = LadderFate::Duplicated;
            s.reason = e.reason;
            return;
        case SegmentEvent::Delay:
            if (s.fate != LadderFate::Duplicated) s.fate = LadderFate::Delayed;
            s.reason = e.reason;
            s.delay = e.delay;
            return;
    }
}

void LadderView::on_fate(const TraceEvent& e) {
    if (e.segment == 0) return;
    if (auto it = kept_.find(e.segment); it != kept_.end()) {
        add_fate(ladder_.segments[it->second], ladder_.steps, e);
        return;
    }
    auto p =
        std::find_if(pending_.begin(), pending_.end(), [&](const Pending& q) { return q.segment.id == e.segment; });
    if (p == pending_.end()) return;
    add_fate(p->segment, p->steps, e);
    const bool ends = e.segment_event == SegmentEvent::Deliver || e.segment_event == SegmentEvent::Drop;
    if (ends) p->window_ok = p->window_ok || in_window(e.t);
    if (e.segment_event == SegmentEvent::Deliver) {
        p->delivered = e.conn;
        p->host_ok = p->host_ok || host_matches(e.host);
        p->socket_ok = p->socket_ok || socket_matches(e.socket) || tuple_known(e.conn);
    }
    if (ends) {
        if (p->host_ok && p->socket_ok && p->window_ok) {
            Pending q = std::move(*p);
            pending_.erase(p);
            keep(std::move(q));
            return;
        }
        p->resolved = e.t;
    }
}

void LadderView::promote_matching() {
    for (auto p = pending_.begin(); p != pending_.end();) {
        const bool matches = tuple_known(p->segment.conn) || (p->delivered && tuple_known(*p->delivered));
        if (!matches || !p->host_ok || !p->window_ok) {
            ++p;
            continue;
        }
        Pending q = std::move(*p);
        p = pending_.erase(p);
        keep(std::move(q));
    }
}

void LadderView::forget_resolved(Time now) {
    std::erase_if(pending_, [now](const Pending& p) { return p.resolved && *p.resolved < now; });
}

void LadderView::on_link(const TraceEvent& e) {
    LadderSegment* s = nullptr;
    if (auto it = kept_.find(e.segment); it != kept_.end()) {
        s = &ladder_.segments[it->second];
    } else {
        auto p =
            std::find_if(pending_.begin(), pending_.end(), [&](const Pending& q) { return q.segment.id == e.segment; });
        if (p != pending_.end()) s = &p->segment;
    }
    if (!s) return;
    switch (e.link) {
        case LinkEvent::Fault:
            s->fault = e.fault;
            break;
        case LinkEvent::NatMapping:
            s->nat.push_back(names_->nat_mapping(e));
            break;
    }
}

void LadderView::on_decision(const TraceEvent& e) {
    LadderDecision d{ordinal_, e.t, e.host, e.socket, e.cause, std::nullopt};
    LadderStep step =
        step_of(e, LadderStepKind::Decision,
                fmt::format("{}: {}", who(*names_, e.host, e.socket), describe(e.cause).event), explain(e));
    if (e.segment != 0) {
        // Decisions about a segment go with its arrow, whatever the filters say of the receiver.
        if (auto it = kept_.find(e.segment); it != kept_.end()) {
            d.segment = it->second;
            ladder_.segments[it->second].decisions.push_back(ladder_.decisions.size());
            ladder_.decisions.push_back(d);
            ladder_.steps.push_back(std::move(step));
            return;
        }
        auto p =
            std::find_if(pending_.begin(), pending_.end(), [&](const Pending& q) { return q.segment.id == e.segment; });
        if (p != pending_.end()) {
            p->decisions.emplace_back(d, std::move(step));
            return;
        }
    }
    if (!in_window(e.t) || !host_matches(e.host) || !socket_matches(e.socket) || !room_for_step()) return;
    ladder_.decisions.push_back(d);
    ladder_.steps.push_back(std::move(step));
}

void LadderView::on_state(const TraceEvent& e) {
    if (!in_window(e.t) || !host_matches(e.host) || !socket_matches(e.socket) || !room_for_step()) return;
    ladder_.states.push_back({ordinal_, e.t, e.host, e.socket, e.from, e.to, e.cause, e.error});
    std::string text = fmt::format("{}: {} -> {}", who(*names_, e.host, e.socket), to_string(e.from), to_string(e.to));
    if (const std::string_view c = describe(e.cause).event; !c.empty()) text += fmt::format(" ({})", c);
    if (e.error != Errno::Ok) text += fmt::format(" {}", to_string(e.error));
    ladder_.steps.push_back(step_of(e, LadderStepKind::State, std::move(text), explain(e)));
}

void LadderView::on_timer(const TraceEvent& e) {
    if (!in_window(e.t) || !host_matches(e.host) || !socket_matches(e.socket)) return;
    if (cut_) {
        if (e.timer == TimerKind::TimeWait || e.action == TimerAction::Expire) ++total_steps_;
        return;
    }
    const TimerKey key{e.host, e.socket.name, e.socket.instance, e.timer};
    const std::string owner = who(*names_, e.host, e.socket);
    const std::string_view name = timer_name(e.timer);
    auto it = running_.find(key);
    std::string text;
    switch (e.action) {
        case TimerAction::Set:
        case TimerAction::Restart: {
            const bool restart = e.action == TimerAction::Restart && it != running_.end();
            text =
                fmt::format("{}: {} {} {}, until {}", owner, name,
                            e.action == TimerAction::Restart ? "restarted:" : "set:", short_duration(e.expires - e.t),
                            compact_seconds(e.expires));
            LadderStep step = step_of(e, LadderStepKind::Timer, std::move(text), timer_why(e.timer, e.action));
            if (restart) {
                it->second.timer.restarts.push_back({e.t, e.expires, ordinal_});
                it->second.steps.push_back(std::move(step));
                return;
            }
            // A set over a running timer ends the old run.
            if (it != running_.end()) running_.erase(it);
            RunningTimer r;
            r.timer.host = e.host;
            r.timer.socket = e.socket;
            r.timer.kind = e.timer;
            r.timer.start = e.t;
            r.timer.expires = e.expires;
            r.timer.step = ordinal_;
            r.steps.push_back(std::move(step));
            running_.emplace(key, std::move(r));
            return;
        }
        case TimerAction::Cancel:
        case TimerAction::Expire:
            break;
    }
    if (it == running_.end()) return;
    LadderTimer& t = it->second.timer;
    t.end = e.action == TimerAction::Expire ? LadderTimerEnd::Expired : LadderTimerEnd::Cancelled;
    t.ended = e.t;
    t.end_step = ordinal_;
    if (timer_kept(t)) {
        text = e.action == TimerAction::Expire
                   ? fmt::format("{}: {} {} expired", owner, name, short_duration(t.length()))
                   : fmt::format("{}: {} cancelled after {}", owner, name, short_duration(e.t - t.start));
        it->second.steps.push_back(step_of(e, LadderStepKind::Timer, std::move(text), timer_why(e.timer, e.action)));
        keep_timer(std::move(it->second), false);
    }
    running_.erase(it);
}

void LadderView::keep_timer(RunningTimer&& r, bool settled) {
    if (!settled && !room_for_step(r.steps.size())) return;
    for (LadderStep& s : r.steps) ladder_.steps.push_back(std::move(s));
    ladder_.timers.push_back(std::move(r.timer));
}

void LadderView::on_call(const TraceEvent& e) {
    if (!call_shown(e) || !in_window(e.t) || !host_matches(e.host) || !socket_matches(e.socket) || !room_for_step())
        return;
    ladder_.calls.push_back({ordinal_, e.t, e.host, e.socket, e.call, e.error});
    ladder_.steps.push_back(step_of(e, LadderStepKind::Call,
                                    fmt::format("{}: {}", who(*names_, e.host, e.socket), call_text(e.call, e.error))));
}

void LadderView::on_finish(const TraceSummary& summary) {
    Time end = summary.end_time;
    if (options_.until && *options_.until < end) end = *options_.until;
    // A TIME_WAIT still running is drawn to the end of the picture.
    for (auto& [key, r] : running_) {
        if (r.timer.kind != TimerKind::TimeWait) continue;
        r.timer.end = LadderTimerEnd::Running;
        keep_timer(std::move(r), true);
    }
    running_.clear();
    pending_.clear();
    number_steps();
    Ladder& l = ladder_;
    if (cut_ && !l.steps.empty()) end = l.steps.back().t;
    for (const LadderStep& s : l.steps) end = std::max(end, s.t);
    l.end = end;
    for (LadderTimer& t : l.timers)
        if (t.end == LadderTimerEnd::Running) t.ended = end;

    // The columns: every host something kept touches, in the scenario's order.
    std::vector<bool> used(names_->hosts.size(), false);
    const auto use = [&](std::uint16_t h) {
        if (h < used.size()) used[h] = true;
    };
    for (const LadderSegment& s : l.segments) {
        use(s.from);
        if (s.to) use(*s.to);
    }
    for (const LadderStep& s : l.steps) use(s.host);
    std::vector<std::vector<SocketRef>> connections(used.size());
    for (const LadderState& s : l.states) {
        const bool connection =
            !(s.from == State::Closed || s.from == State::Listen) || !(s.to == State::Closed || s.to == State::Listen);
        auto& seen = connections[s.host];
        if (connection && std::find(seen.begin(), seen.end(), s.socket) == seen.end()) seen.push_back(s.socket);
    }
    for (std::size_t h = 0; h < used.size(); ++h) {
        if (!used[h]) continue;
        const TraceHost& th = names_->hosts[h];
        l.hosts.push_back({static_cast<std::uint16_t>(h), th.name, th.ip, th.profile, connections[h].size() > 1});
    }

    int decimals = decimals_for(l.end);
    for (const LadderStep& s : l.steps) decimals = std::max(decimals, decimals_for(s.t));
    for (const LadderTimer& t : l.timers) {
        decimals = std::max(decimals, decimals_for(t.expires));
        for (const LadderRestart& r : t.restarts) decimals = std::max(decimals, decimals_for(r.expires));
    }
    l.decimals = decimals;
    l.names = *names_;

    if (cut_) {
        l.capped =
            cut_by_steps_
                ? fmt::format("ladder: {} steps, showing the first {}; narrow it with --socket/--from/--until",
                              with_commas(total_steps_), with_commas(max_steps_))
                : fmt::format("ladder: {} segments, showing the first {}; narrow it with --socket/--from/--until",
                              with_commas(l.total_segments), with_commas(options_.max_segments));
    }
}

void LadderView::number_steps() {
    Ladder& l = ladder_;
    // Segments (and decisions) that waited on a filter were kept late: put them back in
    // trace order, then give every item its step's index.
    const auto by_step = [](const auto& a, const auto& b) { return a.step < b.step; };
    std::vector<std::size_t> seg_order(l.segments.size());
    for (std::size_t i = 0; i < seg_order.size(); ++i) seg_order[i] = i;
    std::stable_sort(seg_order.begin(), seg_order.end(),
                     [&](std::size_t a, std::size_t b) { return l.segments[a].step < l.segments[b].step; });
    std::vector<std::size_t> seg_new(seg_order.size());
    for (std::size_t i = 0; i < seg_order.size(); ++i) seg_new[seg_order[i]] = i;
    std::vector<std::size_t> dec_order(l.decisions.size());
    for (std::size_t i = 0; i < dec_order.size(); ++i) dec_order[i] = i;
    std::stable_sort(dec_order.begin(), dec_order.end(),
                     [&](std::size_t a, std::size_t b) { return l.decisions[a].step < l.decisions[b].step; });
    std::vector<std::size_t> dec_new(dec_order.size());
    for (std::size_t i = 0; i < dec_order.size(); ++i) dec_new[dec_order[i]] = i;

    std::vector<LadderSegment> segments;
    segments.reserve(l.segments.size());
    for (std::size_t i : seg_order) segments.push_back(std::move(l.segments[i]));
    for (LadderSegment& s : segments)
        for (std::size_t& d : s.decisions) d = dec_new[d];
    std::vector<LadderDecision> decisions;
    decisions.reserve(l.decisions.size());
    for (std::size_t i : dec_order) decisions.push_back(l.decisions[i]);
    for (LadderDecision& d : decisions)
        if (d.segment) d.segment = seg_new[*d.segment];
    l.segments = std::move(segments);
    l.decisions = std::move(decisions);
    std::stable_sort(l.timers.begin(), l.timers.end(), by_step);
    std::stable_sort(l.steps.begin(), l.steps.end(),
                     [](const LadderStep& a, const LadderStep& b) { return a.event < b.event; });

    // Each event gives at most one step, so its ordinal finds it.
    const auto index_of = [&](std::size_t ordinal, std::size_t item) {
        if (ordinal == kNoStep) return kNoStep;
        const auto it = std::lower_bound(l.steps.begin(), l.steps.end(), ordinal,
                                         [](const LadderStep& s, std::size_t o) { return s.event < o; });
        if (it == l.steps.end() || it->event != ordinal) return kNoStep;
        it->item = item;
        return static_cast<std::size_t>(it - l.steps.begin());
    };
    for (std::size_t i = 0; i < l.segments.size(); ++i) {
        LadderSegment& s = l.segments[i];
        s.step = index_of(s.step, i);
        for (LadderArrival& a : s.arrivals) a.step = index_of(a.step, i);
        s.lost_step = index_of(s.lost_step, i);
    }
    for (std::size_t i = 0; i < l.states.size(); ++i) l.states[i].step = index_of(l.states[i].step, i);
    for (std::size_t i = 0; i < l.decisions.size(); ++i) l.decisions[i].step = index_of(l.decisions[i].step, i);
    for (std::size_t i = 0; i < l.calls.size(); ++i) l.calls[i].step = index_of(l.calls[i].step, i);
    for (std::size_t i = 0; i < l.timers.size(); ++i) {
        LadderTimer& t = l.timers[i];
        t.step = index_of(t.step, i);
        for (LadderRestart& r : t.restarts) r.step = index_of(r.step, i);
        t.end_step = index_of(t.end_step, i);
    }
}

}  // namespace tcpsim
