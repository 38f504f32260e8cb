// A segment a scenario builds itself, field by field, as a raw socket or packetdrill does:
// the stack of the sending host has no part in it. Sequence numbers and timestamps are
// absolute, or relative to a socket's variables at the moment the segment leaves
// ("rcv_nxt-1" of a TIME-WAIT entry whose numbers the scenario cannot know beforehand).
//
//   CraftedValue v = *parse_crafted_value("rcv_nxt-1", CraftedField::Sequence);
//   CraftedReference ref{.rcv_nxt = Seq{5002}};
//   resolve(v, &ref) == 5001u
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tcpsim/net/address.hpp"
#include "tcpsim/net/segment.hpp"

namespace tcpsim {

// What a value is counted from: a number as given, or a variable of the reference socket.
enum class CraftedBase : std::uint8_t {
    Absolute,
    SndUna,    // SND.UNA
    SndNxt,    // SND.NXT
    RcvNxt,    // RCV.NXT
    TsRecent,  // TS.Recent: the last TSval it accepted from its peer (RFC 7323 4.3)
    TsVal,     // the TSval it would send now
};

// Sequence fields (seq, ack) take the sequence bases; timestamp fields the timestamp ones.
enum class CraftedField : std::uint8_t { Sequence, Timestamp };

struct CraftedValue {
    CraftedBase base = CraftedBase::Absolute;
    std::int64_t offset = 0;  // the value itself when absolute; else added (mod 2^32)

    bool relative() const { return base != CraftedBase::Absolute; }
};

// "123", or a base with an optional signed offset: "rcv_nxt", "snd_nxt+1", "ts_recent-1".
// Offsets are at most 2^32 - 1 either way.
std::optional<CraftedValue> parse_crafted_value(std::string_view text, CraftedField field);
// The spellings parse_crafted_value takes, for error messages.
std::string_view crafted_value_expected(CraftedField field);
std::string to_string(const CraftedValue& v);

// The reference socket's variables when the segment is sent: a connection's, or its
// TIME-WAIT entry's (which keeps no SND.UNA: all was acknowledged, so it is SND.NXT).
struct CraftedReference {
    Seq snd_una;
    Seq snd_nxt;
    Seq rcv_nxt;
    std::optional<std::uint32_t> ts_recent;  // none: the connection does not use timestamps
    std::optional<std::uint32_t> tsval;
};

// The 32-bit field; nullopt when the value is relative and `ref` is null or lacks the
// variable (timestamps off).
std::optional<std::uint32_t> resolve(const CraftedValue& v, const CraftedReference* ref);

struct CraftedTimestamp {
    CraftedValue val;
    CraftedValue ecr;
};

struct CraftedSegment {
    std::uint16_t from_port = 0;
    // The destination: a host of the scenario (resolved by the world) or an address.
    std::string to_host;
    std::optional<Ipv4> to_ip;
    std::uint16_t to_port = 0;
    Flags flags = Flags::None;
    CraftedValue seq;
    CraftedValue ack;  // written only with the ACK flag
    std::uint16_t window = 65535;
    std::string text;      // payload bytes as given, or
    std::uint32_t len = 0; // this many zero bytes
    std::optional<std::uint16_t> mss;
    std::optional<std::uint8_t> wscale;
    bool sack_permitted = false;
    std::optional<CraftedTimestamp> timestamp;
    // The socket relative values read, by its scenario name on a host ("s", "s.2").
    std::string of_host;
    std::string of_socket;
    // Whether the sending host's stack sees what comes back on this 4-tuple (a real host's
    // kernel would, and answer with RST); by default a raw socket takes it, as packetdrill's
    // script or a firewall rule does.
    bool stack_answers = false;

    bool needs_reference() const;
};

}  // namespace tcpsim
