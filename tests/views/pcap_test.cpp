#include "tcpsim/views/pcap.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "trace_builders.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

// A capture file read back: its header fields and records, in the writer's byte order.
struct Record {
    std::uint32_t sec = 0;
    std::uint32_t nsec = 0;
    std::uint32_t caplen = 0;
    std::uint32_t len = 0;
    std::vector<std::uint8_t> bytes;
};
struct Capture {
    std::uint32_t magic = 0;
    std::uint16_t major = 0;
    std::uint16_t minor = 0;
    std::uint32_t snaplen = 0;
    std::uint32_t linktype = 0;
    std::vector<Record> records;
};

template <typename T>
T read_at(const std::vector<std::uint8_t>& data, std::size_t at) {
    T v{};
    REQUIRE(at + sizeof v <= data.size());
    std::memcpy(&v, data.data() + at, sizeof v);
    return v;
}

Capture read_capture(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in),
                                         std::istreambuf_iterator<char>()};
    Capture c;
    c.magic = read_at<std::uint32_t>(data, 0);
    c.major = read_at<std::uint16_t>(data, 4);
    c.minor = read_at<std::uint16_t>(data, 6);
    c.snaplen = read_at<std::uint32_t>(data, 16);
    c.linktype = read_at<std::uint32_t>(data, 20);
    for (std::size_t at = 24; at < data.size();) {
        Record r;
        r.sec = read_at<std::uint32_t>(data, at);
        r.nsec = read_at<std::uint32_t>(data, at + 4);
        r.caplen = read_at<std::uint32_t>(data, at + 8);
        r.len = read_at<std::uint32_t>(data, at + 12);
        REQUIRE(at + 16 + r.caplen <= data.size());
        r.bytes.assign(data.begin() + static_cast<std::ptrdiff_t>(at + 16),
                       data.begin() + static_cast<std::ptrdiff_t>(at + 16 + r.caplen));
        at += 16 + r.caplen;
        c.records.push_back(std::move(r));
    }
    return c;
}

// A file of this test process's own, so parallel runs do not meet.
std::filesystem::path temp_file(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("tcpsim_pcap_test_" + std::to_string(::getpid()) + "_" + name + ".pcap");
}

// A SYN the client sends at 0 and a link drops; the SYN retransmitted at 1 s, delivered
// to the server 10 ms and 1 ns later; the server's SYN-ACK.
Trace lost_syn_trace() {
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const SocketRef l = sock(trace, "l");
    const FourTuple conn = client_side();
    TraceEvent first =
        on(segment(0, kClient, c, SegmentEvent::Send, Flags::Syn, 1000, 0, 0, 65535), conn);
    first.segment = 1;
    trace.record(first);
    TraceEvent lost =
        on(segment(0, kClient, c, SegmentEvent::Drop, Flags::Syn, 1000, 0, 0, 65535), conn);
    lost.segment = 1;
    lost.reason = LinkReason::Loss;
    trace.record(lost);
    TraceEvent again =
        on(segment(1000, kClient, c, SegmentEvent::Send, Flags::Syn, 1000, 0, 0, 65535), conn);
    again.segment = 2;
    trace.record(again);
    TraceEvent arrives =
        on(segment(1010, kServer, l, SegmentEvent::Deliver, Flags::Syn, 1000, 0, 0, 65535),
           conn.reversed());
    arrives.t = arrives.t + nanoseconds(1);
    arrives.segment = 2;
    trace.record(arrives);
    TraceEvent reply = on(segment(1010, kServer, l, SegmentEvent::Send, Flags::Syn | Flags::Ack,
                                  5000, 1001, 0, 65535),
                          conn.reversed());
    reply.t = arrives.t;
    reply.segment = 3;
    trace.record(reply);
    trace.record(on(state(1010, kServer, l, State::Listen, State::SynReceived, Cause::None),
                    conn.reversed()));
    trace.finish({RunEnd::Quiescent, ms(1010), 5});
    return trace;
}

}  // namespace

TEST_CASE(
    "a capture is raw IPv4 with nanosecond timestamps and the largest IPv4 packet as snap length") {
    const auto path = temp_file("header");
    {
        PcapView view({{kServer, path.string()}});
        replay(lost_syn_trace(), view);
        CHECK(view.errors().empty());
    }
    const Capture c = read_capture(path);
    CHECK(c.magic == 0xa1b23c4d);  // the nanosecond-resolution pcap magic
    CHECK(c.major == 2);
    CHECK(c.minor == 4);
    CHECK(c.snaplen == 65535);
    CHECK(c.linktype == 101);  // LINKTYPE_RAW
    std::filesystem::remove(path);
}

