// Where a host hands its outgoing segments: the network (links, NAT) implements it.
#pragma once

#include <cstdint>

#include "tcpsim/net/segment.hpp"

namespace tcpsim {

class SegmentPort {
public:
    virtual ~SegmentPort() = default;
    virtual void transmit(std::uint16_t from_host, const Segment& s) = 0;
};

}  // namespace tcpsim
