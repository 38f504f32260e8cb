// The wires between hosts: point-to-point links, each direction with its own delay,
// jitter, loss, duplication and reordering, plus scripted faults that pick out exact
// segments ("the 2nd ACK from client") and drop, duplicate or delay them.
//
// Each link direction draws from its own RNG stream, so adding a link never changes what
// happens on another.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/core/rng.hpp"
#include "tcpsim/host/host.hpp"
#include "tcpsim/host/segment_port.hpp"
#include "tcpsim/link/link_config.hpp"
#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

class Network final : public SegmentPort {
public:
    Network(Engine& engine, TraceSink& trace, std::uint64_t seed);

    // Hosts are indexed by Host::index(); the network does not own them.
    void add_host(Host& host);
    void add_link(std::uint16_t a, std::uint16_t b, const LinkDirectionConfig& a_to_b,
                  const LinkDirectionConfig& b_to_a);
    void add_fault(const FaultConfig& fault);

    void transmit(std::uint16_t from_host, const Segment& s) override;

private:
    struct Direction {
        LinkDirectionConfig config;
        Rng rng;
    };
    struct FaultState {
        FaultConfig config;
        std::int32_t text = -1;
        std::uint32_t matched = 0;
    };

    const FaultState* fire_fault(std::uint16_t from, const Segment& s);
    void record(SegmentEvent what, std::uint16_t from, const Segment& s, const char* reason,
                Duration delay);
    void schedule_delivery(Host& to, const Segment& s, Duration delay);

    Engine& engine_;
    TraceSink& trace_;
    std::uint64_t seed_;
    std::vector<Host*> hosts_;                     // by index
    std::map<std::uint32_t, Host*> by_ip_;
    std::map<std::pair<std::uint16_t, std::uint16_t>, std::unique_ptr<Direction>> directions_;
    std::vector<FaultState> faults_;
};

}  // namespace tcpsim
