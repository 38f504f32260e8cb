#include "tcpsim/net/tcp_state.hpp"

namespace tcpsim {

std::string_view to_string(State s) {
    switch (s) {
        case State::Closed: return "CLOSED";
        case State::Listen: return "LISTEN";
        case State::SynSent: return "SYN_SENT";
        case State::SynReceived: return "SYN_RECEIVED";
        case State::Established: return "ESTABLISHED";
        case State::FinWait1: return "FIN_WAIT_1";
        case State::FinWait2: return "FIN_WAIT_2";
        case State::CloseWait: return "CLOSE_WAIT";
        case State::Closing: return "CLOSING";
        case State::LastAck: return "LAST_ACK";
        case State::TimeWait: return "TIME_WAIT";
    }
    return "?";
}

std::string_view rfc_name(State s) {
    switch (s) {
        case State::Closed: return "CLOSED";
        case State::Listen: return "LISTEN";
        case State::SynSent: return "SYN-SENT";
        case State::SynReceived: return "SYN-RECEIVED";
        case State::Established: return "ESTABLISHED";
        case State::FinWait1: return "FIN-WAIT-1";
        case State::FinWait2: return "FIN-WAIT-2";
        case State::CloseWait: return "CLOSE-WAIT";
        case State::Closing: return "CLOSING";
        case State::LastAck: return "LAST-ACK";
        case State::TimeWait: return "TIME-WAIT";
    }
    return "?";
}

std::optional<State> parse_state(std::string_view name) {
    for (State s : kAllStates) {
        if (name == to_string(s) || name == rfc_name(s)) return s;
    }
    return std::nullopt;
}

bool is_synchronized(State s) {
    switch (s) {
        case State::Closed:
        case State::Listen:
        case State::SynSent:
        case State::SynReceived:
            return false;
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
        case State::Closing:
        case State::LastAck:
        case State::TimeWait:
            return true;
    }
    return false;
}

}  // namespace tcpsim
