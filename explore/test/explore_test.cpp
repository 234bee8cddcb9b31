// The explorer: generated stories are reproducible and valid scenarios, the SDK agrees with the
// model on them, and shrinking finds the smallest story that still fails.
#include <breakout/explore/explore.hpp>

#include "sdk_driver.hpp"

#include <catch2/catch.hpp>

using namespace breakout;
using namespace breakout::explore;

TEST_CASE("the same seed and number give the same story, another number another one", "[explore]") {
  GeneratorOptions o;
  auto a = to_yaml(generate(7, 3, o), {});
  CHECK(a == to_yaml(generate(7, 3, o), {}));
  CHECK(a != to_yaml(generate(7, 4, o), {}));
  CHECK(a != to_yaml(generate(8, 3, o), {}));
}

TEST_CASE("every generated story is a scenario the loader accepts, and the model decides all of it", "[explore]") {
  GeneratorOptions o;
  for (std::uint64_t k = 0; k < 50; ++k) {
    Story s = generate(1, k, o);
    CHECK(model::predict(s).undecided_step == -1);
    auto prediction = model::predict(s);
    YamlOptions y;
    y.expectations = &prediction;
    for (const auto& text : {to_yaml(s, {}), to_yaml(s, y)}) {
      auto loaded = scenario::load_scenario_text(text, "explored.yaml");
      INFO(text << scenario::render_errors(loaded));
      CHECK(loaded.ok());
    }
  }
}

TEST_CASE("the SDK under test agrees with the model on a bounded exploration", "[explore]") {
  ExploreOptions o;
  o.seed = 11;
  o.runs = 60;
  o.out_dir.clear();
  std::ostringstream progress;
  auto r = run_exploration(harness::sdk_driver_factory(), o, progress);
  INFO((r.divergence ? r.divergence->summary + "\n" + r.yaml : std::string()));
  CHECK_FALSE(r.failing_index.has_value());
  CHECK(r.stories == 60);
  CHECK(r.rules.size() > 10);
}

TEST_CASE("shrinking keeps only what the failure needs", "[explore]") {
  Story s = generate(3, 0, GeneratorOptions{});
  // A stand-in failure: any story in which p1 calls join.
  auto fails = [](const Story& c) {
    return std::any_of(c.steps.begin(), c.steps.end(), [](const model::Step& st) { return st.kind == model::Kind::join && st.participant == "p1"; });
  };
  // Seeds whose story has p1 join somewhere.
  for (std::uint64_t k = 1; !fails(s) && k < 100; ++k) s = generate(3, k, GeneratorOptions{});
  REQUIRE(fails(s));
  REQUIRE(model::predict(s).undecided_step == -1);
  Story small = shrink(s, fails, 1000);
  CHECK(small.steps.size() == 1);
  CHECK(small.participants.size() == 1);
  CHECK(small.rooms.size() == 1);
}
