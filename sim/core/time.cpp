#include "tcpsim/core/time.hpp"

#include <array>
#include <cstdio>

namespace tcpsim {
namespace {

struct Unit {
    std::string_view name;
    std::int64_t ns;
};

// Longest names first so "ms" is not read as "m" + "s".
constexpr std::array<Unit, 7> kUnits{{{"min", 60'000'000'000},
                                      {"ms", 1'000'000},
                                      {"us", 1'000},
                                      {"ns", 1},
                                      {"s", 1'000'000'000},
                                      {"h", 3'600'000'000'000},
                                      {"m", 60'000'000'000}}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    std::size_t i = 0;
    std::int64_t whole = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        whole = whole * 10 + (text[i] - '0');
        if (whole > 10'000'000'000'000) return std::nullopt;
        digits = true;
        ++i;
    }
    std::int64_t frac = 0;
    std::int64_t frac_scale = 1;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (frac_scale < 1'000'000'000) {
                frac = frac * 10 + (text[i] - '0');
                frac_scale *= 10;
            }
            digits = true;
            ++i;
        }
    }
    if (!digits) return std::nullopt;
    std::string_view unit = text.substr(i);
    for (const auto& u : kUnits) {
        if (unit == u.name) {
            if (whole > INT64_MAX / u.ns) return std::nullopt;
            return Duration{whole * u.ns + frac * u.ns / frac_scale};
        }
    }
    return std::nullopt;
}

std::string format_duration(Duration d) {
    if (d.ns == 0) return "0s";
    constexpr std::array<Unit, 5> kOut{
        {{"min", 60'000'000'000}, {"s", 1'000'000'000}, {"ms", 1'000'000}, {"us", 1'000}, {"ns", 1}}};
    for (const auto& u : kOut) {
        if (d.ns % u.ns == 0) return std::to_string(d.ns / u.ns) + std::string(u.name);
    }
    return std::to_string(d.ns) + "ns";
}

std::string format_seconds(Time t) {
    char buf[48];
    std::int64_t ns = t.ns;
    const char* sign = ns < 0 ? "-" : "";
    if (ns < 0) ns = -ns;
    std::snprintf(buf, sizeof buf, "%s%lld.%09lld", sign, static_cast<long long>(ns / 1'000'000'000),
                  static_cast<long long>(ns % 1'000'000'000));
    return buf;
}

}  // namespace tcpsim
