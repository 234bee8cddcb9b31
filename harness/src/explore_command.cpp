// `harness explore`: seeded stories against the reference model, a summary, and the shortest
// failing story written as a scenario (docs/exploring.md).
#include "explore_command.hpp"

#include "cli_output.hpp"
#include "sdk_driver.hpp"

#include <breakout/harness/report.hpp>
#include <breakout/harness/runner.hpp>

#include <breakout/explore/explore.hpp>
#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/numbers.hpp>
#include <breakout/protocol/text.hpp>

#include <iostream>
#include <sstream>

#include <unistd.h>

namespace breakout::harness {
namespace {

/// "server=4,call=4,listener=1,fault=1,advance=3": any subset, each 0..100.
std::optional<std::string> parse_weights(const std::string& text, explore::Weights& w) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto eq = item.find('=');
    if (eq == std::string::npos) return "expected NAME=N in '" + item + "'";
    std::string name = item.substr(0, eq);
    auto n = numbers::parse_integer(item.substr(eq + 1), 0, 100);
    if (!n) return "the weight of '" + name + "' must be a whole number from 0 to 100";
    int v = static_cast<int>(*n);
    if (name == "server") w.server = v;
    else if (name == "call") w.call = v;
    else if (name == "listener") w.listener = v;
    else if (name == "fault") w.fault = v;
    else if (name == "advance") w.advance = v;
    else return "unknown weight '" + name + "' (server, call, listener, fault, advance)";
  }
  return std::nullopt;
}

/// The exploration as the HTML report's page: the written scenario played again with a trace (its
/// timeline, the failing step, the source), headed by the divergence and the shrunk story; or, when
/// nothing diverged, one passing entry that says how much was explored.
bool write_explore_html(const ExploreCli& cli, const explore::ExploreResult& r, const std::string& program) {
  SuiteReport report;
  report.started = std::chrono::system_clock::now();
  report.wall_time = std::chrono::duration_cast<std::chrono::milliseconds>(r.wall);
  report.rerun_template = program + " run {file}";
  ScenarioResult result;
  if (r.failing_index && !r.written.empty()) {
    LoadResult loaded = load_scenario_file(r.written);
    if (loaded.ok()) {
      RunOptions options;
      options.trace = true;
      options.trace_records = false;
      result = run_scenario(loaded.scenarios.front(), sdk_driver_factory(), options);
    } else {
      result = unresolved_result(r.written, loaded);
    }
    if (auto src = loaded.sources.find(r.written); src != loaded.sources.end()) result.source = src->second;
    std::string story;
    for (const auto& step : r.shrunk.steps) story += "  - " + model::describe(step) + "\n";
    result.reason = "story " + std::to_string(*r.failing_index) + " of seed " + std::to_string(cli.seed) + " diverged from the model (" +
                    r.divergence->kind + "): " + r.divergence->summary + "; shrunk to " + std::to_string(r.shrunk.steps.size()) +
                    " step(s):\n" + story;
  } else {
    result.file = "(exploration)";
    result.name = "seed " + std::to_string(cli.seed) + ": " + std::to_string(r.stories) + " stories, no divergence from the model";
    result.reason = std::to_string(r.steps) + " steps, " + std::to_string(r.transitions) + " model transitions";
  }
  report.results.push_back(std::move(result));
  std::ostringstream out;
  write_html(out, report, HtmlOptions{.title = "Exploration, seed " + std::to_string(cli.seed), .kind = "explore"});
  return write_output(cli.html, out.str(), false);
}

}  // namespace

