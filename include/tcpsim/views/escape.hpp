// Making text from a scenario safe to show: a shared scenario file must not be able to
// forge lines in a terminal or run script in a browser.
//
//   terminal_safe("PASS\n\x1b[8m") == "PASS\\n\\x1b[8m"
//   xml_escape("</svg><script>") == "&lt;/svg&gt;&lt;script&gt;"
//   script_json_string("</script>") == "\"\\u003c/script\\u003e\""
#pragma once

#include <string>
#include <string_view>

namespace tcpsim {

// Control characters (C0, DEL, and C1 as UTF-8) written as \n, \t, \r, \\xHH or \\u00HH;
// a backslash is doubled only when it would start such an escape, so ordinary text is
// unchanged. Invalid UTF-8 bytes are written as \\xHH.
std::string terminal_safe(std::string_view text);

// &, <, >, " and ' as entities; control characters other than tab and newline dropped
// (XML 1.0 cannot carry them), invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text);

// A JSON string literal, quotes included, that can sit inside an HTML <script> element:
// besides JSON's own escapes (quote, backslash, control characters), <, > and & are
// written \u003c, \u003e, \u0026 (so no "</script>" or "<!--" can end or bend the
// element) and U+2028/U+2029 as \u2028/\u2029; invalid UTF-8 becomes \ufffd.
std::string script_json_string(std::string_view text);

}  // namespace tcpsim
