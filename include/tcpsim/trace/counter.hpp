// A host's protocol counters, named as Linux's MIB counters are.
//
//   to_string(Counter::TwRecycled) == "TWRecycled"
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tcpsim {

enum class Counter : std::uint8_t {
    TimeWaitOverflow,  // TCPTimeWaitOverflow: no TIME-WAIT made, tcp_max_tw_buckets reached
    TwRecycled,        // TWRecycled: connect() took over a TIME-WAIT 4-tuple (tw_reuse)
    PawsPassive,       // PAWSPassiveRejected: a SYN dropped by the tw_recycle peer cache
};

inline constexpr std::array<Counter, 3> kAllCounters{Counter::TimeWaitOverflow, Counter::TwRecycled,
                                                     Counter::PawsPassive};

std::string_view to_string(Counter c);
std::optional<Counter> parse_counter(std::string_view name);

}  // namespace tcpsim
