#include "json_reader.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

namespace tcpsim::scenario_json {
namespace {

constexpr std::size_t kFoundLimit = 60;
constexpr std::string_view kDurationExpected = R"(a duration with a unit, such as "200ms")";
// Every duration and time in a scenario. A run adds a few of them up (a time, a link delay,
// jitter, a fault's delay...): sums of capped values stay far below the 292 years int64 ns
// hold, and no scenario needs a longer run.
constexpr Duration kMaxDuration = minutes(60 * 24 * 100);
constexpr std::string_view kTooLongExpected = "a duration of at most 2400h (100 days)";

void render(const Json& v, std::string& out) {
    // Stopping at the limit also bounds the recursion on deeply nested input.
    if (out.size() > kFoundLimit) return;
    switch (v.type()) {
        case Json::value_t::object: {
            out += '{';
            for (auto it = v.begin(); it != v.end() && out.size() <= kFoundLimit; ++it) {
                if (it != v.begin()) out += ',';
                out += json_string(it.key());
                out += ':';
                render(it.value(), out);
            }
            out += '}';
            break;
        }
        case Json::value_t::array: {
            out += '[';
            for (auto it = v.begin(); it != v.end() && out.size() <= kFoundLimit; ++it) {
                if (it != v.begin()) out += ',';
                render(*it, out);
            }
            out += ']';
            break;
        }
        case Json::value_t::null:
        case Json::value_t::string:
        case Json::value_t::boolean:
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float:
        case Json::value_t::binary:
        case Json::value_t::discarded:
            out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
            break;
    }
}

// Builds the document from SAX events so that every syntax error (including a number too
// large for a double, which nlohmann's DOM parser reports without a position) comes with
// its byte offset, so that a repeated key is caught, and so that nothing deeper than
// kMaxDepth is ever built. Each open container collects its members in a frame of its own
// and is moved into its parent, whole and at its final size, when it closes: nlohmann's
// ordered_map would copy every member, recursively, each time it grew (its elements have
// const keys, so they cannot be moved).
class DomBuilder {
  public:
    // `depth` containers and `pointer` lie above the value parsed (a --set value's place).
    DomBuilder(Json& root, std::size_t depth, std::string pointer)
        : root_(root), depth_(depth), pointer_(std::move(pointer)) {}

    bool null() { return put(nullptr); }
    bool boolean(bool v) { return put(v); }
    bool number_integer(Json::number_integer_t v) { return put(v); }
    bool number_unsigned(Json::number_unsigned_t v) { return put(v); }
    bool number_float(Json::number_float_t v, const Json::string_t&) { return put(v); }
    bool string(Json::string_t& v) { return put(std::move(v)); }
    bool binary(Json::binary_t&) { return false; }  // JSON text has no binary values
    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(Json::string_t& k) {
        Frame& top = stack_.back();
        if (top.has(k)) {
            problem_pointer_ = pointer_of(stack_.size() - 1) + "/" + pointer_token(k);
            problem_ = Problem::Duplicate;
            return false;
        }
        top.members.emplace_back(std::move(k), nullptr);  // its value comes next
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::json::exception& e) {
        error_position_ = position;
        error_what_ = e.what();
        return false;
    }

    enum class Problem : std::uint8_t { Syntax, Duplicate, TooDeep };
    Problem problem() const { return problem_; }
    const std::string& problem_pointer() const { return problem_pointer_; }
    std::size_t error_position() const { return error_position_; }
    const std::string& error_what() const { return error_what_; }
    // "an array 65 levels deep", for a TooDeep problem.
    std::string too_deep_found() const {
        return std::string(deep_kind_) + " " + std::to_string(kMaxDepth + 1) + " levels deep";
    }

  private:
    struct Frame {
        bool object = false;
        std::vector<Json> elements;                        // arrays
        std::vector<std::pair<std::string, Json>> members; // objects, in file order
        std::unordered_set<std::string> keys;              // big objects: members' keys

