#include "tcpsim/views/ladder_svg.hpp"

#include <doctest/doctest.h>

#include <regex>

#include "ladder_builders.hpp"
#include "tcpsim/views/escape.hpp"
#include "tcpsim/views/explanation.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

std::string svg_of(const Trace& trace, LadderSvgOptions options = {}) {
    std::ostringstream out;
    write_ladder_svg(out, ladder_of(trace), options);
    return out.str();
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// The first <line> of the segment group with this id.
std::array<double, 4> arrow(const std::string& svg, std::uint64_t id) {
    const std::regex line("data-segment=\"" + std::to_string(id) +
                          "\"[\\s\\S]*?<line[^>]* x1=\"([0-9.]+)\" y1=\"([0-9.]+)\" x2=\"([0-9.]+)\" y2=\"([0-9.]+)\"");
    std::smatch m;
    REQUIRE(std::regex_search(svg, m, line));
    return {std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])};
}

}  // namespace

TEST_CASE("ladder SVG draws an arrow per segment, a cross for the lost one and a dashed copy for the duplicate") {
    const std::string svg = svg_of(story());
    CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(count(svg, "<g class=\"segment ") == 3);
    CHECK(count(svg, "class=\"cross\"") == 1);
    CHECK(count(svg, "<line class=\"copy\"") == 1);
    CHECK(count(svg, "data-fate=\"dropped\"") == 1);
    CHECK(count(svg, "data-fate=\"duplicated\"") == 1);
    CHECK(svg.find(">lost (fault: lose the client&#39;s ACK)<") != std::string::npos);
    CHECK(svg.find("<script") == std::string::npos);
}

TEST_CASE("ladder SVG slopes an arrow by its delay: a typical delay is 60 px down") {
    const std::string svg = svg_of(story());
    const auto syn = arrow(svg, 1);
    CHECK(syn[2] > syn[0]);  // client (left) to server (right)
    CHECK(syn[3] - syn[1] == doctest::Approx(60.0));
    const auto synack = arrow(svg, 2);
    CHECK(synack[2] < synack[0]);
    CHECK(synack[3] - synack[1] == doctest::Approx(60.0));
    // The lost ACK stops halfway, where it was lost.
    const auto ack = arrow(svg, 3);
    CHECK(ack[2] - ack[0] == doctest::Approx((syn[2] - syn[0]) / 2));
    CHECK(ack[3] - ack[1] == doctest::Approx(30.0));
}

TEST_CASE("ladder SVG draws TIME_WAIT as a bar with its length beside the host's line") {
    const std::string svg = svg_of(story());
    CHECK(count(svg, "<g class=\"timer time_wait\" data-host=\"client\"") == 1);
    CHECK(svg.find(">TIME_WAIT 60s</text>") != std::string::npos);
    CHECK(svg.find(">ends 61.000</text>") != std::string::npos);
}

TEST_CASE("ladder SVG shortens quiet stretches and writes the time that passed") {
    const std::string svg = svg_of(story());
    CHECK(count(svg, "<g class=\"quiet\">") == 2);
    CHECK(svg.find(">979ms later</text>") != std::string::npos);
    CHECK(svg.find(">60s later</text>") != std::string::npos);
}

TEST_CASE("ladder SVG elements carry their steps and explain them in a tooltip") {
    const std::string svg = svg_of(story());
    CHECK(svg.find("data-segment=\"2\" data-from=\"server\" data-to=\"client\" data-fate=\"duplicated\" "
                   "data-step=\"7\" data-steps=\"7 8 12\"") != std::string::npos);
    CHECK(svg.find("data-segment=\"3\" data-from=\"client\" data-to=\"server\" data-fate=\"dropped\" "
                   "data-step=\"10\" data-steps=\"10 11\"") != std::string::npos);
    const TraceEvent connect = state(0, kClient, {}, State::Closed, State::SynSent, Cause::Connect);
    CHECK(svg.find("<g class=\"state\" data-host=\"client\" data-state=\"SYN_SENT\" data-step=\"3\"><title>0.000  "
                   "client c: CLOSED -&gt; SYN_SENT (connect)\n" +
                   xml_escape(explain(connect)) + "</title>") != std::string::npos);
    CHECK(svg.find("<g class=\"decision\" data-host=\"client\" data-step=\"13\"><title>0.021  client c: segment "
                   "fails the sequence test: ACK, dropped\n" +
                   xml_escape(std::string(explanation(Cause::Unacceptable)))) != std::string::npos);
    CHECK(svg.find("0.020  ACK seq 1 ack 1 from client is lost\nThe scenario&#39;s fault &quot;lose the client&#39;s "
                   "ACK&quot; dropped it.") != std::string::npos);
}

TEST_CASE("ladder SVG writes scenario text as text: no markup, quotes or control characters get through") {
    Trace trace = story();
    trace.add_fault("</svg><script>alert('f')</script>");
    LadderSvgOptions page;
    page.title = "<svg onload=\"alert(1)\">";
    page.description = "</svg><script>alert(\"x\")</script> 'single' \x01\x1b[31m & more";
    const std::string svg = svg_of(trace, page);
    CHECK(count(svg, "<svg") == 1);
    CHECK(count(svg, "</svg>") == 1);
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(svg.find('\x01') == std::string::npos);
    CHECK(svg.find('\x1b') == std::string::npos);
    CHECK(svg.find(">&lt;svg onload=&quot;alert(1)&quot;&gt;</text>") != std::string::npos);
    CHECK(svg.find("&lt;/svg&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;single&#39; [31m &amp; more") !=
          std::string::npos);
}

TEST_CASE("ladder SVG of an empty run is still a picture") {
    Trace trace = two_hosts();
    trace.finish({RunEnd::Quiescent, ms(0), 0});
    const std::string svg = svg_of(trace, {"empty", ""});
    CHECK(svg.starts_with("<svg"));
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(count(svg, "<g class=\"segment") == 0);
}

TEST_CASE("ladder SVG draws a segment a host sends itself as a loop out of its line and back") {
    Trace trace = two_hosts();
    const FourTuple self{{Ipv4::parse("10.0.0.1").value(), 40000}, {Ipv4::parse("10.0.0.1").value(), 80}};
    trace.record(seg(SegmentEvent::Send, 0, kClient, {}, 1, Flags::Syn, 0, 0, self));
    trace.record(seg(SegmentEvent::Deliver, 0, kClient, {}, 1, Flags::Syn, 0, 0, self.reversed()));
    trace.finish({RunEnd::Quiescent, ms(0), 2});
    const std::string svg = svg_of(trace);
    CHECK(count(svg, "data-from=\"client\" data-to=\"client\"") == 1);
    CHECK(count(svg, "marker-end=\"url(#tcpsim-head)\"") == 1);
    CHECK(svg.find("<path d=\"M") != std::string::npos);
}

TEST_CASE("ladder SVG writes each step's row on its root when asked, for a step-through page") {
    // A row per step, 20 px apart within a time; a loss and a timer on their step's row.
    LadderSvgOptions rows;
    rows.step_rows = true;
    CHECK(svg_of(story(), rows)
              .starts_with(R"(<svg xmlns="http://www.w3.org/2000/svg" width="817.5" height="718.0" )"
                           R"(viewBox="0 0 817.5 718.0" data-rows="112.0 132.0 152.0 172.0 192.0 252.0 272.0 )"
                           R"(292.0 352.0 372.0 392.0 392.0 472.0 492.0 556.0 556.0 620.0 620.0">)"));
    CHECK(svg_of(story()).find("data-rows") == std::string::npos);
}
