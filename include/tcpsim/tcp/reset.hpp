// The reply of a host that has no connection for a segment (RFC 9293 3.5.2 group 1,
// 3.10.7.1 CLOSED): a reset built from the offending segment, or nothing for a RST.
#pragma once

#include <optional>

#include "tcpsim/net/segment.hpp"

namespace tcpsim {

std::optional<Segment> reset_for_no_connection(const Segment& incoming);

}  // namespace tcpsim
