// Bounded, seeded fuzzing inside the test suite: corrupted scenario files must load to a
// Scenario or a UserError, never crash; random segments must never break a connection's
// invariants. (Long fuzzing campaigns belong to a fuzzer; these keep the guarantee tested.)
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "tcp_fixtures.hpp"
#include "tcpsim/core/rng.hpp"
#include "tcpsim/scenario/loader.hpp"
#include "tcpsim/world/world.hpp"

using namespace tcpsim;
using namespace tcpsim::test;
namespace fs = std::filesystem;

TEST_CASE("corrupted scenario files load to a scenario or one clear error, never a crash") {
    Rng rng = Rng::stream(2026, "fuzz:loader");
    const std::string alphabet = "{}[]\":,0123456789-.eE truefalsnul\\/msx";
    int loaded = 0;
    int rejected = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(TCPSIM_SOURCE_DIR) / "scenarios")) {
        if (entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (int i = 0; i < 60; ++i) {
            std::string text = original;
            const int edits = static_cast<int>(rng.between(1, 4));
            for (int k = 0; k < edits && !text.empty(); ++k) {
                const auto at = static_cast<std::size_t>(rng.between(0, static_cast<std::int64_t>(text.size()) - 1));
                switch (rng.between(0, 2)) {
                    case 0:
                        text.erase(at, static_cast<std::size_t>(rng.between(1, 8)));
                        break;
                    case 1:
                        text.insert(at, 1, alphabet[static_cast<std::size_t>(rng.between(0, alphabet.size() - 1))]);
                        break;
                    default:
                        text[at] = alphabet[static_cast<std::size_t>(rng.between(0, alphabet.size() - 1))];
                        break;
                }
            }
            LoadResult r = load_scenario_text(text, entry.path().filename().string());
            if (auto* e = std::get_if<UserError>(&r)) {
                CHECK_FALSE(e->expected.empty());
                ++rejected;
                continue;
            }
            // What still loads must also run: a short run with tight caps.
            Scenario sc = std::get<Scenario>(std::move(r));
            sc.limits.time_cap = Time{} + seconds(300);
            sc.limits.event_cap = 20000;
            Trace trace;
            World world(sc, trace);
            world.run();
            ++loaded;
        }
    }
    CHECK(rejected > 0);
    CHECK(loaded > 0);
}

TEST_CASE("random segments never break a connection: SND.UNA <= SND.NXT, and nothing is sent out of thin air") {
    Rng rng = Rng::stream(2026, "fuzz:segments");
    const Flags choices[] = {Flags::Ack, Flags::Syn, Flags::Fin | Flags::Ack, Flags::Rst, Flags::Rst | Flags::Ack,
                             Flags::Syn | Flags::Ack, Flags::Psh | Flags::Ack, Flags::None, Flags::Fin};
    for (const ProfileRules* rules : {&rfc793(), &linux_rules(), &bsd()}) {
        for (int run = 0; run < 200; ++run) {
            Connection c = established(*rules);
            Actions out;
            if (run % 3 == 1) c.close(at_ms(15), out);
            if (run % 3 == 2) c.send(std::vector<std::uint8_t>(3000, 7), at_ms(15), out);
            for (int i = 0; i < 40 && c.state() != State::Closed && c.state() != State::TimeWait; ++i) {
                const Flags f = choices[rng.between(0, 8)];
                const auto seq = static_cast<std::uint32_t>(kIrs + rng.between(-70000, 70000));
                const auto ack = static_cast<std::uint32_t>(kIss + rng.between(-70000, 70000));
                std::string data(static_cast<std::size_t>(rng.between(0, 2) == 0 ? rng.between(1, 2000) : 0), 'x');
                out.clear();
                c.on_segment(from_peer(f, seq, ack, data, static_cast<std::uint16_t>(rng.between(0, 65535))),
                             at_ms(20 + i), out);
                if (rng.chance(0.2)) c.on_timer(TimerKind::Retransmit, at_ms(20 + i), out);
                CHECK(seq_le(c.tcb().snd.una, c.tcb().snd.nxt));
                for (const Action& a : out.list) {
                    if (const auto* t = std::get_if<Transmit>(&a)) {
                        CHECK(t->segment.src == kLocal);
                        CHECK(t->segment.dst == kRemote);
                    }
                }
            }
        }
    }
}
