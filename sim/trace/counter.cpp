#include "tcpsim/trace/counter.hpp"

#include <array>

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
    for (Counter c : {Counter::TimeWaitOverflow, Counter::TwRecycled, Counter::PawsPassive}) {
        if (to_string(c) == name) return c;
    }
    return std::nullopt;
}

}  // namespace tcpsim
