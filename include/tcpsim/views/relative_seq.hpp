// Relative sequence numbers, as Wireshark and packetdrill show them: each direction of a
// connection counts from its ISN (the SYN's sequence number is 0).
//
//   RelativeSeq rel;
//   rel.learn(e);                   // for every segment event, in trace order
//   RelativeSeq::Numbers n = rel.of(e);   // n.seq == 1 for the first data byte
//
// A connection is known by its pair of endpoints; a new SYN starts a new base. Without a
// SYN the first sequence number seen becomes the base (as Wireshark does). The table
// holds at most `capacity` connections, the least recently used leaving first, and a
// connection leaves once both of its ends reported CLOSED, so it stays small however
// long the run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>

#include "tcpsim/trace/event.hpp"

namespace tcpsim {

class RelativeSeq {
public:
    explicit RelativeSeq(std::size_t capacity = 65536) : capacity_(capacity) {}

    struct Numbers {
        std::uint32_t seq = 0;
        std::uint32_t ack = 0;
    };

    // Learns from a segment (or the segment of a decision or link event) and from state
    // changes (for forgetting closed connections).
    void learn(const TraceEvent& e);
    // The event's seq/ack relative to the bases learnt so far (absolute where unknown).
    Numbers of(const TraceEvent& e) const;

    std::size_t size() const { return table_.size(); }

private:
    struct Key {
        Endpoint a;  // the lower endpoint
        Endpoint b;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const { return FourTupleHash{}({k.a, k.b}); }
    };
    struct Bases {
        std::optional<std::uint32_t> from_a;  // ISN of a's direction
        std::optional<std::uint32_t> from_b;
        int closed = 0;
        std::list<Key>::iterator age;
    };
    // The key of the connection and whether the sender is its `a` end.
    static std::pair<Key, bool> key_of(const TraceEvent& e);
    Bases& touch(const Key& k);

    std::size_t capacity_;
    std::unordered_map<Key, Bases, KeyHash> table_;  // lookup only, never iterated
    std::list<Key> ages_;                            // most recently used first
};

}  // namespace tcpsim
