// The ladder (sequence) diagram's model: what a picture of the run needs, kept as the run
// streams by, and nothing else. A column per host; per segment (paired by its id) who sent
// it, who got it, when, and what happened to it on the way; per host its state changes,
// the timers worth drawing, its decisions and the socket calls that start and end things.
// The text (ladder_text.hpp) and SVG (ladder_svg.hpp) renderers draw it; an HTML report
// walks `steps` one by one.
//
//   LadderView view(options);
//   stream.add(view);
//   World(scenario, stream).run();
//   const Ladder& ladder = view.ladder();       // complete after on_finish
//   for (const LadderStep& s : ladder.steps) ...  // in trace order; s.item indexes its kind
//
// It keeps the whole run, so it caps itself: at most `max_segments` segments and
// 10 x max_segments steps. Past the cap it keeps only what happens to segments it already
// holds (their arrivals and losses), and `capped` says what was left out.
//
// Strings in the model are raw (host and socket names, fault descriptions come from the
// scenario): escape them where they are written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "tcpsim/trace/sink.hpp"
#include "tcpsim/views/relative_seq.hpp"

namespace tcpsim {

inline constexpr std::size_t kNoStep = std::numeric_limits<std::size_t>::max();

struct LadderOptions {
    std::size_t max_segments = 2000;
    // The timeline's filters: the arrows touching a host, the segments and events of one
    // socket ("s", "s.2", "s.*") and its connection, and a window of times (a segment
    // sent before `from` is kept when it arrives or is lost inside the window).
    std::string host;
    std::string socket;
    std::optional<Time> from;
    std::optional<Time> until;
};

// One thing the picture shows, in trace order: what a step-through walks.
enum class LadderStepKind : std::uint8_t { Send, Arrive, Lose, State, Timer, Decision, Call };

struct LadderStep {
    LadderStepKind kind = LadderStepKind::Send;
    Time t;
    std::uint64_t event = 0;  // the trace event's ordinal in the run (0: the first)
    std::uint16_t host = 0;   // where it happens (a loss: at the sender)
    SocketRef socket;
    std::size_t item = 0;  // index into segments (Send, Arrive, Lose), states, timers, decisions or calls
    std::string text;      // one line: "client sends FIN|ACK seq 1 ack 1 to server"
    std::string why;       // why it happened, a sentence with its rule; "" when the text says it all
};

// What became of a segment. A duplicated or delayed one is also delivered.
enum class LadderFate : std::uint8_t { Delivered, Duplicated, Delayed, Dropped, InFlight };

struct LadderArrival {
    Time t;
    std::size_t step = kNoStep;
    SocketRef socket;  // the receiving socket ("-" when no socket took it)
};

struct LadderSegment {
    std::uint64_t id = 0;
    std::size_t step = kNoStep;  // its Send
    std::uint16_t from = 0;      // sending host
    SocketRef socket;            // sending socket
    // The receiving host: where it arrived or, for a loss, the host owning its
    // destination address; none when no host does (no route, a NAT with no mapping).
    std::optional<std::uint16_t> to;
    FourTuple conn;  // source, destination, as sent
    Time sent;
    std::vector<LadderArrival> arrivals;  // a duplicated segment arrives twice; the second is the copy
    LadderFate fate = LadderFate::InFlight;
    LinkReason reason = LinkReason::None;  // why it was dropped, duplicated or delayed
    std::int32_t fault = -1;               // the scripted fault that hit it (index into names.faults)
    Duration delay;                        // Delayed: how much later than the link's own delay
    Time lost_at;                          // Dropped
    std::size_t lost_step = kNoStep;
    Flags flags = Flags::None;
    std::uint32_t seq = 0;  // relative (views/relative_seq.hpp)
    std::uint32_t ack = 0;
    std::uint32_t len = 0;
    std::uint16_t win = 0;
    SegmentOptions options;
    std::uint32_t raw_seq = 0;  // absolute
    // It carries sequence space (data, SYN or FIN) an earlier kept segment of its
    // connection already carried: the same bytes sent again.
    bool retransmission = false;
    std::vector<std::string> nat;        // mappings a NAT made for it: "nat nat: 10.0.0.1:40000 -> ..."
    std::vector<std::size_t> decisions;  // indexes into Ladder::decisions: what its receiver decided
};

struct LadderState {
    std::size_t step = kNoStep;
    Time t;
    std::uint16_t host = 0;
    SocketRef socket;
    State from = State::Closed;
    State to = State::Closed;
    Cause cause = Cause::None;
    Errno error = Errno::Ok;
};

enum class LadderTimerEnd : std::uint8_t { Expired, Cancelled, Running };

struct LadderRestart {
    Time t;
    Time expires;
    std::size_t step = kNoStep;
};

// One run of a timer, from its set to its expiry or cancel. Kept: every TIME_WAIT timer
// (a bar the length of the state), and any other timer that expired (a retransmission,
// a keepalive probe, the orphan FIN_WAIT_2 timeout, a window probe follows it).
struct LadderTimer {
    std::uint16_t host = 0;
    SocketRef socket;
    TimerKind kind = TimerKind::Retransmit;
    Time start;
    Time expires;  // as first set
    std::size_t step = kNoStep;
    std::vector<LadderRestart> restarts;
    LadderTimerEnd end = LadderTimerEnd::Running;
    Time ended;  // Expired, Cancelled; Running: the end of the picture
    std::size_t end_step = kNoStep;

