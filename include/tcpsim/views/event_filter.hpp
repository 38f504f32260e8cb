// Which events a view shows: one host, one socket ("s", "s.2", "s.*") and a time window,
// as the command line's --host, --socket, --from and --until give them. Shared by the
// views that narrow (timeline, pcap) so they narrow alike.
//
//   EventFilter filter({.socket = "s", .from = Time{} + seconds(1)});
//   filter.resolve(names);            // in on_begin: names become indices
//   if (filter.keep(e)) show(e);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "tcpsim/trace/names.hpp"

namespace tcpsim {

struct EventFilterOptions {
    std::string host;    // "" for every host
    std::string socket;  // "" for every socket
    std::optional<Time> from;
    std::optional<Time> until;
};

class EventFilter {
public:
    explicit EventFilter(EventFilterOptions options = {}) : options_(std::move(options)) {}

    // Looks the host and socket up in the run; an unknown one sets problem() and then
    // nothing is kept.
    void resolve(const TraceNames& names);
    bool keep(const TraceEvent& e) const;
    // "--host nobody: no host of that name in the run"; "" when the names were found.
    const std::string& problem() const { return problem_; }

private:
    EventFilterOptions options_;
    std::optional<std::uint16_t> host_;
    std::optional<TraceNames::SocketPattern> socket_;
    std::string problem_;
};

}  // namespace tcpsim
