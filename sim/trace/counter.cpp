#include "tcpsim/trace/counter.hpp"

namespace tcpsim {

std::string_view to_string(Counter c) {
    switch (c) {
        case Counter::TimeWaitOverflow: return "TCPTimeWaitOverflow";
        case Counter::TwRecycled: return "TWRecycled";
        case Counter::PawsPassive: return "PAWSPassiveRejected";
    }
    return "?";
}

std::optional<Counter> parse_counter(std::string_view name) {
    for (Counter c : kAllCounters) {
        if (to_string(c) == name) return c;
    }
    return std::nullopt;
}

}  // namespace tcpsim