    // From the last (re)start, and how long it was set for from there.
    Time last_start() const { return restarts.empty() ? start : restarts.back().t; }
    Duration length() const { return (restarts.empty() ? expires : restarts.back().expires) - last_start(); }
};

struct LadderDecision {
    std::size_t step = kNoStep;
    Time t;
    std::uint16_t host = 0;
    SocketRef socket;
    Cause cause = Cause::None;
    std::optional<std::size_t> segment;  // index into Ladder::segments of the segment it is about
};

// Socket calls that start or end something (connect, listen, shutdown, close, abort,
// reboot) and every call that failed.
struct LadderCall {
    std::size_t step = kNoStep;
    Time t;
    std::uint16_t host = 0;
    SocketRef socket;
    CallKind call = CallKind::Connect;
    Errno error = Errno::Ok;
};

struct LadderHost {
    std::uint16_t index = 0;  // into names.hosts
    std::string name;
    Ipv4 ip;
    std::string profile;
    // More than one connection shows on this host: its state labels name the socket.
    bool label_sockets = false;
};

struct Ladder {
    std::vector<LadderHost> hosts;  // the columns, left to right, in the scenario's order
    std::vector<LadderStep> steps;
    std::vector<LadderSegment> segments;  // in send order
    std::vector<LadderState> states;
    std::vector<LadderTimer> timers;  // by start
    std::vector<LadderDecision> decisions;
    std::vector<LadderCall> calls;
    TraceNames names;                  // a copy: socket labels and fault descriptions
    Time end;                          // where the picture ends: the run's end, the cut or --until
    std::uint64_t total_segments = 0;  // every segment the filters keep, shown or not
    // "ladder: 20,000 segments, showing the first 2,000; narrow it with --socket/--from/--until";
    // "" when nothing was left out.
    std::string capped;
    std::string filter_problem;  // a filter names a host or socket the run does not have
    int decimals = 3;            // digits after the second that show every kept time exactly

    std::optional<std::size_t> column(std::uint16_t host) const;
    // "s", "s.2"; "" when the host's labels need no socket.
    std::string state_owner(std::uint16_t host, SocketRef socket) const;
    // Seconds with `decimals` digits: "61.020".
    std::string time_text(Time t) const;
    // The median delay of the delivered segments (10 ms when none was, 1 ms when they
    // took none): renderers scale time by it.
    Duration typical_delay() const;
    // Quiet stretches longer than this (5 typical delays) are drawn short, with the time
    // that passed written beside them.
    Duration idle_gap() const { return typical_delay() * 5; }
};

// "FIN|ACK seq 1 ack 2", "PSH|ACK seq 1:101(100) ack 1", "SYN seq 0 <mss 1460,ts 100>",
// "win 0" when zero, "(retransmission)" after one.
std::string segment_label(const LadderSegment& s);
// Why the link dropped, duplicated or delayed it: "fault: lose the client's final ACK", "loss",
// "no route", "nat: no mapping", "duplicate", "reorder".
std::string reason_text(const Ladder& ladder, const LadderSegment& s);
// "arrives 0.010", "arrives 2.020, copy 2.030", "held 5s (fault: ...), arrives 5.003",
// "lost (fault: lose the client's final ACK)", "lost at 0.015 (nat: no mapping)",
// "still in flight at the end".
std::string fate_text(const Ladder& ladder, const LadderSegment& s);
// "TIME_WAIT", "s.2 CLOSED ECONNREFUSED" (the socket when the host shows several connections).
std::string state_label(const Ladder& ladder, const LadderState& s);
// "close()", "connect() ECONNREFUSED", "reboot".
std::string call_label(const LadderCall& c);
// "RST ignored (tcp_rfc1337=1)".
std::string_view decision_label(const LadderDecision& d);
// The note for one of a timer's steps: its set ("TIME_WAIT 60s until 61.020", "RTO 1s until
// 2.010"), a restart ("TIME_WAIT restarted: 60s until 62.020"), an expiry other than
// TIME_WAIT's ("RTO 1s expired"); "" for a step that needs none (the state change says it).
std::string timer_note(const Ladder& ladder, const LadderTimer& t, std::size_t step);
// "60s", "1.5s", "220ms", "500us".
std::string short_duration(Duration d);
// "TIME_WAIT", "RTO", "FIN_WAIT_2 timeout", "keepalive", "persist".
std::string_view timer_name(TimerKind k);
// 20000 -> "20,000".
std::string with_commas(std::uint64_t n);

class LadderView final : public TraceView {
  public:
    explicit LadderView(LadderOptions options = {});

