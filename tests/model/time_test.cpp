#include <doctest/doctest.h>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/core/error.hpp"
#include "tcpsim/core/rng.hpp"
#include "tcpsim/core/time.hpp"

using namespace tcpsim;

TEST_CASE("durations parse with units and reject unit-less or negative text") {
    CHECK(parse_duration("250us") == microseconds(250));
    CHECK(parse_duration("10ms") == milliseconds(10));
    CHECK(parse_duration("30s") == seconds(30));
    CHECK(parse_duration("2min") == minutes(2));
    CHECK(parse_duration("1.5s") == milliseconds(1500));
    CHECK(parse_duration("0s") == Duration{});
    CHECK_FALSE(parse_duration("30").has_value());
    CHECK_FALSE(parse_duration("-1s").has_value());
    CHECK_FALSE(parse_duration("5 parsecs").has_value());
    CHECK_FALSE(parse_duration("").has_value());
    CHECK(format_duration(minutes(2)) == "2min");
    CHECK(format_duration(milliseconds(1500)) == "1500ms");
    CHECK(format_seconds(Time{} + milliseconds(61010)) == "61.010000000");
}

TEST_CASE("a duration is parsed exactly, up to the largest whole number of nanoseconds int64 holds, in every unit") {
    constexpr std::int64_t kMax = INT64_MAX;
    CHECK(parse_duration("9223372036854775807ns") == nanoseconds(kMax));
    CHECK_FALSE(parse_duration("9223372036854775808ns").has_value());
    CHECK(parse_duration("9223372036854775.807us") == nanoseconds(kMax));
    CHECK_FALSE(parse_duration("9223372036854775.808us").has_value());
    CHECK(parse_duration("9223372036854.775807ms") == nanoseconds(kMax));
    CHECK_FALSE(parse_duration("9223372036854.775808ms").has_value());
    CHECK(parse_duration("9223372036.854775807s") == nanoseconds(kMax));
    CHECK_FALSE(parse_duration("9223372036.854775808s").has_value());
    // A minute is 6e10 ns and an hour 3.6e12 ns: the largest exact decimal falls short of kMax.
    CHECK(parse_duration("153722867.2809129301min") == nanoseconds(kMax - 1));
    CHECK_FALSE(parse_duration("153722867.2809129302min").has_value());
    CHECK(parse_duration("153722867.2809129301m") == nanoseconds(kMax - 1));
    CHECK_FALSE(parse_duration("153722867.2809129302m").has_value());
    CHECK(parse_duration("2562047.7880152155h") == nanoseconds(kMax - 7));
    CHECK_FALSE(parse_duration("2562047.7880152156h").has_value());
    CHECK(duration_error("9223372036854775808ns") == DurationError::TooLong);
    CHECK(duration_error("2562047.7880152156h") == DurationError::TooLong);
    CHECK(duration_error("99999999999999999999999s") == DurationError::TooLong);
}

