#include "tcpsim/net/crafted_segment.hpp"

#include <array>
#include <charconv>

namespace tcpsim {
namespace {

struct BaseName {
    CraftedBase base;
    std::string_view name;
    CraftedField field;
};

constexpr std::array<BaseName, 5> kBases{{{CraftedBase::SndUna, "snd_una", CraftedField::Sequence},
                                          {CraftedBase::SndNxt, "snd_nxt", CraftedField::Sequence},
                                          {CraftedBase::RcvNxt, "rcv_nxt", CraftedField::Sequence},
                                          {CraftedBase::TsRecent, "ts_recent", CraftedField::Timestamp},
                                          {CraftedBase::TsVal, "tsval", CraftedField::Timestamp}}};

constexpr std::int64_t kMax32 = 0xffffffffLL;

std::optional<std::int64_t> digits(std::string_view s) {
    if (s.empty() || s.size() > 10 || s[0] < '0' || s[0] > '9') return std::nullopt;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v > kMax32) return std::nullopt;
    return v;
}

}  // namespace

std::optional<CraftedValue> parse_crafted_value(std::string_view text, CraftedField field) {
    if (auto v = digits(text)) return CraftedValue{CraftedBase::Absolute, *v};
    for (const BaseName& b : kBases) {
        if (b.field != field || !text.starts_with(b.name)) continue;
        const std::string_view rest = text.substr(b.name.size());
        if (rest.empty()) return CraftedValue{b.base, 0};
        if (rest[0] != '+' && rest[0] != '-') return std::nullopt;
        const auto n = digits(rest.substr(1));
        if (!n) return std::nullopt;
        return CraftedValue{b.base, rest[0] == '+' ? *n : -*n};
    }
    return std::nullopt;
}

std::string_view crafted_value_expected(CraftedField field) {
    switch (field) {
        case CraftedField::Sequence:
            return "an integer from 0 to 4294967295, or snd_una, snd_nxt or rcv_nxt of \"of\" with "
                   "an optional +N or -N, such as \"rcv_nxt-1\"";
        case CraftedField::Timestamp:
            return "an integer from 0 to 4294967295, or ts_recent or tsval of \"of\" with an optional "
                   "+N or -N, such as \"ts_recent+1\"";
    }
    return "";
}

std::string to_string(const CraftedValue& v) {
    if (!v.relative()) return std::to_string(v.offset);
    std::string out;
    for (const BaseName& b : kBases)
        if (b.base == v.base) out = std::string(b.name);
    if (v.offset > 0) out += "+" + std::to_string(v.offset);
    if (v.offset < 0) out += std::to_string(v.offset);
    return out;
}

std::optional<std::uint32_t> resolve(const CraftedValue& v, const CraftedReference* ref) {
    std::optional<std::uint32_t> base;
    switch (v.base) {
        case CraftedBase::Absolute:
            return static_cast<std::uint32_t>(v.offset);
        case CraftedBase::SndUna:
            if (ref) base = ref->snd_una.v;
            break;
        case CraftedBase::SndNxt:
            if (ref) base = ref->snd_nxt.v;
            break;
        case CraftedBase::RcvNxt:
            if (ref) base = ref->rcv_nxt.v;
            break;
        case CraftedBase::TsRecent:
            if (ref) base = ref->ts_recent;
            break;
        case CraftedBase::TsVal:
            if (ref) base = ref->tsval;
            break;
    }
    if (!base) return std::nullopt;
    // Sequence and timestamp arithmetic is modulo 2^32 (RFC 9293 3.4, RFC 7323 5.2).
    return static_cast<std::uint32_t>(*base + static_cast<std::uint64_t>(v.offset));
}

bool CraftedSegment::needs_reference() const {
    return seq.relative() || ack.relative() ||
           (timestamp && (timestamp->val.relative() || timestamp->ecr.relative()));
}

}  // namespace tcpsim
