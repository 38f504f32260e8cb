// What a trace's events refer to by index: hosts, NATs, faults and socket names.
//
// The world fills these in as it builds itself (socket names may still be added while it
// runs, as sockets appear); a sink hands views a reference that stays valid for the run.
//
//   names.socket_label({names.find_socket("s").value(), 2}) == "s.2"
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpsim/net/address.hpp"
#include "tcpsim/trace/event.hpp"

namespace tcpsim {

struct TraceHost {
    std::string name;
    Ipv4 ip;
    std::string profile;
};

struct TraceNames {
    std::vector<TraceHost> hosts;
    std::vector<std::string> nats;     // by NAT index
    std::vector<std::string> faults;   // descriptions, by fault index
    std::vector<std::string> sockets;  // socket names, without instance numbers

    std::string_view host_name(std::uint16_t host) const;
    std::optional<std::uint16_t> find_host(std::string_view name) const;
    // The host owning this address, if any.
    std::optional<std::uint16_t> host_at(Ipv4 ip) const;
    std::optional<std::int32_t> find_socket(std::string_view name) const;
    // "s", "s.2"; "-" for no socket.
    std::string socket_label(SocketRef s) const;
    // A label as scenarios write it: "s" is the first connection accepted as s (or the
    // socket named s), "s.2" the second, "s.*" every one.
    struct SocketPattern {
        std::int32_t name = kNoSocket;
        std::optional<std::uint32_t> instance;  // nullopt: any

        bool matches(SocketRef s) const {
            return s.name == name && (!instance || std::max<std::uint32_t>(s.instance, 1) == *instance);
        }
    };
    // nullopt when the name is not known (or the label is malformed).
    std::optional<SocketPattern> parse_socket(std::string_view label) const;
    std::string_view fault(std::int32_t index) const;
    std::string_view nat(std::uint16_t index) const;
    // A NatMapping link event: "nat NAME: 10.0.0.1:40000 -> 198.51.100.1:20000 for 10.0.0.9:80".
    std::string nat_mapping(const TraceEvent& e) const;
};

}  // namespace tcpsim
