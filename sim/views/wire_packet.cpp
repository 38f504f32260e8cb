#include "tcpsim/views/wire_packet.hpp"

#include <algorithm>
#include <cassert>

namespace tcpsim {
namespace {

// TCP option kinds (RFC 9293 3.2, RFC 7323, RFC 2018).
constexpr std::uint8_t kEol = 0;
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

namespace {

// Appends option bytes; no layout below writes more than 40.
class OptionWriter {
public:
    explicit OptionWriter(OptionBytes& out) : out_(out) {}
    void nop() { byte(kNop); }
    void mss(std::uint16_t v) {
        byte(kMss);
        byte(4);
        byte(static_cast<std::uint8_t>(v >> 8));
        byte(static_cast<std::uint8_t>(v));
    }
    void wscale(std::uint8_t shift) {
        byte(kWindowScale);
        byte(3);
        byte(shift);
    }
    void sack_permitted() {
        byte(kSackPermitted);
        byte(2);
    }
    void timestamps(const TimestampOption& ts) {
        byte(kTimestamps);
        byte(10);
        put32(out_.bytes.data() + out_.size, ts.val);
        put32(out_.bytes.data() + out_.size + 4, ts.ecr);
        out_.size += 8;
    }
    // FreeBSD's alignment loops: NOPs until the offset is `residue` modulo `modulus`, and
    // for the options whose loop says `!optlen ||`, at least one NOP at offset 0.
    void nops_until(std::size_t modulus, std::size_t residue, bool not_at_start) {
        while ((not_at_start && out_.size == 0) || out_.size % modulus != residue) nop();
    }
    // An EOL, then zeros (TCPOPT_PAD, also EOL) to the next 4-byte boundary.
    void end_and_pad() {
        if (out_.size % 4 == 0) return;
        byte(kEol);
        while (out_.size % 4 != 0) byte(kEol);
    }

private:
    void byte(std::uint8_t b) { out_.bytes[out_.size++] = b; }
    OptionBytes& out_;
};

// The timestamps, led by SACK-permitted when it is to be sent too, else by two NOPs;
// returns whether SACK-permitted went out with them.
bool packed_timestamps(const SegmentOptions& o, OptionWriter& w) {
    if (o.sack_permitted) {
        w.sack_permitted();
    } else {
        w.nop();
        w.nop();
    }
    w.timestamps(*o.timestamp);
    return o.sack_permitted;
}

void nop_nop_sack_permitted(OptionWriter& w) {
    w.nop();
    w.nop();
    w.sack_permitted();
}

void nop_wscale(std::uint8_t shift, OptionWriter& w) {
    w.nop();
    w.wscale(shift);
}

// Linux tcp_options_write (L-SYN-1): MSS; the timestamps packed with SACK-permitted;
// SACK-permitted alone as NOP, NOP, SACK-permitted; NOP, window scale. Every option ends
// on a 4-byte boundary, so nothing is left to pad.
void linux_layout(const SegmentOptions& o, OptionWriter& w) {
    if (o.mss) w.mss(*o.mss);
    const bool sack_sent = o.timestamp && packed_timestamps(o, w);
    if (o.sack_permitted && !sack_sent) nop_nop_sack_permitted(w);
    if (o.wscale) nop_wscale(*o.wscale, w);
}

// FreeBSD tcp_addoptions (B-SYN-1): the TOF_* bit order (MSS, window scale,
// SACK-permitted, timestamps), each after NOPs to its alignment: MSS at a multiple of 4,
// window scale at an odd offset, SACK-permitted at an even one, timestamps at 2 modulo 4;
// then EOL and padding. A full SYN is mss,nop,wscale,sackOK,TS (20 bytes), and
// mss,sackOK ends eol,eol (FreeBSD tcp-testsuite).
void freebsd_layout(const SegmentOptions& o, OptionWriter& w) {
    if (o.mss) {
        w.nops_until(4, 0, false);
        w.mss(*o.mss);
    }
    if (o.wscale) {
        w.nops_until(2, 1, true);
        w.wscale(*o.wscale);
    }
    if (o.sack_permitted) {
        w.nops_until(2, 0, false);
        w.sack_permitted();
    }
    if (o.timestamp) {
        w.nops_until(4, 2, true);
        w.timestamps(*o.timestamp);
    }
    w.end_and_pad();
}

// Windows (W-SYN-1, p0f's Windows 7/8 signatures, [unverified]): MSS; NOP, window scale;
// then the timestamps packed with SACK-permitted, or NOP, NOP, SACK-permitted:
// mss,nop,ws,nop,nop,sok and, with timestamps on, mss,nop,ws,sok,ts.
void windows_layout(const SegmentOptions& o, OptionWriter& w) {
    if (o.mss) w.mss(*o.mss);
    if (o.wscale) nop_wscale(*o.wscale, w);
    const bool sack_sent = o.timestamp && packed_timestamps(o, w);
    if (o.sack_permitted && !sack_sent) nop_nop_sack_permitted(w);
}

// illumos tcp_xmit_mp_aux_iss (S-SYN-1): a SYN is laid out as Linux's. A SYN,ACK starts
// from the connection's header template, which already holds NOP, NOP, timestamps (its
// NOPs become SACK-permitted when both are on); MSS, NOP NOP SACK-permitted and NOP window
// scale follow.
void illumos_layout(const SegmentOptions& o, Flags flags, OptionWriter& w) {
    if (!has(flags, Flags::Ack)) {
        linux_layout(o, w);
        return;
    }
    const bool sack_sent = o.timestamp && packed_timestamps(o, w);
    if (o.mss) w.mss(*o.mss);
    if (o.sack_permitted && !sack_sent) nop_nop_sack_permitted(w);
    if (o.wscale) nop_wscale(*o.wscale, w);
}

}  // namespace

OptionBytes encode_options(const SegmentOptions& o, Flags flags) {
    OptionBytes out;
    OptionWriter w(out);
    switch (o.layout) {
        case OptionLayout::Linux:
            linux_layout(o, w);
            break;
        case OptionLayout::FreeBsd:
            freebsd_layout(o, w);
            break;
        case OptionLayout::Windows:
            windows_layout(o, w);
            break;
        case OptionLayout::Illumos:
            illumos_layout(o, flags, w);
            break;
    }
    return out;
}

OptionOrder option_order(const SegmentOptions& o, Flags flags) {
    const OptionBytes bytes = encode_options(o, flags);
    OptionOrder order;
    std::size_t i = 0;
    while (i < bytes.size) {
        const std::uint8_t kind = bytes.bytes[i];
        if (kind == kNop || kind == kEol) {
            ++i;
            continue;
        }
        switch (kind) {
            case kMss: order.kinds[order.size++] = OptionKind::Mss; break;
            case kWindowScale: order.kinds[order.size++] = OptionKind::WindowScale; break;
            case kSackPermitted: order.kinds[order.size++] = OptionKind::SackPermitted; break;
            case kTimestamps: order.kinds[order.size++] = OptionKind::Timestamps; break;
            default: assert(false && "encode_options writes only these kinds");
        }
        i += bytes.bytes[i + 1];
    }
    return order;
}

PacketEnds packet_ends(const TraceEvent& e) {
    if (e.kind == TraceKind::Segment && e.segment_event == SegmentEvent::Deliver)
        return {e.conn.remote, e.conn.local};
    return {e.conn.local, e.conn.remote};
}

std::size_t encode_packet(const TraceEvent& e, std::vector<std::uint8_t>& out) {
    const OptionBytes options = encode_options(e.options, e.flags);
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
