// Checks on the SVG the views write, shared by the view tests: well-formedness without an
// XML library, and the points of one labelled polyline.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tcpsim::test {

inline std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// Well-formed enough for an XML parser: every tag closed in order, every & an entity.
// Returns what is wrong, or "" when it is fine.
inline std::string xml_problem(const std::string& s) {
    std::vector<std::string> open;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '&') {
            const std::size_t semi = s.find(';', i);
            const std::string entity = s.substr(i, semi == std::string::npos ? 8 : semi - i + 1);
            if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" && entity != "&#39;" &&
                entity != "&apos;")
                return "bad entity " + entity;
            continue;
        }
        if (s[i] == '>') return "stray > at " + std::to_string(i);
        if (s[i] != '<') continue;
        const std::size_t end = s.find('>', i);
        if (end == std::string::npos) return "unclosed tag";
        const std::string tag = s.substr(i + 1, end - i - 1);
        if (tag.find('<') != std::string::npos) return "< inside a tag";
        i = end;
        if (tag.back() == '/') continue;
        const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" \n") - (tag[0] == '/' ? 1 : 0));
        if (tag[0] != '/') {
            open.push_back(name);
        } else {
            if (open.empty() || open.back() != name)
                return "</" + name + "> closes " + (open.empty() ? "nothing" : open.back());
            open.pop_back();
        }
    }
    return open.empty() ? "" : "<" + open.back() + "> never closed";
}

// The points attribute of the polyline whose title is `label`.
inline std::string points_of(const std::string& svg, const std::string& label) {
    const std::size_t title = svg.find("<title>" + label + "</title></polyline>");
    if (title == std::string::npos) return "";
    const std::size_t start = svg.rfind("points=\"", title) + 8;
    return svg.substr(start, svg.find('"', start) - start);
}

}  // namespace tcpsim::test
