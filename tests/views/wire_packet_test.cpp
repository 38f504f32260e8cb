#include "tcpsim/views/wire_packet.hpp"

#include <doctest/doctest.h>

#include <string_view>

#include "trace_builders.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

SegmentOptions every_option() {
    SegmentOptions o;
    o.mss = 1460;
    o.sack_permitted = true;
    o.timestamp = TimestampOption{100, 0};
    o.wscale = 7;
    return o;
}

// The client's SYN with every option: 10.0.0.1:49152 > 10.0.0.2:80, seq 1000, win 65535.
TraceEvent syn_with_every_option() {
    TraceEvent e = on(segment(0, kClient, {}, SegmentEvent::Send, Flags::Syn, 1000, 0, 0, 65535),
                      client_side());
    e.segment = 1;
    e.options = every_option();
    return e;
}

}  // namespace

TEST_CASE("internet checksum: RFC 1071's example words sum to ddf2, so the checksum is 220d") {
    // RFC 1071 section 3: 0001 + f203 + f4f5 + f6f7 = 2ddf0, folded ddf2.
    const Bytes words{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(internet_checksum(words) == 0x220d);
    // The checksum in place makes the sum all ones: verifying gives 0.
    Bytes with_sum = words;
    with_sum.push_back(0x22);
    with_sum.push_back(0x0d);
    CHECK(internet_checksum(with_sum) == 0);
}

TEST_CASE("internet checksum pads an odd last byte with zero and continues a partial sum") {
    CHECK(internet_checksum(Bytes{0x01}) == 0xfeff);
    CHECK(internet_checksum(Bytes{0x01, 0x00}) == 0xfeff);
    CHECK(internet_checksum(Bytes{0x00, 0x02}, 0x0001) == 0xfffc);
}

TEST_CASE(
    "a SYN's options go in Linux's order: MSS, SACK-permitted, timestamps, NOP, window scale") {
    // tcp_options_write: SACK-permitted takes the two bytes the timestamps would pad with NOPs.
    const Bytes expected{0x02, 0x04, 0x05, 0xb4,   // MSS 1460
                         0x04, 0x02, 0x08, 0x0a,   // SACK-permitted, timestamps kind 8 length 10
                         0x00, 0x00, 0x00, 0x64,   // TSval 100
                         0x00, 0x00, 0x00, 0x00,   // TSecr 0
                         0x01, 0x03, 0x03, 0x07};  // NOP, window scale 7
    CHECK(bytes_of(encode_options(every_option(), Flags::Syn).view()) == expected);
}

TEST_CASE("each option alone is padded with NOPs to a 4-byte boundary, as Linux pads it") {
    SegmentOptions ts;
    ts.timestamp = TimestampOption{0x01020304, 0x0a0b0c0d};
    CHECK(bytes_of(encode_options(ts, Flags::Ack).view()) ==
          Bytes{0x01, 0x01, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d});
    SegmentOptions sack;
    sack.sack_permitted = true;
    CHECK(bytes_of(encode_options(sack, Flags::Syn).view()) == Bytes{0x01, 0x01, 0x04, 0x02});
    SegmentOptions ws;
    ws.wscale = 14;
    CHECK(bytes_of(encode_options(ws, Flags::Syn).view()) == Bytes{0x01, 0x03, 0x03, 0x0e});
    SegmentOptions mss_sack;
    mss_sack.mss = 536;
    mss_sack.sack_permitted = true;
    CHECK(bytes_of(encode_options(mss_sack, Flags::Syn).view()) ==
          Bytes{0x02, 0x04, 0x02, 0x18, 0x01, 0x01, 0x04, 0x02});
    CHECK(encode_options({}, Flags::Ack).size == 0);
}

TEST_CASE("B-SYN-1: a FreeBSD SYN is mss,nop,wscale,sackOK,TS, each option aligned by NOPs") {
    // tcp_addoptions: TOF_* order; window scale at an odd offset, timestamps at 2 mod 4.
    SegmentOptions o = every_option();
    o.wscale = 6;
    o.layout = OptionLayout::FreeBsd;
    const Bytes expected{0x02, 0x04, 0x05, 0xb4,   // MSS 1460
                         0x01, 0x03, 0x03, 0x06,   // NOP, window scale 6
                         0x04, 0x02, 0x08, 0x0a,   // SACK-permitted, timestamps kind 8 length 10
                         0x00, 0x00, 0x00, 0x64,   // TSval 100
                         0x00, 0x00, 0x00, 0x00};  // TSecr 0
    CHECK(bytes_of(encode_options(o, Flags::Syn).view()) == expected);
    CHECK(option_order(o, Flags::Syn).view().size() == 4);
}

TEST_CASE("B-SYN-1: FreeBSD ends an unaligned option list with EOL and zero padding") {
    // Without timestamps: mss,nop,wscale,sackOK,eol (12 bytes); an ACK's timestamps: nop,nop,TS.
    SegmentOptions o = every_option();
    o.timestamp.reset();
    o.wscale = 6;
    o.layout = OptionLayout::FreeBsd;
    CHECK(bytes_of(encode_options(o, Flags::Syn).view()) ==
          Bytes{0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x06, 0x04, 0x02, 0x00, 0x00});
    SegmentOptions ts;
    ts.timestamp = TimestampOption{1, 2};
    ts.layout = OptionLayout::FreeBsd;
    CHECK(bytes_of(encode_options(ts, Flags::Ack).view()) ==
          Bytes{0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02});
    SegmentOptions mss_sack;
    mss_sack.mss = 1460;
    mss_sack.sack_permitted = true;
    mss_sack.layout = OptionLayout::FreeBsd;
    CHECK(bytes_of(encode_options(mss_sack, Flags::Syn).view()) ==
          Bytes{0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x00, 0x00});
}

TEST_CASE("option order: Linux mss,sackOK,TS,wscale; FreeBSD mss,wscale,sackOK,TS; Windows mss,wscale,sackOK,TS") {
    using K = OptionKind;
    using Order = std::vector<OptionKind>;
    auto order = [](OptionLayout layout, Flags flags) {
        SegmentOptions o = every_option();
        o.layout = layout;
        const OptionOrder r = option_order(o, flags);
        return Order(r.view().begin(), r.view().end());
    };
    CHECK(order(OptionLayout::Linux, Flags::Syn) == Order{K::Mss, K::SackPermitted, K::Timestamps, K::WindowScale});
    CHECK(order(OptionLayout::FreeBsd, Flags::Syn) ==
          Order{K::Mss, K::WindowScale, K::SackPermitted, K::Timestamps});
    CHECK(order(OptionLayout::Windows, Flags::Syn) ==
          Order{K::Mss, K::WindowScale, K::SackPermitted, K::Timestamps});
    // illumos: a SYN as Linux, a SYN,ACK from the header template with the timestamps first.
    CHECK(order(OptionLayout::Illumos, Flags::Syn) ==
          Order{K::Mss, K::SackPermitted, K::Timestamps, K::WindowScale});
    CHECK(order(OptionLayout::Illumos, Flags::Syn | Flags::Ack) ==
          Order{K::SackPermitted, K::Timestamps, K::Mss, K::WindowScale});
}

TEST_CASE("a Windows SYN without timestamps is mss,nop,wscale,nop,nop,sackOK (p0f, unverified)") {
    SegmentOptions o = every_option();
    o.timestamp.reset();
    o.wscale = 8;
    o.layout = OptionLayout::Windows;
    CHECK(bytes_of(encode_options(o, Flags::Syn).view()) ==
          Bytes{0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x08, 0x01, 0x01, 0x04, 0x02});
}

TEST_CASE("a SYN with every option is the packet worked out by hand, checksums included") {
    // IPv4 checksum: 4500 + 003c + 0001 + 4000 + 4006 + 0a00 + 0001 + 0a00 + 0002 = d946,
    // complemented 26b9. TCP checksum over the pseudo-header (10.0.0.1, 10.0.0.2, 6, 40)
    // and the 40-byte header: 6f61.
    const Bytes expected{
        0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x26, 0xb9,
        0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,  // IPv4: DF, TTL 64, id 1
        0xc0, 0x00, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,  // ports, seq, ack
        0xa0, 0x02, 0xff, 0xff, 0x6f, 0x61, 0x00, 0x00,  // offset 10 words, SYN
        0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x64,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
    Bytes packet;
    CHECK(encode_packet(syn_with_every_option(), packet) == 60);
    CHECK(packet == expected);
}

TEST_CASE("the data offset counts the header's 32-bit words, options included") {
    Bytes packet;
    encode_packet(syn_with_every_option(), packet);
    CHECK((packet[kIpv4HeaderBytes + 12] >> 4) == 10);
    TraceEvent bare =
        on(segment(0, kClient, {}, SegmentEvent::Send, Flags::Ack, 1, 1, 0, 100), client_side());
    CHECK(encode_packet(bare, packet) == 40);
    CHECK((packet[kIpv4HeaderBytes + 12] >> 4) == 5);
}

TEST_CASE(
    "a delivered data segment: from the remote end, payload after the options, lengths and "
    "checksums") {
    // Delivered to the client, so sent by the server: 10.0.0.2:80 > 10.0.0.1:49152.
    const Bytes hello{'h', 'e', 'l', 'l', 'o'};
    TraceEvent e = on(segment(10, kClient, {}, SegmentEvent::Deliver, Flags::Psh | Flags::Ack, 5001,
                              1001, 5, 1000),
                      client_side());
    e.segment = 0x12345;
    e.options.timestamp = TimestampOption{7, 9};
    e.payload = hello;
    Bytes packet;
    CHECK(encode_packet(e, packet) == 57);
    REQUIRE(packet.size() == 57);
    CHECK(Bytes(packet.begin() + 2, packet.begin() + 6) ==
          Bytes{0x00, 0x39, 0x23, 0x45});  // length 57, id
    CHECK(Bytes(packet.begin() + 12, packet.begin() + 20) == Bytes{10, 0, 0, 2, 10, 0, 0, 1});
    CHECK(Bytes(packet.begin() + 20, packet.begin() + 24) == Bytes{0x00, 0x50, 0xc0, 0x00});
    CHECK(packet[32] == 0x80);  // 8 words: 20 bytes and the 12 of the timestamps
    CHECK(packet[33] == 0x18);  // PSH|ACK
    CHECK(Bytes(packet.begin() + 52, packet.end()) == hello);
    // Worked out by hand as above: IPv4 0378, TCP 4321.
    CHECK(Bytes(packet.begin() + 10, packet.begin() + 12) == Bytes{0x03, 0x78});
    CHECK(Bytes(packet.begin() + 36, packet.begin() + 38) == Bytes{0x43, 0x21});
}

TEST_CASE("an event without its payload bytes gives the headers and the full wire length") {
    TraceEvent e =
        on(segment(0, kClient, {}, SegmentEvent::Send, Flags::Psh | Flags::Ack, 1, 1, 100, 1000),
           client_side());
    Bytes packet;
    CHECK(encode_packet(e, packet) == 140);
    CHECK(packet.size() == 40);
    CHECK(Bytes(packet.begin() + 2, packet.begin() + 4) == Bytes{0x00, 0x8c});
}
