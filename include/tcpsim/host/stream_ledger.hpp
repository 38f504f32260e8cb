// What each application wrote, kept until the peer's application reads it, so every read
// can be checked byte for byte against the writes (stream integrity).
//
// A stream is keyed by its writer's four-tuple (writer local first). A new connection on
// the same four-tuple starts a new stream, so bytes from an older incarnation that a
// wandering duplicate smuggles in show up as a mismatch.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "tcpsim/net/address.hpp"

namespace tcpsim {

class StreamLedger {
public:
    void open(const FourTuple& writer);
    void wrote(const FourTuple& writer, const std::vector<std::uint8_t>& bytes);
    // The writer's connection is gone: the entry goes once its bytes are read.
    void writer_closed(const FourTuple& writer);
    // Checks bytes read by the reader (reader local first). True iff they are exactly the
    // next bytes its peer wrote.
    bool read(const FourTuple& reader, const std::vector<std::uint8_t>& bytes);
    // A NAT rewrote `inside` (as the inside host sees it) to `outside` (as the remote
    // host sees it): each side's reads find the other side's writes under its own tuple.
    void alias(const FourTuple& inside, const FourTuple& outside);

private:
    struct Stream {
        std::deque<std::uint8_t> unread;
        bool writer_alive = true;
    };
    std::unordered_map<FourTuple, Stream, FourTupleHash> streams_;  // never iterated
    std::unordered_map<FourTuple, FourTuple, FourTupleHash> aliases_;  // reader's view -> writer's key
};

}  // namespace tcpsim
