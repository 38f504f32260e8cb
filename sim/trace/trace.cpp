#include "tcpsim/trace/trace.hpp"

namespace tcpsim {

std::string_view to_string(RunEnd e) {
    switch (e) {
        case RunEnd::Quiescent: return "quiescent";
        case RunEnd::DurationReached: return "duration";
        case RunEnd::TimeCap: return "time_cap";
        case RunEnd::EventCap: return "event_cap";
    }
    return "?";
}

namespace {

std::int32_t intern(std::vector<std::string>& values,
                    std::unordered_map<std::string, std::int32_t>& index, const std::string& v) {
    auto [it, inserted] = index.try_emplace(v, static_cast<std::int32_t>(values.size()));
    if (inserted) values.push_back(v);
    return it->second;
}

}  // namespace

std::int32_t Trace::intern_socket(const std::string& label) {
    return intern(sockets_, socket_index_, label);
}

std::int32_t Trace::intern_text(const std::string& text) { return intern(texts_, text_index_, text); }

const std::string& Trace::text(std::int32_t index) const {
    static const std::string kNone;
    if (index < 0 || static_cast<std::size_t>(index) >= texts_.size()) return kNone;
    return texts_[static_cast<std::size_t>(index)];
}

const std::string& Trace::socket_label(std::int32_t index) const {
    static const std::string kNone;
    if (index < 0 || static_cast<std::size_t>(index) >= sockets_.size()) return kNone;
    return sockets_[static_cast<std::size_t>(index)];
}

}  // namespace tcpsim
