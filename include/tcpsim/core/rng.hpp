// One seeded random source with independent named streams.
//
// Each component draws from its own stream, derived from (seed, stream name), so adding a
// link or a host does not change what another component draws.
//
//   Rng link_rng = Rng::stream(seed, "link:client-server:a");
//   if (link_rng.chance(0.01)) drop();
#pragma once

#include <cstdint>
#include <string_view>

namespace tcpsim {

class Rng {
public:
    static Rng stream(std::uint64_t seed, std::string_view name);

    std::uint64_t next_u64();
    std::uint32_t next_u32() { return static_cast<std::uint32_t>(next_u64() >> 32); }
    // Uniform in [0, 1).
    double uniform();
    // True with probability p; p <= 0 never draws, so a zero probability costs nothing and
    // consumes no randomness.
    bool chance(double p);
    // Uniform integer in [lo, hi].
    std::int64_t between(std::int64_t lo, std::int64_t hi);

private:
    explicit Rng(std::uint64_t state) : state_(state) {}
    std::uint64_t state_;
};

}  // namespace tcpsim
