// One sentence for a student on why each thing happened: a state change or a decision,
// with the rule behind it. The words are tcpsim's own.
//
//   explanation(Cause::TwAssassinated) ==
//     "An RST with exactly the expected sequence number ends TIME-WAIT early: ..."
//   explain(event)  // the sentence with the event's own numbers, then "[RFC 9293 3.10.8]"
#pragma once

#include <string>
#include <string_view>

#include "tcpsim/trace/event.hpp"

namespace tcpsim {

// The sentence for a cause ("" for Cause::None).
std::string_view explanation(Cause cause);

// For a State or Decision event: the sentence, completed with what the event knows (how
// long a TIME-WAIT lasted, what held the ports), and the rule in brackets.
std::string explain(const TraceEvent& e);

}  // namespace tcpsim