void add_explore_command(CLI::App& app, ExploreCli& cli) {
  auto* e = app.add_subcommand("explore", "play seeded random stories against the SDK and the reference model; shrink what diverges to a scenario");
  e->add_option("--seed", cli.seed, "the exploration's seed: the same seed, the same stories and verdicts")->capture_default_str();
  auto* runs = e->add_option("--runs", cli.runs, "how many stories")->capture_default_str()->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
  e->add_option("--time", cli.time, "explore for this long instead (e.g. 30s, 5min)")->excludes(runs);
  e->add_option("--participants", cli.participants, "participants per story")->capture_default_str()->check(CLI::Range(1, 50));
  e->add_option("--rooms", cli.rooms, "rooms per story")->capture_default_str()->check(CLI::Range(1, 50));
  e->add_option("--steps", cli.steps, "steps per story")->capture_default_str()->check(CLI::Range(1, 2000));
  e->add_option("--weights", cli.weights, "how often each kind of step is chosen: server=4,call=4,listener=1,fault=1,advance=3");
  e->add_option("-j,--jobs", cli.jobs, "play this many stories at once")->capture_default_str()->check(CLI::Range(1, 64));
  e->add_option("--out", cli.out, "write the shrunk failing story into this directory")->capture_default_str();
  e->add_option("--shrink-budget", cli.shrink_budget, "at most this many stories tried while shrinking")->capture_default_str()->check(CLI::Range(0, 100000));
  e->add_flag("--check-determinism", cli.check_determinism, "play each story twice and compare the two runs");
  e->add_option("--html", cli.html, "write the result as an HTML page: the shrunk story played, and where it diverged from the model");
  cli.command = e;
}

int run_explore_command(const ExploreCli& cli, const std::string& program) {
  explore::ExploreOptions o;
  o.seed = cli.seed;
  o.runs = cli.runs;
  if (!cli.time.empty()) {
    auto d = clock::parse_duration(cli.time);
    if (!d || d->count() <= 0) {
      std::cerr << "harness explore: --time: expected a duration such as 30s or 5min\n";
      return 2;
    }
    o.time = *d;
  }
  o.generator.participants = cli.participants;
  o.generator.rooms = cli.rooms;
  o.generator.steps = cli.steps;
  if (auto error = parse_weights(cli.weights, o.generator.weights)) {
    std::cerr << "harness explore: --weights: " << text::terminal_safe(*error) << "\n";
    return 2;
  }
  o.jobs = cli.jobs;
  o.out_dir = cli.out;
  o.shrink_budget = cli.shrink_budget;
  o.check.check_determinism = cli.check_determinism;
  o.progress = isatty(STDERR_FILENO) != 0;
  o.command = program + " explore --participants " + std::to_string(cli.participants) + " --rooms " + std::to_string(cli.rooms) +
              " --steps " + std::to_string(cli.steps) + (cli.weights.empty() ? "" : " --weights " + cli.weights);

  auto r = explore::run_exploration(sdk_driver_factory(), o, std::cerr);
  double secs = std::max(1e-3, std::chrono::duration<double>(r.wall).count());
  std::cout << "explored " << r.stories << " stories (" << r.steps << " steps) in " << std::fixed << std::setprecision(1) << secs << " s: "
            << static_cast<long long>(r.stories / secs) << " stories/s; model: " << r.transitions << " transitions, " << r.rules.size()
            << " rules touched; " << r.frames << " WebSocket frames\n";
  bool html_failed = !cli.html.empty() && !write_explore_html(cli, r, program);
  if (!r.failing_index) {
    std::cout << "no divergence (seed " << cli.seed << ")\n";
    return html_failed ? 3 : 0;
  }
  std::cout << "DIVERGED in story " << *r.failing_index << " of seed " << cli.seed << " (" << r.divergence->kind << ")\n  "
            << text::terminal_safe(r.divergence->summary) << "\n";
  std::cout << "shrunk to " << r.shrunk.participants.size() << " participant(s), " << r.shrunk.rooms.size() << " room(s), "
            << r.shrunk.steps.size() << " step(s):\n";
  for (const auto& step : r.shrunk.steps) std::cout << "  - " << model::describe(step) << "\n";
  if (!r.written.empty()) {
    std::cout << "written: " << text::terminal_safe(r.written) << (r.written_fails ? " (fails under harness run)" : " (WARNING: passes under harness run)")
              << "\n  run it:  " << program << " run " << text::terminal_safe(r.written) << "\n";
  } else if (cli.out.empty()) {
    std::cout << r.yaml;
  }
  std::cout << "  replay:  " << o.command << " --seed " << cli.seed << " --runs " << (*r.failing_index + 1) << "\n";
  if (!r.error.empty()) {
    std::cerr << "harness explore: " << text::terminal_safe(r.error) << "\n";
    return 3;
  }
  return html_failed ? 3 : 1;
}

}  // namespace breakout::harness
