// Simulated time: integer nanoseconds, never floating point.
//
// `Duration` is a span, `Time` a point on the simulated clock (0 = start of run).
//
//   Time t = Time{} + seconds(2);
//   Duration two_msl = 2 * minutes(2);
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim {

struct Duration {
    std::int64_t ns = 0;

    constexpr auto operator<=>(const Duration&) const = default;
    constexpr Duration operator+(Duration o) const { return {ns + o.ns}; }
    constexpr Duration operator-(Duration o) const { return {ns - o.ns}; }
    constexpr Duration& operator+=(Duration o) {
        ns += o.ns;
        return *this;
    }
    constexpr Duration operator*(std::int64_t k) const { return {ns * k}; }
    constexpr Duration operator/(std::int64_t k) const { return {ns / k}; }
};

constexpr Duration operator*(std::int64_t k, Duration d) { return {k * d.ns}; }

constexpr Duration nanoseconds(std::int64_t n) { return {n}; }
constexpr Duration microseconds(std::int64_t n) { return {n * 1'000}; }
constexpr Duration milliseconds(std::int64_t n) { return {n * 1'000'000}; }
constexpr Duration seconds(std::int64_t n) { return {n * 1'000'000'000}; }
constexpr Duration minutes(std::int64_t n) { return {n * 60'000'000'000}; }

struct Time {
    std::int64_t ns = 0;

    constexpr auto operator<=>(const Time&) const = default;
    constexpr Time operator+(Duration d) const { return {ns + d.ns}; }
    constexpr Time operator-(Duration d) const { return {ns - d.ns}; }
    constexpr Duration operator-(Time o) const { return {ns - o.ns}; }
};

// "250us", "10ms", "1.5s", "2min", "0s". A number without a unit, a negative value, an
// unknown unit, a value beyond INT64_MAX ns or a fraction finer than 1 ns gives nullopt:
// the value is exact or refused, never rounded.
std::optional<Duration> parse_duration(std::string_view text);

// Why parse_duration refuses a text.
enum class DurationError : std::uint8_t { Syntax, Negative, TooLong, FinerThanNanosecond };
DurationError duration_error(std::string_view text);

// The shortest exact spelling parse_duration accepts: "2min", "1500ms", "0s".
std::string format_duration(Duration d);

// Seconds with nine decimals, as the timeline prints them: "61.010000000".
std::string format_seconds(Time t);

}  // namespace tcpsim
