// Reading JSON for the scenario loader: values that know their place in the file.
//
// A read either returns a C++ value or throws `Rejection`, a UserError naming the file,
// the JSON pointer, what was expected and what was found. Rejection never leaves the
// loader: load_scenario_text catches it and returns the UserError as a value. Throwing
// keeps each field's reading to one line instead of a check after every call.
//
//   Object host(node, {"address", "profile", "msl"});  // any other key is rejected
//   Ipv4 address = host.need("address", "an IPv4 address").ipv4();
//   if (auto msl = host.get("msl")) rules.msl = msl->duration();
//
// Private to sim/scenario: nlohmann stays at the edge (STYLE 10).
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tcpsim/core/error.hpp"
#include "tcpsim/core/time.hpp"
#include "tcpsim/net/address.hpp"

namespace tcpsim::scenario_json {

using Json = nlohmann::ordered_json;

struct Rejection {
    UserError error;
};

[[noreturn]] void reject(const std::string& file, std::string pointer, std::string expected,
                         std::string found);

// RFC 6901 escaping of one reference token: "~" -> "~0", "/" -> "~1".
std::string pointer_token(std::string_view key);

// `s` as a JSON string literal: "srv:80".
std::string json_string(std::string_view s);

// A value as `found` shows it: compact JSON, cut with "..." past about 60 characters.
std::string compact(const Json& value);

// "a, b, c": for the `expected` of a choice.
std::string join(const std::vector<std::string_view>& names);

// No scenario needs deeper nesting; the limit keeps deep input from ever being built.
inline constexpr std::size_t kMaxDepth = 64;

// Strict JSON (no comments, nothing after the value). A key given twice in one object is
// rejected: silently keeping the last one would hide a typo. Nesting deeper than
// kMaxDepth is rejected at the pointer of the first too-deep value.
Json parse_document(std::string_view text, const std::string& file);

// Applies one --set "PATH=VALUE" (see loader.hpp).
void apply_override(Json& doc, std::string_view assignment, const std::string& file);

// Why no TCP segment can come from or go to `ip` (the `expected` of an error), or none.
// Loopback is a separate question (is_loopback): a connect may go there, a host may not own it.
std::optional<std::string_view> not_unicast(Ipv4 ip);
inline constexpr std::string_view kLoopbackExpected =
    "an address outside 127.0.0.0/8 (loopback: a segment to it never leaves its host)";

// Letters, digits, '_' and '-': host and socket names.
bool is_name(std::string_view s);
inline constexpr std::string_view kNameExpected = "a name of letters, digits, '_' and '-'";

class Node {
  public:
    Node(const Json& value, std::string pointer, const std::string& file)
        : value_(&value), pointer_(std::move(pointer)), file_(&file) {}

    const Json& json() const { return *value_; }
    const std::string& pointer() const { return pointer_; }
    const std::string& file() const { return *file_; }

    [[noreturn]] void fail(std::string expected) const;  // found: the value itself
    [[noreturn]] void fail(std::string expected, std::string found) const;

    std::string string() const;
    std::string nonempty_string() const;
    std::string name() const;  // is_name()
    bool boolean() const;
    // Integers only (1.0 is rejected); `expected` is made from the range, and `why` the
    // range is what it is, when given, follows in parentheses.
    std::uint64_t integer(std::uint64_t lo = 0,
                          std::uint64_t hi = std::numeric_limits<std::uint64_t>::max(),
                          std::string_view why = {}) const;
    Duration duration() const;           // a string parse_duration accepts
    Duration positive_duration() const;  // and more than zero
    double probability() const;          // a number in [0, 1]
    Ipv4 ipv4() const;
    // An address a host or NAT can own: unicast, outside 0.0.0.0/8 and 127.0.0.0/8.
    Ipv4 host_ipv4() const;

    // A string mapped to a value by one of the model's parse_* functions.
    template <typename Parse>
    auto parsed(Parse parse, std::string_view expected) const {
        if (!value_->is_string()) fail(std::string(expected));
        auto result = parse(std::string_view(value_->get_ref<const std::string&>()));
        if (!result) fail(std::string(expected));
        return *result;
    }

    class Elements;
    // The elements of an array (fails unless the value is one).
    Elements elements(std::string_view expected) const;

  private:
    const Json* value_;
    std::string pointer_;
    const std::string* file_;
};

// An array's elements as Nodes, each made when it is reached: a long array costs no
// second copy of itself (a Node holds its pointer's text).
class Node::Elements {
  public:
    explicit Elements(const Node& array) : array_(array) {}
    std::size_t size() const { return array_.json().size(); }
    bool empty() const { return size() == 0; }
    Node operator[](std::size_t i) const {
        return Node(array_.json()[i], array_.pointer() + "/" + std::to_string(i), array_.file());
    }

    class iterator {
      public:
        iterator(const Elements& e, std::size_t i) : elements_(&e), i_(i) {}
        Node operator*() const { return (*elements_)[i_]; }
        iterator& operator++() {
            ++i_;
            return *this;
        }
        bool operator!=(const iterator& o) const { return i_ != o.i_; }

      private:
        const Elements* elements_;
        std::size_t i_;
    };
    iterator begin() const { return {*this, 0}; }
    iterator end() const { return {*this, size()}; }

  private:
    Node array_;
};

// An object whose keys have been checked: any key outside `allowed` is rejected.
class Object {
  public:
    Object(const Node& node, std::vector<std::string_view> allowed,
           std::string_view expected = "an object");
    // An object whose keys are data (host names, knob names), checked by the caller.
    static Object any_keys(const Node& node, std::string_view expected);

    // Narrows the allowed keys once a field ("call", "type") has said which apply;
    // `context` prefixes the list in the error ("with \"call\": \"send\"").
    void allow_only(std::vector<std::string_view> allowed, const std::string& context) const;

    const Node& node() const { return node_; }
    bool has(std::string_view key) const { return node_.json().contains(key); }
    std::optional<Node> get(std::string_view key) const;
    // A required field: a missing one fails at its own pointer with `expected`.
    Node need(std::string_view key, std::string_view expected) const;
    std::vector<std::pair<std::string, Node>> members() const;  // in file order

  private:
    explicit Object(Node node) : node_(std::move(node)) {}
    Node node_;
};

}  // namespace tcpsim::scenario_json
