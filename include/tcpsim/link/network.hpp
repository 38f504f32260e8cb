// The wires between hosts: point-to-point links, each direction with its own delay,
// jitter, loss, duplication and reordering, plus scripted faults that pick out exact
// segments ("the 2nd ACK from client") and drop, duplicate or delay them; NAT boxes;
// loopback.
//
// Routing, for a segment a host sends:
//   * to its own address or to 127.0.0.0/8: back to the sender at once (a new engine
//     event at the same time), never lost, never faulted;
//   * else over its link to the node that owns the destination (a host, or a NAT's
//     public address);
//   * else, for a host inside a NAT, over its link to the NAT, which rewrites it (see
//     nat.hpp) and sends it on over its own link to the destination's owner;
//   * else it is dropped ("no route").
// Every hop has its link's delay, jitter, loss, duplication and reordering; faults act
// on the first hop only, so each fires once per segment. Drops anywhere on the way are
// recorded for the host that sent the segment, showing the segment as it was on that
// hop; only the receiving host records a delivery.
//
// Each link direction draws from its own RNG stream, so adding a link never changes what
// happens on another.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/core/rng.hpp"
#include "tcpsim/host/host.hpp"
#include "tcpsim/host/segment_port.hpp"
#include "tcpsim/link/link_config.hpp"
#include "tcpsim/link/nat.hpp"
#include "tcpsim/scenario/scenario.hpp"
#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

// What a link joins: a host (by Host::index()) or a NAT (numbered in add_nat order).
struct NodeId {
    enum class Kind : std::uint8_t { Host, Nat };
    Kind kind = Kind::Host;
    std::uint16_t index = 0;

    auto operator<=>(const NodeId&) const = default;
    static NodeId host(std::uint16_t i) { return {Kind::Host, i}; }
    static NodeId nat(std::uint16_t i) { return {Kind::Nat, i}; }
};

class Network final : public SegmentPort {
  public:
    Network(Engine& engine, TraceSink& trace, std::uint64_t seed);

    // Hosts are indexed by Host::index(); the network does not own them.
    void add_host(Host& host);
    // After the hosts it names as inside.
    NodeId add_nat(const NatConfig& config);
    void add_link(NodeId a, NodeId b, const LinkDirectionConfig& a_to_b,
                  const LinkDirectionConfig& b_to_a);
    // Between two hosts.
    void add_link(std::uint16_t a, std::uint16_t b, const LinkDirectionConfig& a_to_b,
                  const LinkDirectionConfig& b_to_a);
    void add_fault(const FaultConfig& fault);
    // Told of each NAT mapping, so stream integrity holds across address translation.
    void set_stream_ledger(StreamLedger& ledger) { ledger_ = &ledger; }

    std::uint64_t new_segment_id() override { return ++segment_ids_; }
    void transmit(std::uint16_t from_host, const Segment& s, SocketRef sender) override;

  private:
    struct Direction {
        LinkDirectionConfig config;
        Rng rng;
    };
    struct FaultState {
        FaultConfig config;
        std::int32_t index = -1;  // in the trace's fault names
        std::uint32_t matched = 0;
    };
    // Who sent a segment on its way: drops and faults anywhere are recorded for them.
    struct Origin {
        std::uint16_t host = 0;
        SocketRef socket;
    };

    const std::string& name(NodeId n) const;
    // The next hop from `at` towards the owner of `dst`, when `at` has a link to it.
    std::optional<NodeId> direct(NodeId at, Ipv4 dst) const;
    // Sends `s` over the link `from` -> `to`.
    void hop(NodeId from, NodeId to, Origin origin, const Segment& s, bool first_hop);
    void arrive(NodeId at, Origin origin, const Segment& s);
    void at_nat(std::uint16_t nat, Origin origin, const Segment& s);
    const FaultState* fire_fault(std::uint16_t from, const Segment& s);
    TraceEvent event(TraceKind kind, Origin origin, const Segment& s) const;
    void record(SegmentEvent what, Origin origin, const Segment& s, LinkReason reason, Duration delay = {});
    void record_fault(Origin origin, const Segment& s, const FaultState& f);
    void record_nat(Origin origin, const Segment& s, std::uint16_t nat, const NatMapping& m);
    void schedule_arrival(NodeId to, Origin origin, const Segment& s, Duration delay);

    Engine& engine_;
    TraceSink& trace_;
    StreamLedger* ledger_ = nullptr;
    std::uint64_t seed_;
    std::vector<Host*> hosts_;                       // by index
    std::vector<std::unique_ptr<Nat>> nats_;         // by index
    std::map<std::uint16_t, std::uint16_t> nat_of_;  // inside host -> its NAT
    std::map<std::uint32_t, NodeId> by_ip_;          // host addresses and NAT public addresses
    std::map<std::pair<NodeId, NodeId>, std::unique_ptr<Direction>> directions_;
    std::vector<FaultState> faults_;
    std::uint64_t segment_ids_ = 0;
};

}  // namespace tcpsim
