// What a connection asks its host to do, in the order it decided it. The connection never
// touches the link, the clock or the host; the host carries these out and records them.
//
//   Actions out;
//   conn.on_segment(seg, now, out);
//   for (const Action& a : out.list) ...
#pragma once

#include <variant>
#include <vector>

#include "tcpsim/core/errno.hpp"
#include "tcpsim/core/time.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/net/tcp_state.hpp"
#include "tcpsim/trace/event.hpp"

namespace tcpsim {

struct Transmit {
    Segment segment;
};

struct Transition {
    State from;
    State to;
    Cause cause;
    Errno error = Errno::Ok;  // reported to the application, if any
};

// A decision about the segment being processed that the other actions do not explain by
// themselves (it was dropped, or answered for this reason).
struct Decision {
    Cause cause;
};

// Set/Restart carry the new expiry; Cancel stops the timer.
struct TimerRequest {
    TimerKind kind;
    TimerAction action;
    Time expires;
};

// Something the application would be woken up for.
enum class Notice : std::uint8_t { Connected, Readable };

struct Notify {
    Notice notice;
};

using Action = std::variant<Transmit, Transition, TimerRequest, Notify, Decision>;

struct Actions {
    std::vector<Action> list;

    void clear() { list.clear(); }
    bool empty() const { return list.empty(); }
};

}  // namespace tcpsim