        bool has(const std::string& k) {
            // A scan is quickest for the small objects of a scenario; a set keeps big ones linear.
            constexpr std::size_t kScanned = 16;
            if (members.size() < kScanned) {
                return std::any_of(members.begin(), members.end(), [&](const auto& m) { return m.first == k; });
            }
            if (keys.empty()) {
                for (const auto& m : members) keys.insert(m.first);
            }
            return !keys.insert(k).second;
        }
        // Where the next value goes, as a reference token.
        std::string next_token() const {
            return object ? pointer_token(members.back().first) : std::to_string(elements.size());
        }
    };

    // The pointer of stack_[level]'s container; level == stack_.size(): of the next value
    // the top frame receives.
    std::string pointer_of(std::size_t level) const {
        std::string p = pointer_;
        for (std::size_t i = 0; i < level; ++i) p += "/" + stack_[i].next_token();
        return p;
    }

    bool put(Json v) {
        if (stack_.empty()) {
            root_ = std::move(v);
        } else if (Frame& top = stack_.back(); top.object) {
            top.members.back().second = std::move(v);
        } else {
            top.elements.push_back(std::move(v));
        }
        return true;
    }
    bool open(bool object) {
        if (depth_ + stack_.size() >= kMaxDepth) {
            problem_pointer_ = pointer_of(stack_.size());
            problem_ = Problem::TooDeep;
            deep_kind_ = object ? "an object" : "an array";
            return false;
        }
        stack_.emplace_back();
        stack_.back().object = object;
        return true;
    }
    bool close() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        Json v;
        if (f.object) {
            v = Json::object();
            auto& members = v.get_ref<Json::object_t&>();
            members.reserve(f.members.size());
            // ordered_map is a vector: emplace_back moves both key and value in.
            for (auto& [k, value] : f.members) members.emplace_back(std::move(k), std::move(value));
        } else {
            f.elements.shrink_to_fit();
            v = Json::array();
            v.get_ref<Json::array_t&>() = std::move(f.elements);
        }
        return put(std::move(v));
    }

    Json& root_;
    std::size_t depth_;
    std::string pointer_;
    std::vector<Frame> stack_;
    Problem problem_ = Problem::Syntax;
    std::string problem_pointer_;
    const char* deep_kind_ = "";
    std::size_t error_position_ = 0;
    std::string error_what_;
};

// "syntax error at line 3, column 7: unexpected '}'; expected string literal".
std::string describe_syntax_error(std::string_view text, std::size_t position,
                                  const std::string& what) {
    // nlohmann counts the offending character as read: it is at position - 1.
    const std::size_t index = std::min(position == 0 ? 0 : position - 1, text.size());
    const std::size_t line =
        1 + static_cast<std::size_t>(
                std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(index), '\n'));
    const std::size_t newline = index == 0 ? std::string_view::npos : text.rfind('\n', index - 1);
    const std::size_t column = newline == std::string_view::npos ? index + 1 : index - newline;
    // Drop nlohmann's "[json.exception...] parse error at ...: syntax error while parsing X - ".
    std::string reason = what;
    if (auto dash = reason.find(" - "); dash != std::string::npos) {
        reason.erase(0, dash + 3);
    } else if (auto bracket = reason.find("] "); bracket != std::string::npos) {
        reason.erase(0, bracket + 2);
    }
    return "syntax error at line " + std::to_string(line) + ", column " + std::to_string(column) +
           ": " + reason;
}

struct ParseOutcome {
    Json value;
    bool ok = false;
    bool syntax_error = false;    // otherwise a duplicate key or too deep, at problem_pointer
    std::string problem_pointer;
    std::string expected;
    std::string problem;          // the `found` text
};

