#include "tcpsim/views/pcap.hpp"

#include <pcap/pcap.h>

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "tcpsim/views/wire_packet.hpp"

namespace tcpsim {
namespace {

constexpr int kSnapLength = 0xffff;  // the largest IPv4 packet: nothing is cut
constexpr std::size_t kFileBuffer = 1 << 14;  // per file: --pcap-dir opens one per host

std::string cannot_write(const std::string& path, const std::string& why) {
    return "cannot write " + path + ": " + why;
}

}  // namespace

// A capture file: its stdio stream handed to a libpcap dumper. libpcap reports write
// failures only through the stream, so every write is followed by a look at ferror().
class PcapView::File {
public:
    File(pcap_t* dead, std::string path) : path_(std::move(path)) {
        // Opened here rather than by pcap_dump_open so the error is errno's own words
        // and the stream gets a larger buffer.
        FILE* f = std::fopen(path_.c_str(), "wbe");
        if (!f) {
            fail(std::strerror(errno));
            return;
        }
        std::setvbuf(f, nullptr, _IOFBF, kFileBuffer);
        dumper_ = pcap_dump_fopen(dead, f);  // writes the file header; closes f on failure
        if (!dumper_) fail(pcap_geterr(dead));
    }
    ~File() { close(); }
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    bool writing() const { return dumper_ != nullptr; }
    const std::string& error() const { return error_; }

    void write(Time t, std::span<const std::uint8_t> bytes, std::size_t wire) {
        pcap_pkthdr header{};
        header.ts.tv_sec = static_cast<time_t>(t.ns / 1'000'000'000);
        // Nanoseconds, not microseconds: the dead handle below asks for nanosecond precision.
        header.ts.tv_usec = static_cast<suseconds_t>(t.ns % 1'000'000'000);
        header.caplen = static_cast<bpf_u_int32>(bytes.size());
        header.len = static_cast<bpf_u_int32>(wire);
        pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, bytes.data());
        if (std::ferror(pcap_dump_file(dumper_))) fail_and_close(errno);
    }

    // Flushes and closes; a failed flush is kept as the file's error.
    void close() {
        if (!dumper_) return;
        if (pcap_dump_flush(dumper_) != 0 || std::ferror(pcap_dump_file(dumper_))) {
            fail_and_close(errno);
            return;
        }
        // pcap_dump_close ignores fclose's result; everything was flushed and checked above.
        pcap_dump_close(dumper_);
        dumper_ = nullptr;
    }

private:
    void fail(const std::string& why) {
        if (error_.empty()) error_ = cannot_write(path_, why);
    }
    void fail_and_close(int err) {
        fail(std::strerror(err != 0 ? err : EIO));
        pcap_dump_close(dumper_);
        dumper_ = nullptr;
    }

    std::string path_;
    pcap_dumper_t* dumper_ = nullptr;
    std::string error_;
};

PcapView::PcapView(const std::vector<PcapCapture>& captures, EventFilterOptions filter)
    : filter_(std::move(filter)) {
    // Raw IPv4 with nanosecond timestamps (the nanosecond pcap magic), so no two
    // simulated times a nanosecond apart share a timestamp.
    pcap_t* dead =
        pcap_open_dead_with_tstamp_precision(DLT_RAW, kSnapLength, PCAP_TSTAMP_PRECISION_NANO);
    if (!dead) throw std::bad_alloc();  // its only failure
    for (const PcapCapture& c : captures) {
        if (by_host_.size() <= c.host) by_host_.resize(c.host + std::size_t{1}, nullptr);
        assert(!by_host_[c.host] && "one capture per host");
        files_.push_back(std::make_unique<File>(dead, c.path));
        if (files_.back()->writing()) by_host_[c.host] = files_.back().get();
    }
    pcap_close(dead);  // the dumpers keep no reference to it
}

PcapView::~PcapView() = default;

void PcapView::on_begin(const TraceNames& names) { filter_.resolve(names); }

void PcapView::on_event(const TraceEvent& e) {
    if (e.kind != TraceKind::Segment || e.host >= by_host_.size()) return;
    File* file = by_host_[e.host];
    if (!file || !file->writing()) return;
    switch (e.segment_event) {
        case SegmentEvent::Send:
        case SegmentEvent::Deliver:
            break;
        case SegmentEvent::Drop:
        case SegmentEvent::Duplicate:
        case SegmentEvent::Delay:
            return;  // on a link, not at the host; its send and deliver are captured
    }
    assert(e.has_conn && "hosts send and receive segments of a connection");
    if (!filter_.keep(e)) return;
    const std::size_t wire = encode_packet(e, packet_);
    file->write(e.t, packet_, wire);
    if (file->writing()) ++packets_;
}

void PcapView::on_finish(const TraceSummary&) {
    for (auto& f : files_) f->close();
}

std::vector<std::string> PcapView::errors() const {
    std::vector<std::string> out;
    for (const auto& f : files_)
        if (!f->error().empty()) out.push_back(f->error());
    return out;
}

}  // namespace tcpsim
