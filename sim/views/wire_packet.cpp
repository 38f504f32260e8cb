#include "tcpsim/views/wire_packet.hpp"

#include <algorithm>
#include <cassert>

namespace tcpsim {
namespace {

// TCP option kinds (RFC 9293 3.2, RFC 7323, RFC 2018).
constexpr std::uint8_t kNop = 1;
constexpr std::uint8_t kMss = 2;
constexpr std::uint8_t kWindowScale = 3;
constexpr std::uint8_t kSackPermitted = 4;
constexpr std::uint8_t kTimestamps = 8;

constexpr std::uint8_t kTtl = 64;
constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::uint16_t kDontFragment = 0x4000;

void put16(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) {
    put16(p, v >> 16);
    put16(p + 2, v);
}

// The one's complement sum of 16-bit words, not yet folded.
std::uint32_t sum_words(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += (std::uint32_t{bytes[i]} << 8) | bytes[i + 1];
    if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;
    return sum;
}

std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t initial) {
    return static_cast<std::uint16_t>(~fold(sum_words(bytes, initial)));
}

// Linux tcp_options_write (net/ipv4/tcp_output.c): MSS; then timestamps, led by
// SACK-permitted when both are on, by two NOPs otherwise; SACK-permitted alone as NOP,
// NOP, SACK-permitted; window scale as NOP, wscale. Every option ends on a 4-byte
// boundary, so no padding is left at the end.
OptionBytes encode_options(const SegmentOptions& o) {
    OptionBytes out;
    std::uint8_t* p = out.bytes.data();
    auto word = [&p](std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
        p[0] = a;
        p[1] = b;
        p[2] = c;
        p[3] = d;
        p += 4;
    };
    if (o.mss)
        word(kMss, 4, static_cast<std::uint8_t>(*o.mss >> 8), static_cast<std::uint8_t>(*o.mss));
    bool sack_left = o.sack_permitted;
    if (o.timestamp) {
        if (sack_left) {
            word(kSackPermitted, 2, kTimestamps, 10);
            sack_left = false;
        } else {
            word(kNop, kNop, kTimestamps, 10);
        }
        put32(p, o.timestamp->val);
        put32(p + 4, o.timestamp->ecr);
        p += 8;
    }
    if (sack_left) word(kNop, kNop, kSackPermitted, 2);
    if (o.wscale) word(kNop, kWindowScale, 3, *o.wscale);
    out.size = static_cast<std::size_t>(p - out.bytes.data());
    return out;
}

PacketEnds packet_ends(const TraceEvent& e) {
    if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Deliver)
        return {e.conn.remote, e.conn.local};
    return {e.conn.local, e.conn.remote};
}

std::size_t encode_packet(const TraceEvent& e, std::vector<std::uint8_t>& out) {
    const OptionBytes options = encode_options(e.options);
    const std::size_t tcp_header = kTcpHeaderBytes + options.size;
    const std::size_t tcp_length = tcp_header + e.len;
    const std::size_t wire = kIpv4HeaderBytes + tcp_length;
    // A sender's payload is at most MSS minus its options, and MSS at most 65495.
    assert(wire <= 0xffff);
    const std::size_t captured = std::min<std::size_t>(e.payload.size(), e.len);
    out.resize(kIpv4HeaderBytes + tcp_header + captured);
    const PacketEnds ends = packet_ends(e);

    std::uint8_t* ip = out.data();
    ip[0] = 0x45;  // version 4, header of 5 words
    ip[1] = 0;
    put16(ip + 2, static_cast<std::uint32_t>(wire));
    put16(ip + 4, static_cast<std::uint16_t>(e.segment));  // a duplicate keeps its id, as on a wire
    put16(ip + 6, kDontFragment);
    ip[8] = kTtl;
    ip[9] = kProtocolTcp;
    put16(ip + 10, 0);
    put32(ip + 12, ends.src.ip.value);
    put32(ip + 16, ends.dst.ip.value);
    put16(ip + 10, internet_checksum({ip, kIpv4HeaderBytes}));

    std::uint8_t* tcp = ip + kIpv4HeaderBytes;
    put16(tcp, ends.src.port);
    put16(tcp + 2, ends.dst.port);
    put32(tcp + 4, e.seq.v);
    put32(tcp + 8, e.ack.v);
    tcp[12] = static_cast<std::uint8_t>((tcp_header / 4) << 4);
    tcp[13] = static_cast<std::uint8_t>(e.flags);
    put16(tcp + 14, e.win);
    put16(tcp + 16, 0);
    put16(tcp + 18, 0);  // urgent pointer: the model has no urgent data
    std::copy(options.bytes.begin(),
              options.bytes.begin() + static_cast<std::ptrdiff_t>(options.size),
              tcp + kTcpHeaderBytes);
    std::copy(e.payload.begin(), e.payload.begin() + static_cast<std::ptrdiff_t>(captured),
              tcp + tcp_header);

    // RFC 9293 3.1: the checksum covers a pseudo-header of both addresses, the protocol
    // and the TCP length. Missing payload bytes count as zeros, which add nothing.
    std::array<std::uint8_t, 12> pseudo{};
    put32(pseudo.data(), ends.src.ip.value);
    put32(pseudo.data() + 4, ends.dst.ip.value);
    pseudo[9] = kProtocolTcp;
    put16(pseudo.data() + 10, static_cast<std::uint32_t>(tcp_length));
    const std::uint32_t partial = sum_words(pseudo, 0);
    put16(tcp + 16, internet_checksum({tcp, tcp_header + captured}, partial));
    return wire;
}

}  // namespace tcpsim
