// The eleven connection states of RFC 9293 3.3.2 (CLOSED being fictional).
//
// Printed with underscores as netstat/ss do ("FIN_WAIT_2"); `rfc_name` gives the RFC's
// spelling ("FIN-WAIT-2") for explanations.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tcpsim {

enum class State : std::uint8_t {
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
};

inline constexpr std::array<State, 11> kAllStates{
    State::Closed,   State::Listen,    State::SynSent, State::SynReceived,
    State::Established, State::FinWait1, State::FinWait2, State::CloseWait,
    State::Closing,  State::LastAck,   State::TimeWait};

std::string_view to_string(State s);  // "SYN_RECEIVED"
std::string_view rfc_name(State s);   // "SYN-RECEIVED"
std::optional<State> parse_state(std::string_view name);  // accepts both spellings

// RFC 9293 3.3.2: the states in which both sides' sequence numbers are known.
bool is_synchronized(State s);

}  // namespace tcpsim
