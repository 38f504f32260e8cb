#include "tcpsim/net/address.hpp"

namespace tcpsim {

std::optional<Ipv4> Ipv4::parse(std::string_view s) {
    std::uint32_t value = 0;
    int parts = 0;
    std::size_t i = 0;
    while (parts < 4) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
        std::uint32_t octet = 0;
        std::size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            octet = octet * 10 + static_cast<std::uint32_t>(s[i] - '0');
            if (++digits > 3 || octet > 255) return std::nullopt;
            ++i;
        }
        value = (value << 8) | octet;
        ++parts;
        if (parts < 4) {
            if (i >= s.size() || s[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != s.size()) return std::nullopt;
    return Ipv4{value};
}

std::string to_string(Ipv4 ip) {
    return std::to_string(ip.value >> 24) + "." + std::to_string((ip.value >> 16) & 255) + "." +
           std::to_string((ip.value >> 8) & 255) + "." + std::to_string(ip.value & 255);
}

std::string to_string(Endpoint e) { return to_string(e.ip) + ":" + std::to_string(e.port); }

std::string to_string(const FourTuple& t) { return to_string(t.local) + "-" + to_string(t.remote); }

}  // namespace tcpsim
