#include "tcpsim/tcp/reset.hpp"

namespace tcpsim {

std::optional<Segment> reset_for_no_connection(const Segment& in) {
    if (in.is(Flags::Rst)) return std::nullopt;  // "An incoming segment containing a RST is discarded."
    Segment r;
    r.src = in.dst;
    r.dst = in.src;
    if (in.is(Flags::Ack)) {
        r.seq = in.ack;  // <SEQ=SEG.ACK><CTL=RST>
        r.flags = Flags::Rst;
    } else {
        r.seq = Seq{0};  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
        r.ack = in.seq + in.seg_len();
        r.flags = Flags::Rst | Flags::Ack;
    }
    return r;
}

}  // namespace tcpsim
