// The runner against the real SDK and mock server: verdicts and what a failure says.
#include <breakout/harness/runner.hpp>

#include "sdk_driver.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace breakout::harness;

namespace {

const std::string kHeader = R"(name: runner test
participants:
  - id: alice
rooms:
  - id: room1
    name: Room 1
    autoMove: true
    participants: [alice]
)";

ScenarioResult run_text(const std::string& text) {
  auto loaded = load_scenario_text(text, "t.yaml");
  REQUIRE(loaded.ok());
  return run_scenario(loaded.scenarios.front(), sdk_driver_factory(), RunOptions{});
}

}  // namespace

TEST_CASE("a wrong expected value fails at the step's line and shows expected against observed", "[harness][runner]") {
  auto r = run_text(kHeader + R"(steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
    data: { state: closed }
)");
  CHECK(r.outcome == Outcome::fail);
  CHECK(r.message.find("t.yaml:12:5: error: expected assignedBreakoutRooms for alice") != std::string::npos);
  CHECK(r.message.find("differs at data.state: expected \"closed\", observed \"open\"") != std::string::npos);
}

TEST_CASE("an event nobody expected fails the scenario", "[harness][runner]") {
  auto r = run_text(kHeader + R"(steps:
  - server: openRoom
    room: room1
)");
  CHECK(r.outcome == Outcome::fail);
  CHECK(r.message.find("unexpected assignedBreakoutRooms for alice") != std::string::npos);
}

TEST_CASE("an ignored event type does not need an expectation", "[harness][runner]") {
  auto r = run_text(kHeader + R"(ignore: [assignedBreakoutRooms]
steps:
  - server: openRoom
    room: room1
)");
  CHECK(r.outcome == Outcome::pass);
}

TEST_CASE("events must come in the order written", "[harness][runner]") {
  auto r = run_text(kHeader + R"(steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
  - expect: join
    within: 3s
  - expect: callStateChanged
    data: { call: main, state: LocalHold }
)");
  CHECK(r.outcome == Outcome::fail);
  CHECK(r.message.find("unexpected callStateChanged for alice before the expected join") != std::string::npos);
}

TEST_CASE("an unordered group accepts any order", "[harness][runner]") {
  auto r = run_text(kHeader + R"(ignore: [callStateChanged]
steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
  - unordered:
      - expect: join
      - expect: callStateChanged
        data: { call: main, state: LocalHold }
    within: 3s
)");
  CHECK(r.outcome == Outcome::pass);
}

TEST_CASE("a scenario marked xfail that fails is XFAIL, and one that passes is XPASS", "[harness][runner]") {
  auto failing = run_text(kHeader + R"(xfail: known to fail
steps:
  - expect: join
)");
  CHECK(failing.outcome == Outcome::xfail);
  CHECK(failing.reason == "known to fail");
  auto passing = run_text(kHeader + R"(xfail: known to fail
steps:
  - advance: 1s
)");
  CHECK(passing.outcome == Outcome::xpass);
}

TEST_CASE("a thirty-minute wait costs no wall-clock time", "[harness][runner]") {
  auto r = run_text(kHeader + R"(steps:
  - advance: 30m
)");
  CHECK(r.outcome == Outcome::pass);
  CHECK(r.virtual_time == std::chrono::minutes(30));
  CHECK(r.wall_time < std::chrono::seconds(5));
}

TEST_CASE("the same scenario gives the same event log every run", "[harness][runner]") {
  std::string text = kHeader + R"(ignore: [callStateChanged, join]
steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
  - advance: 10s
)";
  auto first = run_text(text);
  REQUIRE(first.outcome == Outcome::pass);
  for (int i = 0; i < 5; ++i) {
    auto again = run_text(text);
    REQUIRE(again.log.size() == first.log.size());
    for (std::size_t k = 0; k < first.log.size(); ++k) CHECK(format_observation(again.log[k]) == format_observation(first.log[k]));
  }
}

TEST_CASE("a file that does not validate is UNRESOLVED, not FAIL", "[harness][runner]") {
  auto r = run_scenario_file("/nonexistent/scenario.yaml", sdk_driver_factory(), RunOptions{});
  CHECK(r.outcome == Outcome::unresolved);
  CHECK(r.message.find("cannot open /nonexistent/scenario.yaml: No such file or directory") != std::string::npos);
}

TEST_CASE("a run that cannot settle within the wall-clock limit is a TIMEOUT, not a hang", "[harness][runner]") {
  auto loaded = load_scenario_text(kHeader + "steps:\n  - advance: 1s\n", "t.yaml");
  REQUIRE(loaded.ok());
  RunOptions options;
  options.wall_timeout = std::chrono::milliseconds(0);
  auto r = run_scenario(loaded.scenarios.front(), sdk_driver_factory(), options);
  CHECK(r.outcome == Outcome::timeout);
  CHECK(r.message.find("did not settle within the wall-clock limit of 0 ms") != std::string::npos);
}

TEST_CASE("a scenario's own timeout takes the place of the runner's default", "[harness][runner]") {
  auto loaded = load_scenario_text(kHeader + "timeout: 30s\nsteps:\n  - advance: 1s\n", "t.yaml");
  REQUIRE(loaded.ok());
  RunOptions options;
  options.wall_timeout = std::chrono::milliseconds(0);  // would stop it at once
  auto r = run_scenario(loaded.scenarios.front(), sdk_driver_factory(), options);
  CHECK(r.outcome == Outcome::pass);
}

TEST_CASE("a skipped scenario is not run and keeps its reason", "[harness][runner]") {
  auto r = run_text(kHeader + "skip: needs a second SDK\nsteps:\n  - expect: join\n");
  CHECK(r.outcome == Outcome::skip);
  CHECK(r.reason == "needs a second SDK");
  CHECK(r.log.empty());
}

TEST_CASE("every scenario example in docs/scenarios.md validates", "[harness][docs]") {
  std::ifstream in(BREAKOUT_SOURCE_DIR "/docs/scenarios.md");
  REQUIRE(in);
  std::string line, block;
  bool inside = false;
  int examples = 0;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      ++examples;
      // Read as if it were a file in scenarios/moving/, so its includes resolve as they would there.
      auto loaded = load_scenario_text(block, BREAKOUT_SOURCE_DIR "/scenarios/moving/example-" + std::to_string(examples) + ".yaml");
      INFO(block << render_errors(loaded));
      CHECK(loaded.ok());
    } else if (inside) {
      block += line + "\n";
    }
  }
  CHECK(examples >= 3);
}
