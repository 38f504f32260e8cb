// Simulated time: integer nanoseconds, never floating point.
//
// `Duration` is a span, `Time` a point on the simulated clock (0 = start of run).
//
//   Time t = Time{} + seconds(2);
//   Duration two_msl = 2 * minutes(2);
//
// Arithmetic saturates at the ends of int64 instead of wrapping, so an overflowing sum
// means "never" (an event at Time::max() lies beyond every cap and never runs) rather
// than a time in the past.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim {

namespace saturating {

constexpr std::int64_t add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}
constexpr std::int64_t sub(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}
constexpr std::int64_t mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    return r;
}
constexpr std::int64_t div(std::int64_t a, std::int64_t b) {
    return a == INT64_MIN && b == -1 ? INT64_MAX : a / b;
}

}  // namespace saturating

struct Duration {
    std::int64_t ns = 0;

    static constexpr Duration max() { return {INT64_MAX}; }

    constexpr auto operator<=>(const Duration&) const = default;
    constexpr Duration operator+(Duration o) const { return {saturating::add(ns, o.ns)}; }
    constexpr Duration operator-(Duration o) const { return {saturating::sub(ns, o.ns)}; }
    constexpr Duration& operator+=(Duration o) { return *this = *this + o; }
    constexpr Duration operator*(std::int64_t k) const { return {saturating::mul(ns, k)}; }
    constexpr Duration operator/(std::int64_t k) const { return {saturating::div(ns, k)}; }
};

constexpr Duration operator*(std::int64_t k, Duration d) { return d * k; }

constexpr Duration nanoseconds(std::int64_t n) { return {n}; }
constexpr Duration microseconds(std::int64_t n) { return nanoseconds(n) * 1'000; }
constexpr Duration milliseconds(std::int64_t n) { return nanoseconds(n) * 1'000'000; }
constexpr Duration seconds(std::int64_t n) { return nanoseconds(n) * 1'000'000'000; }
constexpr Duration minutes(std::int64_t n) { return nanoseconds(n) * 60'000'000'000; }

struct Time {
    std::int64_t ns = 0;

    static constexpr Time max() { return {INT64_MAX}; }

    constexpr auto operator<=>(const Time&) const = default;
    constexpr Time operator+(Duration d) const { return {saturating::add(ns, d.ns)}; }
    constexpr Time operator-(Duration d) const { return {saturating::sub(ns, d.ns)}; }
    constexpr Duration operator-(Time o) const { return {saturating::sub(ns, o.ns)}; }
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