// `depth` and `pointer`: the place in the document the text's value will take.
ParseOutcome parse_strict(std::string_view text, std::size_t depth = 0, std::string pointer = "") {
    ParseOutcome out;
    DomBuilder builder(out.value, depth, std::move(pointer));
    out.ok = Json::sax_parse(text.begin(), text.end(), &builder);
    if (out.ok) return out;
    switch (builder.problem()) {
        case DomBuilder::Problem::Syntax:
            out.syntax_error = true;
            out.expected = "valid JSON";
            out.problem = describe_syntax_error(text, builder.error_position(), builder.error_what());
            break;
        case DomBuilder::Problem::Duplicate:
            out.expected = "each key once in an object";
            out.problem = "a key given twice";
            break;
        case DomBuilder::Problem::TooDeep:
            out.expected = "at most " + std::to_string(kMaxDepth) + " levels of nesting";
            out.problem = builder.too_deep_found();
            break;
    }
    out.problem_pointer = builder.problem_pointer();
    return out;
}

std::optional<std::size_t> array_index(std::string_view token) {
    if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
    std::size_t i = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
    if (ec != std::errc{} || end != token.data() + token.size()) return std::nullopt;
    return i;
}

Json* child(Json& parent, const std::string& token) {
    if (parent.is_object()) {
        auto it = parent.find(token);
        return it == parent.end() ? nullptr : &*it;
    }
    if (parent.is_array()) {
        auto i = array_index(token);
        return i && *i < parent.size() ? &parent[*i] : nullptr;
    }
    return nullptr;
}

// object[key] = value without operator[]: adding a key may grow the ordered_map, which
// copies every member recursively; here the members are moved to the larger storage.
void set_member(Json& object, const std::string& key, Json value) {
    if (auto it = object.find(key); it != object.end()) {
        *it = std::move(value);
        return;
    }
    auto& members = object.get_ref<Json::object_t&>();
    if (members.size() == members.capacity()) {
        Json::object_t grown;
        grown.reserve(2 * members.size() + 1);
        for (auto& [k, v] : members) grown.emplace_back(k, std::move(v));
        members.swap(grown);
    }
    members.emplace_back(key, std::move(value));
}

constexpr std::string_view kSetExpected =
    "--set PATH=VALUE, PATH a JSON pointer (/links/0/delay) or a dotted path (links.0.delay)";

// The reference tokens of a --set PATH, unescaped.
std::vector<std::string> path_tokens(std::string_view assignment, std::string_view path,
                                     const std::string& file) {
    auto bad = [&] { reject(file, "", std::string(kSetExpected), json_string(assignment)); };
    if (path.empty()) bad();
    std::vector<std::string> tokens;
    const bool pointer = path[0] == '/';
    const char sep = pointer ? '/' : '.';
    std::size_t start = pointer ? 1 : 0;
    while (true) {
        const std::size_t end = std::min(path.find(sep, start), path.size());
        std::string_view raw = path.substr(start, end - start);
        std::string token;
        if (pointer) {
            for (std::size_t i = 0; i < raw.size(); ++i) {
                if (raw[i] != '~') {
                    token += raw[i];
                } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                    token += raw[++i] == '0' ? '~' : '/';
                } else {
                    bad();
                }
            }
        } else {
            if (raw.empty()) bad();
            token = raw;
        }
        tokens.push_back(std::move(token));
        if (end == path.size()) break;
        start = end + 1;
    }
    return tokens;
}

}  // namespace

void reject(const std::string& file, std::string pointer, std::string expected, std::string found) {
    throw Rejection{UserError{file, std::move(pointer), std::move(expected), std::move(found)}};
}