TEST_CASE("a fraction of a unit is exact, and one finer than a nanosecond is rejected") {
    // 0.123456789 h is 444.4444404 s; the fraction times the unit used to overflow.
    CHECK(parse_duration("0.123456789h") == nanoseconds(444'444'440'400));
    CHECK(parse_duration("0.5min") == seconds(30));
    CHECK(parse_duration("1.000000000000000000000s") == seconds(1));
    CHECK(parse_duration("0.001us") == nanoseconds(1));
    CHECK_FALSE(parse_duration("0.0001us").has_value());
    CHECK(duration_error("0.0001us") == DurationError::FinerThanNanosecond);
    CHECK_FALSE(parse_duration("1.5ns").has_value());
    CHECK_FALSE(parse_duration("0.0000000000001h").has_value());  // 0.36 ns
    CHECK(parse_duration("0.000000000025h") == nanoseconds(90));
    CHECK(duration_error("-1s") == DurationError::Negative);
    CHECK(duration_error("30") == DurationError::Syntax);
    CHECK(duration_error("1.2.3s") == DurationError::Syntax);
}

TEST_CASE("time arithmetic saturates at the ends of the clock instead of wrapping") {
    const Time late{INT64_MAX - 5};
    CHECK(late + seconds(1) == Time::max());
    CHECK(Time{} - Duration::max() - seconds(1) == Time{INT64_MIN});
    CHECK(late - Time{-10} == Duration::max());
    CHECK(Duration::max() + nanoseconds(1) == Duration::max());
    CHECK(Duration::max() * 7 == Duration::max());
    CHECK(-3 * Duration::max() == Duration{INT64_MIN});
    CHECK(minutes(153722868) == Duration::max());
    CHECK(late + seconds(-1) == Time{INT64_MAX - 1'000'000'005});
}

TEST_CASE("an event scheduled in the past is an internal error in every build") {
    Engine engine;
    engine.schedule(Time{} + seconds(5), [] {});
    engine.run(Time{} + seconds(10), 100);
    CHECK_THROWS_AS(engine.schedule(Time{} + seconds(1), [] {}), InternalError);
    CHECK(engine.queued() == 0);
}

TEST_CASE("an event at the end of time never runs before the caps") {
    Engine engine;
    bool ran = false;
    engine.schedule(Time{} + seconds(1) + Duration::max(), [&] { ran = true; });
    CHECK(engine.run(Time{} + minutes(60 * 24 * 100), 100) == StopReason::TimeLimit);
    CHECK_FALSE(ran);
    CHECK(engine.now() == Time{});
}

TEST_CASE("engine runs equal-time events in insertion order") {
    Engine engine;
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) engine.schedule(Time{} + seconds(1), [&order, i] { order.push_back(i); });
    engine.schedule(Time{}, [&order] { order.push_back(-1); });
    CHECK(engine.run(Time{} + seconds(10), 100) == StopReason::QueueEmpty);
    CHECK(order == std::vector<int>{-1, 0, 1, 2, 3, 4});
    CHECK(engine.now() == Time{} + seconds(1));
}

TEST_CASE("a cancelled timer never fires and its slot serves a later timer") {
    Engine engine;
    int fired = 0;
    TimerHandle h = engine.schedule(Time{} + seconds(1), [&] { fired += 1; });
    CHECK(engine.pending(h));
    TimerHandle copy = h;
    engine.cancel(h);
    CHECK_FALSE(h.valid());
    CHECK_FALSE(engine.pending(copy));
    TimerHandle h2 = engine.schedule(Time{} + seconds(2), [&] { fired += 10; });
    engine.cancel(copy);  // stale handle: must not cancel the new timer
    CHECK(engine.pending(h2));
    engine.run(Time{} + seconds(10), 100);
    CHECK(fired == 10);
}

TEST_CASE("engine stops at the time limit and at the event cap") {
    Engine engine;
    std::function<void()> tick;
    int n = 0;
    tick = [&] {
        ++n;
        engine.schedule(engine.now() + seconds(1), tick);
    };
    engine.schedule(Time{}, tick);
    CHECK(engine.run(Time{} + seconds(5), 1000) == StopReason::TimeLimit);
    CHECK(n == 6);
    CHECK(engine.run(Time{} + minutes(60), 10) == StopReason::EventLimit);
    CHECK(engine.events_run() == 10);
}

TEST_CASE("rng streams are reproducible and independent of each other") {
    Rng a1 = Rng::stream(42, "link:a");
    Rng a2 = Rng::stream(42, "link:a");
    Rng b = Rng::stream(42, "link:b");
    std::uint64_t x = a1.next_u64();
    CHECK(x == a2.next_u64());
    CHECK(x != b.next_u64());
    CHECK(Rng::stream(43, "link:a").next_u64() != x);
    Rng z = Rng::stream(1, "z");
    CHECK_FALSE(z.chance(0.0));
    CHECK(z.chance(1.0));
}

TEST_CASE("a cancelled event leaves the queue at once and the rest keep their order") {
    Engine engine;
    std::vector<int> order;
    std::vector<TimerHandle> handles;
    for (int i = 0; i < 8; ++i)
        handles.push_back(engine.schedule(Time{} + seconds(8 - i), [&order, i] { order.push_back(i); }));
    engine.cancel(handles[3]);
    engine.cancel(handles[0]);
    CHECK(engine.queued() == 6);
    engine.run(Time{} + minutes(1), 100);
    CHECK(order == std::vector<int>{7, 6, 5, 4, 2, 1});
}
