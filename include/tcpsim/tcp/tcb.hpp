// The Transmission Control Block variables, grouped and named as RFC 9293 3.3.1 does.
#pragma once

#include <cstdint>

#include "tcpsim/net/seq.hpp"

namespace tcpsim {

struct SendSequence {
    Seq una;              // SND.UNA: oldest unacknowledged sequence number
    Seq nxt;              // SND.NXT: next sequence number to send
    std::uint32_t wnd = 0;  // SND.WND: peer's offered window
    Seq wl1;              // SND.WL1: segment sequence number of the last window update
    Seq wl2;              // SND.WL2: segment acknowledgment number of the last window update
    Seq iss;              // ISS: initial send sequence number
    std::uint32_t max_wnd = 0;  // MAX.SND.WND (RFC 5961 5.2)
};

struct ReceiveSequence {
    Seq nxt;              // RCV.NXT: next sequence number expected
    std::uint32_t wnd = 0;  // RCV.WND: window we offer
    Seq irs;              // IRS: initial receive sequence number
};

// RFC 9293 3.7.1: the send MSS when the peer sends no MSS option.
inline constexpr std::uint16_t kDefaultSendMss = 536;

struct Tcb {
    SendSequence snd;
    ReceiveSequence rcv;
    std::uint16_t snd_mss = kDefaultSendMss;  // the peer's MSS option (0 if it sent 0)
};

}  // namespace tcpsim
