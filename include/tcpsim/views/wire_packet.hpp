// A segment event as the IPv4 packet a capture on the host's interface would hold: a
// 20-byte IPv4 header (TTL 64, DF, id from the segment id), the TCP header with its
// options in the order and padding the sender's stack writes them (SegmentOptions::layout),
// and the payload; both checksums correct. The pcap view writes these bytes; nothing here
// knows libpcap.
//
//   std::vector<std::uint8_t> bytes;
//   const std::size_t wire = encode_packet(e, bytes);   // e: a send or deliver event
//   wire == 20 + 20 + encode_options(e.options, e.flags).size + e.len
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tcpsim/trace/event.hpp"

namespace tcpsim {

inline constexpr std::size_t kIpv4HeaderBytes = 20;
inline constexpr std::size_t kTcpHeaderBytes = 20;

// RFC 1071: the one's complement of the one's complement sum of 16-bit big-endian words
// (an odd last byte padded with zero), continuing from a partial sum `initial`.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t initial = 0);

// The TCP options as they go on the wire: a multiple of 4 bytes, at most 40. The flags
// matter to one layout: illumos puts the timestamps first in a SYN,ACK.
struct OptionBytes {
    std::array<std::uint8_t, 40> bytes{};
    std::size_t size = 0;

    std::span<const std::uint8_t> view() const { return {bytes.data(), size}; }
};
OptionBytes encode_options(const SegmentOptions& options, Flags flags);

// The options of a segment in the order they go on the wire, padding left out.
enum class OptionKind : std::uint8_t { Mss, WindowScale, SackPermitted, Timestamps };
struct OptionOrder {
    std::array<OptionKind, 4> kinds{};
    std::size_t size = 0;

    std::span<const OptionKind> view() const { return {kinds.data(), size}; }
};
OptionOrder option_order(const SegmentOptions& options, Flags flags);

// Who sent the packet and to whom: a delivered segment came from the connection's
// remote end, a sent one from its local end.
struct PacketEnds {
    Endpoint src;
    Endpoint dst;
};
PacketEnds packet_ends(const TraceEvent& e);

// Replaces `out` with the packet of a segment event and returns its length on the wire.
// The payload is e.payload; an event without its bytes (a kept trace drops them) gives
// the headers only, `out` then shorter than the wire length, as a capture cut short by
// its snap length is.
std::size_t encode_packet(const TraceEvent& e, std::vector<std::uint8_t>& out);

}  // namespace tcpsim
