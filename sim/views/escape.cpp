#include "tcpsim/views/escape.hpp"

#include <cstdint>
#include <cstdio>

namespace tcpsim {
namespace {

// The length of the valid UTF-8 sequence at text[i], or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    std::uint32_t min = 0;
    if (b0 < 0x80) return 1;
    if ((b0 & 0xe0) == 0xc0) {
        n = 2;
        min = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
        n = 3;
        min = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > text.size()) return 0;
    std::uint32_t cp = b0 & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        if ((b & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

std::uint32_t code_point(std::string_view text, std::size_t i, std::size_t n) {
    if (n == 1) return static_cast<unsigned char>(text[i]);
    std::uint32_t cp = static_cast<unsigned char>(text[i]) & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    return cp;
}

void append_hex(std::string& out, const char* format, unsigned value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, format, value);
    out += buf;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_length(text, i);
        if (n == 0) {
            append_hex(out, "\\x%02x", static_cast<unsigned char>(text[i]));
            ++i;
            continue;
        }
        const std::uint32_t cp = code_point(text, i, n);
        if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp < 0x20 || cp == 0x7f) {
            append_hex(out, "\\x%02x", cp);
        } else if (cp >= 0x80 && cp < 0xa0) {
            append_hex(out, "\\u%04x", cp);
        } else if (cp == '\\' && i + 1 < text.size() &&
                   (text[i + 1] == 'x' || text[i + 1] == 'u' || text[i + 1] == 'n' || text[i + 1] == 't' ||
                    text[i + 1] == 'r' || text[i + 1] == '\\')) {
            out += "\\\\";
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_length(text, i);
        if (n == 0) {
            out += "\xef\xbf\xbd";  // U+FFFD
            ++i;
            continue;
        }
        const std::uint32_t cp = code_point(text, i, n);
        switch (cp) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
                    cp == 0xfffe || cp == 0xffff)
                    break;
                out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

std::string script_json_string(std::string_view text) {
    std::string out = "\"";
    out.reserve(text.size() + 2);
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_length(text, i);
        if (n == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        const std::uint32_t cp = code_point(text, i, n);
        switch (cp) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            case '<':
            case '>':
            case '&':
            case 0x2028:
            case 0x2029: append_hex(out, "\\u%04x", cp); break;
            default:
                if (cp < 0x20)
                    append_hex(out, "\\u%04x", cp);
                else
                    out.append(text.substr(i, n));
        }
        i += n;
    }
    out += '"';
    return out;
}

}  // namespace tcpsim
