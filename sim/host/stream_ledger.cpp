#include "tcpsim/host/stream_ledger.hpp"

#include <algorithm>

namespace tcpsim {

void StreamLedger::open(const FourTuple& writer) { streams_[writer] = Stream{}; }

void StreamLedger::wrote(const FourTuple& writer, const std::vector<std::uint8_t>& bytes) {
    auto& s = streams_[writer];
    s.unread.insert(s.unread.end(), bytes.begin(), bytes.end());
}

void StreamLedger::writer_closed(const FourTuple& writer) {
    auto it = streams_.find(writer);
    if (it == streams_.end()) return;
    it->second.writer_alive = false;
    if (it->second.unread.empty()) streams_.erase(it);
}

void StreamLedger::alias(const FourTuple& inside, const FourTuple& outside) {
    aliases_[outside] = inside;                      // the remote reads the inside writer
    aliases_[inside.reversed()] = outside.reversed();  // the inside host reads the remote writer
}

bool StreamLedger::read(const FourTuple& reader, const std::vector<std::uint8_t>& bytes) {
    auto it = streams_.find(reader.reversed());
    if (it == streams_.end()) {
        auto a = aliases_.find(reader.reversed());
        if (a != aliases_.end()) it = streams_.find(a->second);
    }
    if (it == streams_.end()) return bytes.empty();
    auto& unread = it->second.unread;
    const std::size_t n = std::min(unread.size(), bytes.size());
    const bool same = n == bytes.size() && std::equal(bytes.begin(), bytes.end(), unread.begin());
    unread.erase(unread.begin(), unread.begin() + static_cast<std::ptrdiff_t>(n));
    if (unread.empty() && !it->second.writer_alive) streams_.erase(it);
    return same;
}

}  // namespace tcpsim
