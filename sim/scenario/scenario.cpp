#include "tcpsim/scenario/scenario.hpp"

namespace tcpsim {

const HostConfig* Scenario::find_host(const std::string& host_name) const {
    for (const auto& h : hosts) {
        if (h.name == host_name) return &h;
    }
    return nullptr;
}

}  // namespace tcpsim
