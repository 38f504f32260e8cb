// 32-bit TCP sequence numbers whose comparisons wrap (RFC 9293 3.4: arithmetic modulo 2^32).
//
//   Seq una{4294967290u};
//   seq_lt(una, una + 10)  // true across the wrap
#pragma once

#include <cstdint>

namespace tcpsim {

struct Seq {
    std::uint32_t v = 0;

    constexpr bool operator==(const Seq&) const = default;
    constexpr Seq operator+(std::uint32_t n) const { return {v + n}; }
    constexpr Seq operator-(std::uint32_t n) const { return {v - n}; }
    // Distance b - a, meaningful when a <= b within 2^31.
    friend constexpr std::uint32_t operator-(Seq b, Seq a) { return b.v - a.v; }
};

constexpr bool seq_lt(Seq a, Seq b) { return static_cast<std::int32_t>(a.v - b.v) < 0; }
constexpr bool seq_le(Seq a, Seq b) { return static_cast<std::int32_t>(a.v - b.v) <= 0; }
constexpr bool seq_gt(Seq a, Seq b) { return seq_lt(b, a); }
constexpr bool seq_ge(Seq a, Seq b) { return seq_le(b, a); }
// a <= x < b
constexpr bool seq_in(Seq x, Seq a, Seq b) { return seq_le(a, x) && seq_lt(x, b); }

}  // namespace tcpsim
