#include "tcpsim/views/html_report.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "ladder_builders.hpp"
#include "tcpsim/views/escape.hpp"

using namespace tcpsim;
using namespace tcpsim::test;
using Json = nlohmann::json;

namespace {

std::string page_of(const Trace& trace, HtmlReportOptions options = {}, LadderOptions ladder = {}) {
    std::ostringstream out;
    write_html_report(out, ladder_of(trace, std::move(ladder)), options);
    return out.str();
}

constexpr std::string_view kDataOpen = "<script type=\"application/json\" id=\"tcpsim-data\">";

// The JSON block's text, as the page's script reads it.
std::string data_text(const std::string& page) {
    const std::size_t from = page.find(kDataOpen);
    REQUIRE(from != std::string::npos);
    const std::size_t begin = from + kDataOpen.size();
    const std::size_t end = page.find("</script>", begin);
    REQUIRE(end != std::string::npos);
    return page.substr(begin, end - begin);
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

}  // namespace

TEST_CASE("HTML report embeds each ladder step with its time, host, kind, text, explanation and rule") {
    const Json data = Json::parse(data_text(page_of(story(), {"story", "a handshake"})));
    CHECK(data["title"] == "story");
    CHECK(data["description"] == "a handshake");
    CHECK(data["capped"] == "");
    const Json& steps = data["steps"];
    REQUIRE(steps.size() == 18);
    std::vector<std::string> kinds;
    for (const Json& s : steps) kinds.push_back(s["kind"]);
    CHECK(kinds == std::vector<std::string>{"call", "state", "call", "state", "send", "arrive", "state", "send",
                                            "arrive", "state", "send", "lose", "arrive", "decision", "state", "timer",
                                            "timer", "state"});
    CHECK(steps[11] == Json{{"t", "0.020"},
                            {"t_ns", 20'000'000},
                            {"host", "client"},
                            {"socket", "c"},
                            {"kind", "lose"},
                            {"text", "ACK seq 1 ack 1 from client is lost"},
                            {"explanation", "The scenario's fault \"lose the client's ACK\" dropped it."},
                            {"rule", ""},
                            {"x", 126.0}});
    // The rule on its own, and the sentence without it in brackets.
    CHECK(steps[14]["text"] == "client c: ESTABLISHED -> TIME_WAIT (rcv FIN)");
    CHECK(steps[14]["rule"] == "RFC 9293 3.10.7.4");
    CHECK(steps[14]["explanation"].get<std::string>().starts_with("The peer's FIN arrived: "));
    CHECK(steps[14]["explanation"].get<std::string>().ends_with("before its 4-tuple is used again."));
    CHECK(steps[13]["rule"] == "RFC 9293 3.10.7.4 (Table 6)");
    CHECK(steps[17]["t"] == "61.000");
    CHECK(steps[17]["rule"] == "RFC 9293 3.10.8");
}

TEST_CASE("HTML report keeps a band per socket as its state changes, by host column") {
    const Json data = Json::parse(data_text(page_of(story())));
    CHECK(data["bands"] == Json::parse(R"([
        {"label": "client c", "host": "client", "socket": "c", "initial": null,
         "changes": [[3, "SYN_SENT"], [9, "ESTABLISHED"], [14, "TIME_WAIT"], [17, "CLOSED"]]},
        {"label": "server l", "host": "server", "socket": "l", "initial": null, "changes": [[1, "LISTEN"]]},
        {"label": "server s", "host": "server", "socket": "s", "initial": null, "changes": [[6, "SYN_RECEIVED"]]}
    ])"));
    CHECK(data["fills"]["TIME_WAIT"] == "#ffe0b2");
    CHECK(data["fills"].size() == 11);
}

TEST_CASE("HTML report: a band whose first change falls in the window starts in that change's from-state") {
    LadderOptions window;
    window.from = ms(500);
    const Json data = Json::parse(data_text(page_of(story(), {}, window)));
    REQUIRE(data["bands"].size() == 1);
    CHECK(data["bands"][0]["label"] == "client c");
    CHECK(data["bands"][0]["initial"] == "ESTABLISHED");
    CHECK(data["bands"][0]["changes"] == Json::parse(R"([[0, "TIME_WAIT"], [3, "CLOSED"]])"));
}

TEST_CASE("HTML report draws the steps' times left to right, a quiet stretch short") {
    const Json data = Json::parse(data_text(page_of(story())));
    // 10 ms (a typical delay) is 24 px, 1 ms the 8 px minimum, 979 ms and 60 s 30 px each.
    std::vector<double> xs;
    for (const Json& s : data["steps"]) xs.push_back(s["x"]);
    CHECK(xs[0] == 78.0);
    CHECK(xs[5] == 102.0);
    CHECK(xs[8] == 126.0);
    CHECK(xs[12] == 134.0);
    CHECK(xs[14] == 164.0);
    CHECK(xs[17] == 194.0);
    const std::string page = page_of(story());
    CHECK(page.find(">+979ms</text>") != std::string::npos);
    CHECK(page.find(">+60s</text>") != std::string::npos);
    CHECK(page.find("<title>client c TIME_WAIT: 1.000 to 61.000 (60s)</title>") != std::string::npos);
}

TEST_CASE("HTML report is one page: the ladder inline, a policy forbidding fetches, two scripts") {
    const std::string page = page_of(story(), {"story", ""});
    CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                           "style-src 'unsafe-inline'; script-src 'sha256-"));
    CHECK(page.ends_with("</script>\n</body>\n</html>\n"));
    CHECK(count(page, "<script") == 2);
    CHECK(count(page, "<svg xmlns=\"http://www.w3.org/2000/svg\"") == 2);  // the ladder and the bands
    CHECK(count(page, "<g class=\"segment ") == 3);
    CHECK(page.find("<h1>story</h1>") != std::string::npos);
    CHECK(page.find("src=") == std::string::npos);
    CHECK(page.find("href=") == std::string::npos);
    CHECK(page.find("class=\"r-capped\"") == std::string::npos);
}