    void on_begin(const TraceNames& names) override;
    void on_event(const TraceEvent& e) override;
    void on_finish(const TraceSummary& summary) override;

    const Ladder& ladder() const { return ladder_; }

  private:
    // A segment the filters have not decided on yet: its delivery or its connection may
    // still match (a SYN reaches a listener before the connection it opens has a socket).
    struct Pending {
        LadderSegment segment;
        std::vector<LadderStep> steps;  // its send, arrivals, loss
        std::vector<std::pair<LadderDecision, LadderStep>> decisions;
        bool host_ok = true;
        bool socket_ok = true;
        bool window_ok = true;               // sent in the window, or arrived or lost in it
        std::optional<FourTuple> delivered;  // the connection as its receiver saw it (after a NAT)
        std::optional<Time> resolved;        // its fate is known: forgotten once time moves on
    };
    // A timer's run, with its steps, until it ends (and is kept or not).
    struct RunningTimer {
        LadderTimer timer;
        std::vector<LadderStep> steps;
    };
    using TimerKey = std::tuple<std::uint16_t, std::int32_t, std::uint32_t, TimerKind>;

    bool in_window(Time t) const;
    bool host_matches(std::uint16_t host) const;
    bool socket_matches(SocketRef s) const;
    bool tuple_known(const FourTuple& t) const;
    void learn_tuple(const TraceEvent& e);
    // False once a cap is reached (and counts what it leaves out).
    bool room_for_segment();
    bool room_for_step(std::size_t n = 1);
    LadderStep step_of(const TraceEvent& e, LadderStepKind kind, std::string text, std::string why = {}) const;

    void on_send(const TraceEvent& e);
    void on_fate(const TraceEvent& e);
    void on_link(const TraceEvent& e);
    void on_decision(const TraceEvent& e);
    void on_state(const TraceEvent& e);
    void on_timer(const TraceEvent& e);
    void on_call(const TraceEvent& e);
    void add_fate(LadderSegment& s, std::vector<LadderStep>& steps, const TraceEvent& e);
    void keep(Pending&& p);
    // `settled`: a run that started before any cap, kept whatever the cap says.
    void keep_timer(RunningTimer&& r, bool settled);
    void promote_matching();
    void forget_resolved(Time now);
    void number_steps();

    LadderOptions options_;
    const TraceNames* names_ = nullptr;
    std::optional<std::uint16_t> host_;
    std::optional<TraceNames::SocketPattern> socket_;
    Ladder ladder_;
    std::size_t max_steps_;
    std::uint64_t ordinal_ = 0;      // of the event being handled
    std::uint64_t total_steps_ = 0;  // every step the filters keep, shown or not
    bool cut_ = false;               // a cap was reached: only fates of kept segments from now on
    bool cut_by_steps_ = false;
    RelativeSeq relative_;
    // Until the end, items' `step` fields hold their event's ordinal.
    std::unordered_map<std::uint64_t, std::size_t> kept_;  // segment id -> index (lookup only)
    std::vector<Pending> pending_;                         // few: segments in flight
    std::vector<std::pair<Endpoint, Endpoint>> tuples_;    // connections of the --socket socket(s)
    std::map<TimerKey, RunningTimer> running_;             // timers set and not yet ended
    // What each kept segment carried (source, destination, absolute seq, len, SYN/FIN),
    // to tell a retransmission.
    std::set<std::tuple<Endpoint, Endpoint, std::uint32_t, std::uint32_t, std::uint8_t>> carried_;
};

}  // namespace tcpsim
