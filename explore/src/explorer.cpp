// The exploration loop: stories by number from one seed, played on -j threads; the first story
// (by number, whatever the threads) that diverges is shrunk and written as a scenario, which is
// then run as `harness run` would run it to make sure it fails there too.
#include <breakout/explore/explore.hpp>

#include <breakout/protocol/files.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

namespace breakout::explore {
namespace {

std::string describe_story(const Story& s) {
  return std::to_string(s.participants.size()) + " participant(s), " + std::to_string(s.rooms.size()) + " room(s), " +
         std::to_string(s.steps.size()) + " step(s)";
}

}  // namespace

ExploreResult run_exploration(const harness::DriverFactory& drivers, const ExploreOptions& o, std::ostream& progress) {
  ExploreResult out;
  auto started = std::chrono::steady_clock::now();
  auto out_of_time = [&] { return o.time && std::chrono::steady_clock::now() - started >= *o.time; };
  std::uint64_t limit = o.time ? UINT64_MAX : o.runs;

  std::mutex mu;
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> done{0};
  std::optional<std::uint64_t> failing;
  std::optional<Divergence> divergence;
  std::atomic<std::uint64_t> first_failing{UINT64_MAX};
  auto worker = [&] {
    for (;;) {
      std::uint64_t k = next++;
      if (k >= limit || k > first_failing.load() || out_of_time()) return;
      Story story = generate(o.seed, k, o.generator);
      Checked c = check_story(story, drivers, o.check);
      std::lock_guard lock(mu);
      out.steps += story.steps.size();
      out.transitions += c.prediction.transitions;
      out.frames += c.frames;
      out.rules.insert(c.prediction.rules.begin(), c.prediction.rules.end());
      ++out.stories;
      if (c.divergence && (!failing || k < *failing)) {
        failing = k;
        divergence = c.divergence;
        first_failing = k;
      }
      ++done;
      if (o.progress && done % 25 == 0) {
        auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        progress << "\r  " << done << (o.time ? "" : "/" + std::to_string(o.runs)) << " stories, " << static_cast<int>(done / std::max(secs, 1e-3))
                 << "/s" << std::flush;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::max(1, o.jobs); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (o.progress) progress << "\r" << std::string(60, ' ') << "\r" << std::flush;
  out.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (!failing) return out;

  out.failing_index = failing;
  Story original = generate(o.seed, *failing, o.generator);
  std::string signature = divergence->signature;
  auto still_fails = [&](const Story& candidate) {
    Checked c = check_story(candidate, drivers, o.check);
    return c.divergence && c.divergence->signature == signature;
  };
  out.shrunk = shrink(original, still_fails, o.shrink_budget);
  Checked final_check = check_story(out.shrunk, drivers, o.check);
  out.divergence = final_check.divergence ? final_check.divergence : divergence;

  YamlOptions y;
  y.expectations = &final_check.prediction;
  y.divergence = &*out.divergence;
  y.name = "explored: " + out.divergence->title;
  y.description = out.divergence->summary + ". Found by harness explore, story " + std::to_string(*failing) + " of seed " + std::to_string(o.seed) + " (" +
                  describe_story(original) + "), shrunk to " + describe_story(out.shrunk) + ". Expectations are the reference model's (docs/conformance.md). " +
                  "Replay the exploration: " + o.command + " --seed " + std::to_string(o.seed) + " --runs " + std::to_string(*failing + 1);
  out.yaml = to_yaml(out.shrunk, y);

  // The written scenario must fail under `harness run` as the exploration did.
  auto loaded = scenario::load_scenario_text(out.yaml, "explored.yaml");
  if (loaded.ok() && !loaded.scenarios.empty()) {
    harness::RunOptions run;
    run.wall_timeout = o.check.wall_timeout;
    auto r = harness::run_scenario(loaded.scenarios.front(), drivers, run);
    out.written_fails = r.outcome == harness::Outcome::fail;
  } else {
    out.error = "the shrunk story does not load as a scenario: " + scenario::render_errors(loaded);
  }
  if (!o.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    std::string path = (std::filesystem::path(o.out_dir) / ("seed-" + std::to_string(o.seed) + "-story-" + std::to_string(*failing) + ".yaml")).string();
    if (auto w = breakout::files::write_file_atomic(path, out.yaml); !w) out.error = "cannot write " + path + ": " + w.error();
    else out.written = path;
  }
  return out;
}

}  // namespace breakout::explore