std::string json_string(std::string_view s) {
    return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string compact(const Json& value) {
    std::string out;
    render(value, out);
    if (out.size() <= kFoundLimit) return out;
    std::size_t cut = kFoundLimit - 3;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    out.resize(cut);
    return out + "...";
}

std::string join(const std::vector<std::string_view>& names) {
    std::string out;
    for (auto n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

Json parse_document(std::string_view text, const std::string& file) {
    ParseOutcome parsed = parse_strict(text);
    if (!parsed.ok) reject(file, parsed.problem_pointer, parsed.expected, parsed.problem);
    return std::move(parsed.value);
}

void apply_override(Json& doc, std::string_view assignment, const std::string& file) {
    const std::size_t eq = assignment.find('=');
    if (eq == std::string_view::npos) {
        reject(file, "", std::string(kSetExpected), json_string(assignment));
    }
    const std::vector<std::string> tokens = path_tokens(assignment, assignment.substr(0, eq), file);
    std::string pointer;
    for (const auto& t : tokens) pointer += "/" + pointer_token(t);

    const std::string_view text = assignment.substr(eq + 1);
    // The root and each parent hold the value: tokens.size() levels above it.
    ParseOutcome parsed = parse_strict(text, tokens.size(), pointer);
    if (!parsed.ok && !parsed.syntax_error) reject(file, parsed.problem_pointer, parsed.expected, parsed.problem);
    Json value = parsed.ok ? std::move(parsed.value) : Json(std::string(text));

    Json* parent = &doc;
    std::string at;  // pointer of `parent`
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        Json* next = child(*parent, tokens[i]);
        at += "/" + pointer_token(tokens[i]);
        if (!next) reject(file, pointer, "an existing parent object or array", "nothing at " + at);
        parent = next;
    }
    const std::string& last = tokens.back();
    if (parent->is_object()) {
        set_member(*parent, last, std::move(value));
    } else if (parent->is_array()) {
        auto i = last == "-" ? std::optional(parent->size()) : array_index(last);
        if (!i || *i > parent->size()) {
            reject(file, pointer,
                   "an index from 0 to " + std::to_string(parent->size()) + ", or \"-\" to append",
                   json_string(last));
        }
        if (*i == parent->size()) {
            parent->push_back(std::move(value));
        } else {
            (*parent)[*i] = std::move(value);
        }
    } else {
        reject(file, pointer, "an existing parent object or array",
               compact(*parent) + " at " + (at.empty() ? std::string("the document root") : at));
    }
}

std::optional<std::string_view> not_unicast(Ipv4 ip) {
    const std::uint32_t first = ip.value >> 24;
    if (first == 0) return R"(an address outside 0.0.0.0/8 ("this network", RFC 1122 3.2.1.3))";
    if (first >= 224)
        return "a unicast address below 224.0.0.0 (multicast, reserved and broadcast addresses carry no TCP)";
    return std::nullopt;
}

bool is_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

void Node::fail(std::string expected) const { fail(std::move(expected), compact(*value_)); }

void Node::fail(std::string expected, std::string found) const {
    reject(*file_, pointer_, std::move(expected), std::move(found));
}

std::string Node::string() const {
    if (!value_->is_string()) fail("a string");
    return value_->get<std::string>();
}

std::string Node::nonempty_string() const {
    std::string s = string();
    if (s.empty()) fail("a non-empty string");
    return s;
}

std::string Node::name() const {
    if (!value_->is_string() || !is_name(value_->get_ref<const std::string&>())) {
        fail(std::string(kNameExpected));
    }
    return value_->get<std::string>();
}

bool Node::boolean() const {
    if (!value_->is_boolean()) fail("true or false");
    return value_->get<bool>();
}

std::uint64_t Node::integer(std::uint64_t lo, std::uint64_t hi, std::string_view why) const {
    std::string expected;
    if (hi != std::numeric_limits<std::uint64_t>::max()) {
        expected = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    } else if (lo == 0) {
        expected = "a non-negative integer";
    } else if (lo == 1) {
        expected = "a positive integer";
    } else {
        expected = "an integer of at least " + std::to_string(lo);
    }
    if (!why.empty()) expected += " (" + std::string(why) + ")";
    std::uint64_t n = 0;
    if (value_->is_number_unsigned()) {
        n = value_->get<std::uint64_t>();
    } else if (value_->is_number_integer() && value_->get<std::int64_t>() >= 0) {
        n = static_cast<std::uint64_t>(value_->get<std::int64_t>());  // "-0" is signed
    } else {
        fail(expected);
    }
    if (n < lo || n > hi) fail(expected);
    return n;
}

Duration Node::duration() const {
    if (!value_->is_string()) fail(std::string(kDurationExpected));
    const auto& text = value_->get_ref<const std::string&>();
    auto d = parse_duration(text);
    if (!d) {
        switch (duration_error(text)) {
            case DurationError::Syntax:
                fail(std::string(kDurationExpected));
            case DurationError::Negative:
                fail(R"(a non-negative duration, such as "200ms")");
            case DurationError::TooLong:
                fail(std::string(kTooLongExpected));
            case DurationError::FinerThanNanosecond:
                fail(R"(a duration in whole nanoseconds, such as "1.5ms")");
        }
    }
    if (*d > kMaxDuration) fail(std::string(kTooLongExpected));
    return *d;
}

Duration Node::positive_duration() const {
    Duration d = duration();
    if (d <= Duration{}) fail(R"(a positive duration, such as "200ms")");
    return d;
}

double Node::probability() const {
    constexpr std::string_view expected = "a probability from 0 to 1";
    if (!value_->is_number()) fail(std::string(expected));
    const double p = value_->get<double>();
    if (!(p >= 0.0 && p <= 1.0)) fail(std::string(expected));
    return p;
}

Ipv4 Node::ipv4() const {
    constexpr std::string_view expected = R"(a dotted IPv4 address such as "10.0.0.1")";
    if (!value_->is_string()) fail(std::string(expected));
    auto ip = Ipv4::parse(value_->get_ref<const std::string&>());
    if (!ip) fail(std::string(expected));
    return *ip;
}

Ipv4 Node::host_ipv4() const {
    const Ipv4 ip = ipv4();
    if (ip.is_loopback()) fail(std::string(kLoopbackExpected));
    if (auto problem = not_unicast(ip)) fail(std::string(*problem));
    return ip;
}

Node::Elements Node::elements(std::string_view expected) const {
    if (!value_->is_array()) fail(std::string(expected));
    return Elements(*this);
}

Object::Object(const Node& node, std::vector<std::string_view> allowed, std::string_view expected)
    : node_(node) {
    if (!node.json().is_object()) node.fail(std::string(expected));
    allow_only(std::move(allowed), "");
}

Object Object::any_keys(const Node& node, std::string_view expected) {
    if (!node.json().is_object()) node.fail(std::string(expected));
    return Object(node);
}

void Object::allow_only(std::vector<std::string_view> allowed, const std::string& context) const {
    for (auto it = node_.json().begin(); it != node_.json().end(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
        reject(node_.file(), node_.pointer() + "/" + pointer_token(it.key()),
               (context.empty() ? "" : context + ", ") + "one of the keys " + join(allowed),
               "unknown key " + json_string(it.key()));
    }
}

std::optional<Node> Object::get(std::string_view key) const {
    auto it = node_.json().find(key);
    if (it == node_.json().end()) return std::nullopt;
    return Node(*it, node_.pointer() + "/" + pointer_token(key), node_.file());
}

Node Object::need(std::string_view key, std::string_view expected) const {
    auto n = get(key);
    if (!n) {
        reject(node_.file(), node_.pointer() + "/" + pointer_token(key), std::string(expected),
               "a missing field");
    }
    return *n;
}

std::vector<std::pair<std::string, Node>> Object::members() const {
    std::vector<std::pair<std::string, Node>> out;
    for (auto it = node_.json().begin(); it != node_.json().end(); ++it) {
        out.emplace_back(it.key(), Node(it.value(), node_.pointer() + "/" + pointer_token(it.key()),
                                        node_.file()));
    }
    return out;
}

}  // namespace tcpsim::scenario_json
