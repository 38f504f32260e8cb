// IPv4 addresses, endpoints (address:port) and connection four-tuples.
//
//   Endpoint e{Ipv4::parse("10.0.0.1").value(), 80};
//   to_string(e) == "10.0.0.1:80"
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim {

struct Ipv4 {
    std::uint32_t value = 0;  // host byte order

    auto operator<=>(const Ipv4&) const = default;
    static std::optional<Ipv4> parse(std::string_view dotted);
    bool is_loopback() const { return (value >> 24) == 127; }
};

struct Endpoint {
    Ipv4 ip;
    std::uint16_t port = 0;

    auto operator<=>(const Endpoint&) const = default;
};

// A connection as seen from one host: local first.
struct FourTuple {
    Endpoint local;
    Endpoint remote;

    auto operator<=>(const FourTuple&) const = default;
    FourTuple reversed() const { return {remote, local}; }
};

std::string to_string(Ipv4 ip);
std::string to_string(Endpoint e);
std::string to_string(const FourTuple& t);  // "10.0.0.1:40000-10.0.0.2:80"

struct FourTupleHash {
    std::size_t operator()(const FourTuple& t) const {
        std::uint64_t a = (std::uint64_t{t.local.ip.value} << 32) | t.remote.ip.value;
        std::uint64_t b = (std::uint64_t{t.local.port} << 16) | t.remote.port;
        std::uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ULL;
        return static_cast<std::size_t>(h ^ (h >> 32));
    }
};

}  // namespace tcpsim
