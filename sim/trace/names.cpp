#include "tcpsim/trace/names.hpp"

#include <charconv>

namespace tcpsim {

std::string_view TraceNames::host_name(std::uint16_t host) const {
    return host < hosts.size() ? std::string_view(hosts[host].name) : "?";
}

std::optional<std::uint16_t> TraceNames::find_host(std::string_view name) const {
    for (std::size_t i = 0; i < hosts.size(); ++i)
        if (hosts[i].name == name) return static_cast<std::uint16_t>(i);
    return std::nullopt;
}

std::optional<std::uint16_t> TraceNames::host_at(Ipv4 ip) const {
    for (std::size_t i = 0; i < hosts.size(); ++i)
        if (hosts[i].ip == ip) return static_cast<std::uint16_t>(i);
    return std::nullopt;
}

std::optional<std::int32_t> TraceNames::find_socket(std::string_view name) const {
    for (std::size_t i = 0; i < sockets.size(); ++i)
        if (sockets[i] == name) return static_cast<std::int32_t>(i);
    return std::nullopt;
}

std::string TraceNames::socket_label(SocketRef s) const {
    if (s.name < 0 || static_cast<std::size_t>(s.name) >= sockets.size()) return "-";
    const std::string& name = sockets[static_cast<std::size_t>(s.name)];
    return s.instance <= 1 ? name : name + "." + std::to_string(s.instance);
}

std::optional<TraceNames::SocketPattern> TraceNames::parse_socket(std::string_view label) const {
    SocketPattern p;
    std::string_view name = label;
    p.instance = 1;
    if (const auto dot = label.find('.'); dot != std::string_view::npos) {
        name = label.substr(0, dot);
        const std::string_view number = label.substr(dot + 1);
        if (number == "*") {
            p.instance.reset();
        } else {
            std::uint32_t n = 0;
            const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
            if (ec != std::errc{} || end != number.data() + number.size() || n == 0) return std::nullopt;
            p.instance = n;
        }
    }
    const auto index = find_socket(name);
    if (!index) return std::nullopt;
    p.name = *index;
    return p;
}

std::string_view TraceNames::fault(std::int32_t index) const {
    return index >= 0 && static_cast<std::size_t>(index) < faults.size()
               ? std::string_view(faults[static_cast<std::size_t>(index)])
               : "";
}

std::string_view TraceNames::nat(std::uint16_t index) const {
    return index < nats.size() ? std::string_view(nats[index]) : "?";
}

std::string TraceNames::nat_mapping(const TraceEvent& e) const {
    return "nat " + std::string(nat(e.nat)) + ": " + to_string(e.conn.local) + " -> " + to_string(e.mapped) +
           " for " + to_string(e.conn.remote);
}

}  // namespace tcpsim
