// A TCP segment in an IPv4 packet: header fields, options and real payload bytes.
//
//   Segment s;
//   s.flags = Flags::Syn;
//   s.options.mss = 1460;
//   to_string(s.flags) == "SYN"
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpsim/net/address.hpp"
#include "tcpsim/net/seq.hpp"

namespace tcpsim {

// TCP control bits (RFC 9293 3.1), values as on the wire.
enum class Flags : std::uint8_t {
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
};

constexpr Flags operator|(Flags a, Flags b) {
    return static_cast<Flags>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr Flags operator&(Flags a, Flags b) {
    return static_cast<Flags>(static_cast<std::uint8_t>(a) & static_cast<std::uint8_t>(b));
}
constexpr bool has(Flags set, Flags f) { return (set & f) != Flags::None; }

// "SYN|ACK", "FIN|ACK", "ACK", "RST", "" for none. Order: SYN FIN RST PSH URG ACK.
std::string to_string(Flags f);
// Inverse of to_string; also accepts "NONE". Unknown names give nullopt.
std::optional<Flags> parse_flags(std::string_view text);

struct TimestampOption {
    std::uint32_t val = 0;
    std::uint32_t ecr = 0;
};

// How a stack lays the options out on the wire: their order and NOP/EOL padding. The
// sender's profile picks it; the pcap writer and the timeline follow it.
enum class OptionLayout : std::uint8_t {
    // Linux tcp_options_write (L-SYN-1): MSS; SACK-permitted packed with the timestamps
    // (else NOP NOP before either); NOP, window scale. The textbook profiles use it too:
    // for their MSS and timestamps it is RFC 7323 Appendix A's <NOP,NOP,TSopt>.
    Linux,
    // FreeBSD tcp_addoptions (B-SYN-1): MSS, window scale, SACK-permitted, timestamps, each
    // after NOPs to its alignment, then EOL and zero padding to 4 bytes.
    FreeBsd,
    // Windows: MSS; NOP, window scale; then as Linux. From p0f's signatures [unverified].
    Windows,
    // illumos tcp_xmit_mp_aux_iss: a SYN as Linux; in a SYN,ACK the timestamps come first
    // (the header template), then MSS, NOP NOP SACK-permitted, NOP window scale.
    Illumos,
};

struct SegmentOptions {
    std::optional<std::uint16_t> mss;
    std::optional<std::uint8_t> wscale;
    bool sack_permitted = false;
    std::optional<TimestampOption> timestamp;
    OptionLayout layout = OptionLayout::Linux;
};

struct Segment {
    // Names the segment in the trace: its send, fate on the links and delivery share it.
    // 0 until the sending host assigns one.
    std::uint64_t id = 0;
    Endpoint src;
    Endpoint dst;
    Seq seq;
    Seq ack;
    Flags flags = Flags::None;
    std::uint16_t window = 0;
    SegmentOptions options;
    // Shared so duplicates and retransmission queues do not copy bytes.
    std::shared_ptr<const std::vector<std::uint8_t>> payload;

    std::uint32_t len() const { return payload ? static_cast<std::uint32_t>(payload->size()) : 0; }
    // Sequence space the segment occupies: SYN and FIN count one each (RFC 9293 3.4).
    std::uint32_t seg_len() const {
        return len() + (has(flags, Flags::Syn) ? 1 : 0) + (has(flags, Flags::Fin) ? 1 : 0);
    }
    bool is(Flags f) const { return has(flags, f); }
};

}  // namespace tcpsim