TEST_CASE("a host's capture holds what it sent and what reached it, at their simulated times") {
    const auto client_path = temp_file("client");
    const auto server_path = temp_file("server");
    PcapView view({{kClient, client_path.string()}, {kServer, server_path.string()}});
    replay(lost_syn_trace(), view);
    REQUIRE(view.errors().empty());
    CHECK(view.packets() == 4);

    // The client sent both SYNs, the lost one included (the link lost it after the
    // capture point); the drop itself is not a packet.
    const Capture client = read_capture(client_path);
    REQUIRE(client.records.size() == 2);
    CHECK(client.records[0].sec == 0);
    CHECK(client.records[0].nsec == 0);
    CHECK(client.records[1].sec == 1);
    CHECK(client.records[1].nsec == 0);
    CHECK(client.records[0].bytes[5] == 1);  // IP id: the segment id
    CHECK(client.records[1].bytes[5] == 2);

    // The server saw the second SYN arrive and sent its SYN-ACK, 1.010000001 s in.
    const Capture server = read_capture(server_path);
    REQUIRE(server.records.size() == 2);
    CHECK(server.records[0].sec == 1);
    CHECK(server.records[0].nsec == 10'000'001);
    CHECK(server.records[0].bytes[33] == 0x02);  // SYN
    CHECK(std::vector<std::uint8_t>(server.records[0].bytes.begin() + 12,
                                    server.records[0].bytes.begin() + 16) ==
          std::vector<std::uint8_t>{10, 0, 0, 1});  // from the client
    CHECK(server.records[1].bytes[33] == 0x12);     // SYN|ACK
    CHECK(std::vector<std::uint8_t>(server.records[1].bytes.begin() + 12,
                                    server.records[1].bytes.begin() + 16) ==
          std::vector<std::uint8_t>{10, 0, 0, 2});
    CHECK(server.records[1].caplen == 40);
    CHECK(server.records[1].len == 40);
    std::filesystem::remove(client_path);
    std::filesystem::remove(server_path);
}

TEST_CASE("a capture's time window narrows it as --from and --until narrow the timeline") {
    const auto path = temp_file("window");
    EventFilterOptions window;
    window.from = ms(500);
    window.until = ms(1000);
    PcapView view({{kClient, path.string()}}, window);
    replay(lost_syn_trace(), view);
    CHECK(view.packets() == 1);
    const Capture c = read_capture(path);
    REQUIRE(c.records.size() == 1);
    CHECK(c.records[0].sec == 1);
    std::filesystem::remove(path);
}

TEST_CASE(
    "a segment without its bytes is recorded cut short: captured headers, the length on the wire") {
    const auto path = temp_file("short");
    Trace trace = two_hosts();
    TraceEvent data = on(segment(5, kClient, sock(trace, "c"), SegmentEvent::Send,
                                 Flags::Psh | Flags::Ack, 1, 1, 100, 65535),
                         client_side());
    trace.record(data);  // a kept trace drops the payload
    trace.finish({RunEnd::Quiescent, ms(5), 1});
    PcapView view({{kClient, path.string()}});
    replay(trace, view);
    const Capture c = read_capture(path);
    REQUIRE(c.records.size() == 1);
    CHECK(c.records[0].caplen == 40);
    CHECK(c.records[0].len == 140);
    std::filesystem::remove(path);
}

TEST_CASE("a capture that cannot be opened says so at once, naming the file") {
    PcapView view({{kClient, "/nonexistent-directory/x.pcap"}});
    CHECK(view.errors() ==
          std::vector<std::string>{
              "cannot write /nonexistent-directory/x.pcap: No such file or directory"});
    replay(lost_syn_trace(), view);
    CHECK(view.packets() == 0);
}

TEST_CASE("a capture whose writes fail reports the lost write once the run ends") {
    PcapView view({{kClient, "/dev/full"}});
    CHECK(view.errors().empty());  // the file header is still in the stream's buffer
    replay(lost_syn_trace(), view);
    CHECK(view.errors() ==
          std::vector<std::string>{"cannot write /dev/full: No space left on device"});
}
