#include "tcpsim/net/segment.hpp"

#include <array>

namespace tcpsim {
namespace {

struct FlagName {
    Flags flag;
    std::string_view name;
};

constexpr std::array<FlagName, 6> kFlagNames{{{Flags::Syn, "SYN"},
                                              {Flags::Fin, "FIN"},
                                              {Flags::Rst, "RST"},
                                              {Flags::Psh, "PSH"},
                                              {Flags::Urg, "URG"},
                                              {Flags::Ack, "ACK"}}};

}  // namespace

std::string to_string(Flags f) {
    std::string out;
    for (const auto& n : kFlagNames) {
        if (has(f, n.flag)) {
            if (!out.empty()) out += '|';
            out += n.name;
        }
    }
    return out;
}

std::optional<Flags> parse_flags(std::string_view text) {
    if (text == "NONE" || text.empty()) return Flags::None;
    Flags out = Flags::None;
    while (!text.empty()) {
        const auto bar = text.find('|');
        const std::string_view part = text.substr(0, bar);
        bool known = false;
        for (const auto& n : kFlagNames) {
            if (part == n.name) {
                out = out | n.flag;
                known = true;
            }
        }
        if (!known) return std::nullopt;
        if (bar == std::string_view::npos) break;
        text.remove_prefix(bar + 1);
    }
    return out;
}

}  // namespace tcpsim
