// A NAT box's translation table: inside hosts share one public address, each of their
// flows (inside ip:port, remote ip:port) gets a public port of its own from a pool.
//
// Only addresses and ports change; sequence numbers, flags, the window and every TCP
// option (MSS, timestamps) pass through as they are. A mapping lives while traffic passes
// in either direction and is gone once it has been idle for the timeout (checked at each
// call, so an idle NAT adds no engine events). Ports are handed out lowest free first, so
// a port freed by an expired mapping is the next one reused: the case where a server
// still holds TIME_WAIT for the old flow.
//
//   Nat nat(config);
//   NatResult r = nat.outbound(syn, now);   // r.segment->src == {public, 20000}
//   nat.inbound(syn_ack, now).segment->dst == syn.src
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "tcpsim/core/time.hpp"
#include "tcpsim/net/address.hpp"
#include "tcpsim/net/segment.hpp"
#include "tcpsim/link/link_config.hpp"
#include "tcpsim/trace/event.hpp"

namespace tcpsim {

struct NatMapping {
    Endpoint inside;
    Endpoint remote;
    std::uint16_t public_port = 0;
};

struct NatResult {
    std::optional<Segment> segment;     // the rewritten segment; empty: dropped
    LinkReason drop_reason = LinkReason::None;  // NatNoMapping, NatNoFreePort
    std::optional<NatMapping> created;  // the mapping this segment created, if any
};

class Nat {
  public:
    explicit Nat(NatConfig config);

    const std::string& name() const { return config_.name; }
    Ipv4 address() const { return config_.address; }

    // Inside -> outside: the source becomes address():port of the flow's mapping, made
    // now if the flow has none.
    NatResult outbound(const Segment& s, Time now);
    // Outside -> inside (to address()): the destination becomes the inside endpoint of
    // the mapping for (destination port, source endpoint).
    NatResult inbound(const Segment& s, Time now);


  private:
    struct Entry {
        Endpoint inside;
        Endpoint remote;
        Time expires;
    };

    void expire(Time now);
    void refresh(std::uint16_t port, Entry& e, Time now);
    std::optional<std::uint16_t> allocate_port();

    NatConfig config_;
    std::map<std::uint16_t, Entry> by_port_;
    std::map<std::pair<Endpoint, Endpoint>, std::uint16_t> by_flow_;  // (inside, remote)
    std::set<std::pair<Time, std::uint16_t>> expiries_;               // soonest first
    // Free ports: every released one, and every port from fresh_ up to port_high.
    std::set<std::uint16_t> released_;
    std::uint32_t fresh_;
};

}  // namespace tcpsim
