#include <doctest/doctest.h>

#include "tcpsim/scenario/loader.hpp"

using namespace tcpsim;

TEST_CASE("placeholder") {
    auto r = load_scenario_text(R"({"hosts": {"a": {"address": "10.0.0.1"}}})", "x.json");
    CHECK(std::holds_alternative<Scenario>(r));
}
