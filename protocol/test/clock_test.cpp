// The virtual clock's ordering and the duration syntax.
#include <breakout/protocol/clock.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace breakout::clock;
using namespace std::chrono_literals;

TEST_CASE("virtual timers fire in deadline order, ties in scheduling order", "[clock]") {
  VirtualClock clock;
  std::vector<int> fired;
  clock.schedule(2s, [&] { fired.push_back(3); });
  clock.schedule(1s, [&] { fired.push_back(1); });
  clock.schedule(1s, [&] { fired.push_back(2); });
  while (clock.fire_next(TimePoint(10s))) {}
  CHECK(fired == std::vector<int>{1, 2, 3});
  CHECK(clock.now() == 10s);
}

TEST_CASE("a cancelled virtual timer never fires", "[clock]") {
  VirtualClock clock;
  bool fired = false;
  auto id = clock.schedule(1s, [&] { fired = true; });
  clock.cancel(id);
  CHECK_FALSE(clock.fire_next(TimePoint(5s)));
  CHECK_FALSE(fired);
}

TEST_CASE("fire_next stops at the limit and leaves later timers pending", "[clock]") {
  VirtualClock clock;
  clock.schedule(5s, [] {});
  CHECK_FALSE(clock.fire_next(TimePoint(3s)));
  CHECK(clock.now() == 3s);
  CHECK(clock.pending() == 1);
}

TEST_CASE("virtual time maps to a fixed UTC start", "[clock]") {
  VirtualClock clock;
  CHECK(clock.utc_string(TimePoint(90s)) == "2026-01-05T09:01:30.000Z");
}

TEST_CASE("durations parse in the scenario syntax", "[clock]") {
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("3s") == 3000ms);
  CHECK(parse_duration("1.5s") == 1500ms);
  CHECK(parse_duration("2m") == 120000ms);
  CHECK(parse_duration("1m30s") == 90000ms);
  CHECK(parse_duration("1h") == 3600000ms);
  CHECK(parse_duration("40") == 40ms);
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("3 s"));
  CHECK_FALSE(parse_duration("3x"));
  CHECK_FALSE(parse_duration("s"));
  CHECK(format_duration(90500ms) == "1m30s500ms");
  CHECK(parse_duration(format_duration(90500ms)) == 90500ms);
}
