#include "tcpsim/views/event_filter.hpp"

namespace tcpsim {

void EventFilter::resolve(const TraceNames& names) {
    if (!options_.host.empty()) {
        host_ = names.find_host(options_.host);
        if (!host_) problem_ = "--host " + options_.host + ": no host of that name in the run";
    }
    if (!options_.socket.empty()) {
        socket_ = names.parse_socket(options_.socket);
        if (!socket_)
            problem_ = "--socket " + options_.socket + ": no socket of that name in the scenario";
    }
}

bool EventFilter::keep(const TraceEvent& e) const {
    if (!problem_.empty()) return false;
    if (host_ && e.host != *host_) return false;
    if (socket_ && !socket_->matches(e.socket)) return false;
    if (options_.from && e.t < *options_.from) return false;
    if (options_.until && e.t > *options_.until) return false;
    return true;
}

}  // namespace tcpsim
