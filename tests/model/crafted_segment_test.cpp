#include "tcpsim/net/crafted_segment.hpp"

#include <doctest/doctest.h>

using namespace tcpsim;

TEST_CASE("a crafted value is an absolute number or a socket variable with an offset") {
    const auto abs = parse_crafted_value("4294967295", CraftedField::Sequence);
    REQUIRE(abs);
    CHECK(abs->base == CraftedBase::Absolute);
    CHECK(abs->offset == 4294967295);
    const auto rel = parse_crafted_value("rcv_nxt-1", CraftedField::Sequence);
    REQUIRE(rel);
    CHECK(rel->base == CraftedBase::RcvNxt);
    CHECK(rel->offset == -1);
    CHECK(to_string(*rel) == "rcv_nxt-1");
    CHECK(to_string(*parse_crafted_value("snd_nxt+65537", CraftedField::Sequence)) == "snd_nxt+65537");
    CHECK(to_string(*parse_crafted_value("snd_una", CraftedField::Sequence)) == "snd_una");
    CHECK(parse_crafted_value("ts_recent+1", CraftedField::Timestamp)->base == CraftedBase::TsRecent);
    CHECK(parse_crafted_value("tsval", CraftedField::Timestamp)->base == CraftedBase::TsVal);
}

TEST_CASE("a crafted value outside 32 bits, with a foreign base or stray text is rejected") {
    for (const char* bad : {"4294967296", "-1", "rcv_nxt+", "rcv_nxt*2", "rcv_nxt+4294967296", "rcv_nxt 1",
                            "ts_recent", "RCV_NXT", "", "0x10", "rcv_nxt+-1"})
        CHECK_MESSAGE(!parse_crafted_value(bad, CraftedField::Sequence), bad);
    CHECK_FALSE(parse_crafted_value("snd_nxt", CraftedField::Timestamp));
}

TEST_CASE("a relative value resolves modulo 2^32 against the reference, and not without one") {
    CraftedReference ref{Seq{10}, Seq{20}, Seq{5}, 700u, std::nullopt};
    CHECK(resolve(*parse_crafted_value("rcv_nxt-6", CraftedField::Sequence), &ref) == 4294967295u);
    CHECK(resolve(*parse_crafted_value("snd_una+1", CraftedField::Sequence), &ref) == 11u);
    CHECK(resolve(*parse_crafted_value("snd_nxt", CraftedField::Sequence), &ref) == 20u);
    CHECK(resolve(*parse_crafted_value("ts_recent-701", CraftedField::Timestamp), &ref) == 4294967295u);
    CHECK_FALSE(resolve(*parse_crafted_value("tsval", CraftedField::Timestamp), &ref));  // no timestamps
    CHECK_FALSE(resolve(*parse_crafted_value("snd_nxt", CraftedField::Sequence), nullptr));
    CHECK(resolve(*parse_crafted_value("17", CraftedField::Sequence), nullptr) == 17u);
}
