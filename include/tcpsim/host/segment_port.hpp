// Where a host hands its outgoing segments: the network (links, NAT) implements it.
#pragma once

#include <cstdint>

#include "tcpsim/net/segment.hpp"
#include "tcpsim/trace/event.hpp"

namespace tcpsim {

class SegmentPort {
public:
    virtual ~SegmentPort() = default;
    // A fresh segment id, unique in the run (never 0).
    virtual std::uint64_t new_segment_id() = 0;
    // `sender` names the sending socket in the trace (drops on the way name it too).
    virtual void transmit(std::uint16_t from_host, const Segment& s, SocketRef sender) = 0;
};

}  // namespace tcpsim