TEST_CASE("HTML report says on the page when the ladder is capped") {
    LadderOptions capped;
    capped.max_segments = 1;
    const std::string page = page_of(story(), {}, capped);
    const std::string message = "ladder: 3 segments, showing the first 1; narrow it with --socket/--from/--until";
    CHECK(page.find("<p class=\"r-capped\">" + message + "</p>") != std::string::npos);
    CHECK(Json::parse(data_text(page))["capped"] == message);
}

TEST_CASE("HTML report of an empty run says there is nothing to step through") {
    Trace trace = two_hosts();
    trace.finish({RunEnd::Quiescent, ms(0), 0});
    const std::string page = page_of(trace);
    CHECK(page.find("Nothing to step through") != std::string::npos);
    CHECK(Json::parse(data_text(page))["steps"].empty());
}

TEST_CASE("HTML report's data cannot end its script element: < > & U+2028 U+2029 are \\u escapes") {
    const std::string hostile = "</script><!--<script>alert('x')</script>\"\\ & \x1b[31m \xe2\x80\xa8 \xe2\x80\xa9 \xff";
    // A SYN lost to a fault whose description is the hostile text.
    Trace trace = two_hosts();
    const SocketRef c = sock(trace, "c");
    const std::int32_t fault = trace.add_fault(hostile);
    const FourTuple conn = client_side();
    trace.record(on(state(0, kClient, c, State::Closed, State::SynSent, Cause::Connect), conn));
    trace.record(seg(SegmentEvent::Send, 0, kClient, c, 1, Flags::Syn, 0, 0, conn));
    TraceEvent hit = seg(SegmentEvent::Send, 0, kClient, c, 1, Flags::Syn, 0, 0, conn);
    hit.kind = TraceKind::Link;
    hit.link = LinkEvent::Fault;
    hit.fault = fault;
    trace.record(hit);
    trace.record(link_drop(0, kClient, c, 1, Flags::Syn, 0, 0, conn, LinkReason::Fault));
    trace.finish({RunEnd::Quiescent, ms(0), 4});
    const std::string page = page_of(trace, {hostile, hostile});
    const std::string data = data_text(page);
    CHECK(data.find_first_of("<>&") == std::string::npos);
    CHECK(data.find("\xe2\x80\xa8") == std::string::npos);
    CHECK(data.find("\xe2\x80\xa9") == std::string::npos);
    CHECK(data.find('\x1b') == std::string::npos);
    CHECK(data.find(R"("title":"\u003c/script\u003e\u003c!--\u003cscript\u003ealert('x')\u003c/script\u003e\"\\ )"
                    R"(\u0026 \u001b[31m \u2028 \u2029 \ufffd")") != std::string::npos);
    const Json parsed = Json::parse(data);
    const std::string valid = hostile.substr(0, hostile.size() - 1) + "\xef\xbf\xbd";
    CHECK(parsed["description"] == valid);
    REQUIRE(parsed["steps"].size() == 3);
    CHECK(parsed["steps"][2]["explanation"] == "The scenario's fault \"" + valid + "\" dropped it.");
    CHECK(count(page, "<script") == 2);
    CHECK(count(page, "</script>") == 2);
    CHECK(page.find("<h1>&lt;/script&gt;&lt;!--&lt;script&gt;alert(&#39;x&#39;)") != std::string::npos);
}

TEST_CASE("script_json_string writes JSON's escapes and HTML's dangerous characters as \\u escapes") {
    CHECK(script_json_string("plain") == "\"plain\"");
    CHECK(script_json_string("</script>") == R"("\u003c/script\u003e")");
    CHECK(script_json_string("a&b") == R"("a\u0026b")");
    CHECK(script_json_string("\"\\\n\t\r\x01") == R"("\"\\\n\t\r\u0001")");
    CHECK(script_json_string("\xe2\x80\xa8\xe2\x80\xa9") == R"("\u2028\u2029")");
    CHECK(script_json_string("caf\xc3\xa9 \xff") == "\"caf\xc3\xa9 \\ufffd\"");
}
