// Packet captures (pcap files Wireshark and tcpdump open) of a run, written as the run
// goes: each packet when its event arrives, nothing else of the run kept.
//
// A capture is taken at one host, as tcpdump on that host's interface would take it:
// what the host sent (its send events, at send time, even if a link loses the segment
// later) and what reached it (its deliver events, at arrival time). A segment a host
// sends itself shows twice, sent and delivered, as on lo. Packets are raw IPv4
// (LINKTYPE_RAW: the model has no link layer, so no Ethernet addresses are invented)
// with nanosecond timestamps of simulated time, counted from 1970-01-01.
//
//   PcapView pcap({{server, "server.pcap"}});
//   if (!pcap.errors().empty()) report(pcap.errors());   // could not open
//   stream.add(pcap);
//   world.run();
//   for (const std::string& e : pcap.errors()) report(e);  // "cannot write server.pcap: ..."
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tcpsim/trace/sink.hpp"
#include "tcpsim/views/event_filter.hpp"

namespace tcpsim {

// One capture file and the host it is taken at (at most one file per host).
struct PcapCapture {
    std::uint16_t host = 0;  // index into TraceNames::hosts
    std::string path;
};

class PcapView final : public TraceView {
public:
    // Opens every file now, so a path that cannot be written is known before the run.
    // The filter narrows every capture (a socket, a time window) as it narrows the timeline.
    explicit PcapView(const std::vector<PcapCapture>& captures, EventFilterOptions filter = {});
    ~PcapView() override;
    PcapView(const PcapView&) = delete;
    PcapView& operator=(const PcapView&) = delete;

    void on_begin(const TraceNames& names) override;
    void on_event(const TraceEvent& e) override;
    // Flushes and closes every file.
    void on_finish(const TraceSummary& summary) override;

    // One message per file that could not be opened or written, in the order given:
    // "cannot write out.pcap: No space left on device". A file stops at its first failure.
    std::vector<std::string> errors() const;
    // Packets written so far, every file together.
    std::uint64_t packets() const { return packets_; }

private:
    class File;  // an open capture; libpcap stays inside pcap.cpp

    std::vector<std::unique_ptr<File>> files_;
    std::vector<File*> by_host_;  // host index -> its file, or null
    EventFilter filter_;
    std::vector<std::uint8_t> packet_;  // reused for every packet
    std::uint64_t packets_ = 0;
};

}  // namespace tcpsim
