#include "tcpsim/core/time.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <numeric>
#include <variant>

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

// The value of `text`, or why it has none. The fraction is exact: "0.123456789h" is
// 123456789 * 3.6e12 / 1e9 ns, which is a whole number, while "0.0001us" is not.
std::variant<Duration, DurationError> read_duration(std::string_view text) {
    if (text.starts_with('-')) return DurationError::Negative;
    std::size_t i = 0;
    std::int64_t whole = 0;
    bool digits = false;
    bool too_long = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        digits = true;
        if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, text[i] - '0', &whole))
            too_long = true;
    }
    std::string_view fraction;
    if (i < text.size() && text[i] == '.') {
        const std::size_t start = ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        fraction = text.substr(start, i - start);
        digits = digits || !fraction.empty();
    }
    if (!digits) return DurationError::Syntax;
    const std::string_view unit = text.substr(i);
    const auto u = std::find_if(kUnits.begin(), kUnits.end(), [&](const Unit& x) { return x.name == unit; });
    if (u == kUnits.end()) return DurationError::Syntax;
    std::int64_t ns = 0;
    if (too_long || __builtin_mul_overflow(whole, u->ns, &ns)) return DurationError::TooLong;
    while (fraction.ends_with('0')) fraction.remove_suffix(1);
    if (fraction.empty()) return Duration{ns};
    // 10^k must divide f * unit; no unit has more than 13 factors of 2 or of 5, and f (not a
    // multiple of 10 now) lacks one of them, so more than 13 digits are always too fine.
    if (fraction.size() > 13) return DurationError::FinerThanNanosecond;
    std::int64_t f = 0;
    std::int64_t scale = 1;
    for (char c : fraction) {
        f = f * 10 + (c - '0');
        scale *= 10;
    }
    const std::int64_t g = std::gcd(u->ns, scale);
    if (f % (scale / g) != 0) return DurationError::FinerThanNanosecond;
    std::int64_t frac_ns = 0;
    if (__builtin_mul_overflow(f / (scale / g), u->ns / g, &frac_ns) ||
        __builtin_add_overflow(ns, frac_ns, &ns))
        return DurationError::TooLong;
    return Duration{ns};
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    auto r = read_duration(text);
    if (const Duration* d = std::get_if<Duration>(&r)) return *d;
    return std::nullopt;
}

DurationError duration_error(std::string_view text) {
    auto r = read_duration(text);
    if (const DurationError* e = std::get_if<DurationError>(&r)) return *e;
    return DurationError::Syntax;  // not an error: callers ask only after parse_duration refused
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
