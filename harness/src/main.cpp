// harness: run, validate and list breakout-room scenarios.
#include <breakout/harness/report.hpp>
#include <breakout/harness/runner.hpp>
#include <breakout/scenario/scenario.hpp>
#include <breakout/scenario/tree.hpp>
#include <breakout/harness/trace_tools.hpp>

#include "cli_output.hpp"
#include "explore_command.hpp"
#include "merge_command.hpp"
#include "show_command.hpp"
#include "inspect_commands.hpp"
#include "sdk_driver.hpp"
#include "selection.hpp"

#include <breakout/protocol/files.hpp>
#include <breakout/protocol/numbers.hpp>
#include <breakout/protocol/text.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <filesystem>
#include <iostream>
#include <limits>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace breakout::harness;

namespace {

/// traces/<file stem>[--<variant>][-r<repeat>].trace.jsonl
std::string trace_path(const std::string& dir, const std::string& file, const std::string& name, int repeat) {
  std::string stem = fs::path(file).stem().string();
  if (auto open = name.rfind(" ["); open != std::string::npos && name.back() == ']') {
    std::string slug;
    for (char c : name.substr(open + 2, name.size() - open - 3))
      slug += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '-';
    stem += "--" + slug;
  }
  if (repeat > 0) stem += "-r" + std::to_string(repeat + 1);
  return (fs::path(dir) / (stem + ".trace.jsonl")).string();
}

/// A CLI11 check that the text is a decimal whole number that fits, with no sign or exponent.
CLI::Validator whole_number(const std::string& what) {
  return CLI::Validator(
      [what](const std::string& text) {
        return breakout::numbers::parse_integer(text, 0, std::numeric_limits<std::int64_t>::max()) ? std::string() : "expected " + what;
      },
      "UINT");
}

/// This machine's name, for reports ("localhost" when it has none).
std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

/// Exit status when `harness run` selects no scenario at all (docs/harness.md).
constexpr int kExitNothingMatched = 4;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs breakout-room scenarios against the SDK under test and the mock Teams server."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("harness ") + BREAKOUT_VERSION);

  Selection run_sel;
  std::string junit, json_report;
  int timeout_ms = 10000;
  int repeat = 1;
  std::uint64_t seed = 1;
  auto* run = app.add_subcommand("run", "run scenarios and report");
  add_selection(run, run_sel);
  run->add_option("--junit", junit, "write a JUnit XML report to this file");
  run->add_option("--json", json_report, "write a JSON report (with event logs) to this file");
  std::string html;
  HtmlOptions html_options;
  run->add_option("--html", html, "write the HTML report (one self-contained page: filters, timelines, expected against observed) to this file");
  JunitOptions junit_options;
  run->add_flag("--junit-file-attributes", junit_options.file_attributes,
                "add file and line attributes to each JUnit testcase (GitLab and GitHub read them; the JUnit schemas do not allow them)");
  run->add_option("--timeout-ms", timeout_ms, "wall-clock limit per scenario before it is a TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(1, 86'400'000));
  run->add_option("--repeat", repeat, "run each scenario this many times")->check(CLI::Range(1, 100000));
  int parallel = 1;
  auto* seed_option = run->add_option("--seed", seed, "shuffle the order of the runs with this seed (to find scenarios that depend on each other)")
                          ->check(whole_number("a whole number from 0 to 9223372036854775807"));
  run->add_option("-j,--jobs", parallel, "run this many scenarios at once")->check(CLI::Range(1, 64));
  std::string trace_dir = "traces";
  bool trace_all = false, no_traces = false;
  run->add_option("--trace-dir", trace_dir, "write traces (docs/traces.md) into this directory")->capture_default_str();
  run->add_flag("--trace-all", trace_all, "write a trace for every scenario, not only for those that fail");
  run->add_flag("--no-traces", no_traces, "write no traces");
  std::string reporter = "console";
  run->add_option("--reporter", reporter, "console, or github: also GitHub Actions annotations (::error file=...,line=...) for failures")
      ->check(CLI::IsMember({"console", "github"}))
      ->capture_default_str();
  bool pass_with_none = false;
  run->add_flag("--pass-with-no-scenarios", pass_with_none,
                "exit 0 when the paths, --filter and --tag select no scenario (by default that is exit 4)");

  std::string replay_trace, replay_out;
  auto* replay_cmd = app.add_subcommand("replay", "play a trace's server side against the SDK and compare with what was recorded");
  replay_cmd->add_option("trace", replay_trace, "the trace file")->required();
  replay_cmd->add_option("--trace-out", replay_out, "write the replay's own trace to this file");

  std::string t2s_trace, t2s_out;
  bool t2s_observed_only = false;
  auto* t2s = app.add_subcommand("trace-to-scenario", "write a scenario that plays a trace and expects what the SDK did");
  t2s->add_option("trace", t2s_trace, "the trace file")->required();
  t2s->add_option("-o,--output", t2s_out, "write the scenario to this file (default: standard output)");
  t2s->add_flag("--observed-only", t2s_observed_only,
                "leave out the step that failed when the trace was recorded: expect only what was observed");

  Selection validate_sel;
  bool validate_json = false;
  auto* validate = app.add_subcommand("validate", "check scenarios without running them");
  add_selection(validate, validate_sel);
  validate->add_flag("--json", validate_json, "print the result as JSON (each file, its errors with line and column)");

  Selection list_sel;
  bool list_json = false;
  auto* list = app.add_subcommand("list", "print the scenarios that would run");
  add_selection(list, list_sel);
  list->add_flag("--json", list_json, "print the scenarios as JSON (file, name, tags, rules)");

  Selection coverage_sel;
  bool coverage_json = false;
  auto* coverage = app.add_subcommand("coverage", "run the scenarios and print each rule with its scenarios and their outcomes");
  add_selection(coverage, coverage_sel);
  coverage->add_flag("--json", coverage_json, "print the coverage as JSON (each rule, its scenarios and their outcomes)");

  ExploreCli explore_cli;
  add_explore_command(app, explore_cli);
  MergeCli merge_cli;
  add_merge_command(app, merge_cli);
  ShowCli show_cli;
  add_show_command(app, show_cli);

  // A usage mistake exits 2 like any other input the harness cannot use (docs/harness.md).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 says only "a subcommand is required" for a word it does not know: name it.
    if (argc > 1 && argv[1][0] != '-') {
      std::vector<std::string> known;
      for (const auto* sub : app.get_subcommands({})) known.push_back(sub->get_name());
      if (std::find(known.begin(), known.end(), argv[1]) == known.end()) {
        std::string hint = breakout::scenario::did_you_mean(argv[1], known);
        print(std::cerr, std::string("error: unknown subcommand '") + argv[1] + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                             " (run, replay, trace-to-scenario, validate, list, coverage, explore, merge, show; --help for more)\n");
        return 2;
      }
    }
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto read = [](const std::string& path) {
    breakout::trace::ReadResult t = breakout::trace::read_trace(path);
    for (const auto& e : t.errors) print(std::cerr, e + "\n");
    return t;
  };

  if (*explore_cli.command) return run_explore_command(explore_cli, argv[0]);
  if (*merge_cli.command) return run_merge_command(merge_cli);
  if (*show_cli.command) return run_show_command(show_cli);

  if (*t2s) {
    auto t = read(t2s_trace);
    if (!t.ok()) return 2;
    TraceToScenarioOptions options;
    options.trace_path = t2s_trace;
    options.keep_failure = !t2s_observed_only;
    GeneratedScenario g = trace_to_scenario(t, options);
    if (!t2s_out.empty())
      for (const auto& n : g.notes) print(std::cerr, "note: " + n + "\n");
    if (g.yaml.size() > breakout::scenario::LoadLimits::file_bytes) {
      print(std::cerr, "error: a scenario made from this trace would be " + std::to_string(g.yaml.size()) + " bytes, over the " +
                           std::to_string(breakout::scenario::LoadLimits::file_bytes) +
                           " a scenario file may have (it expects each event every participant saw); replay the trace with '" +
                           argv[0] + " replay' instead\n");
      return 2;
    }
    // What is written must load: a scenario that does not is a bug here, not the user's.
    LoadResult check = load_scenario_text(g.yaml, t2s_out.empty() ? "(generated)" : t2s_out);
    if (!check.ok()) {
      print(std::cerr, "error: the generated scenario does not validate:\n" + render_errors(check));
      return 2;
    }
    if (t2s_out.empty()) {
      std::cout << g.yaml;  // YAML escapes what it must; the text is the scenario
    } else {
      if (!write_output(t2s_out, g.yaml, false)) return kExitOutputFailed;
      print(std::cerr, "wrote " + t2s_out + "; run it with: " + argv[0] + " run " + t2s_out + "\n");
    }
    return 0;
  }

  if (*replay_cmd) {
    auto t = read(replay_trace);
    if (!t.ok()) return 2;
    RunOptions options;
    ReplayResult r = replay(t, replay_trace, sdk_driver_factory(), options);
    print(std::cout, r.report);
    if (!replay_out.empty()) {
      if (!write_output(replay_out, trace_text(r.run), true)) return kExitOutputFailed;
      print(std::cout, "the replay's trace: " + replay_out + "\n");
    }
    if (r.run.outcome == Outcome::timeout || r.run.outcome == Outcome::unresolved) return 2;
    return r.same ? 0 : 1;
  }

  if (*validate) return validate_command(validate_sel, validate_json);
  if (*list) return list_command(list_sel, list_json);
  if (*coverage) return coverage_command(coverage_sel, coverage_json);

  bool seed_given = seed_option->count() > 0;
  bool broken = false;
  auto loaded = load_selected(run_sel, broken);
  RunOptions options;
  options.wall_timeout = std::chrono::milliseconds(timeout_ms);
  options.trace = !no_traces;
  options.trace_records = false;  // traces go from each run's spool to their files
  SuiteReport report;
  report.rerun_template = std::string(argv[0]) + " run {file}";
  auto drivers = sdk_driver_factory();

  // One job per scenario variant and repeat; results keep the job order whatever -j is.
  struct Job {
    std::string file;
    const LoadResult* loaded;
    const Scenario* scenario;  // null for a file that does not validate
    int repeat;
    std::string tree_path;  // the file's place in its scenario tree, found once per file
  };
  std::vector<Job> jobs;
  for (const auto& [file, result] : loaded) {
    std::string tree_path = path_in_tree(run_sel, file);
    if (!result.ok()) {
      jobs.push_back({file, &result, nullptr, 0, tree_path});
      continue;
    }
    for (const auto& scenario : result.scenarios)
      for (int i = 0; i < repeat; ++i) jobs.push_back({file, &result, &scenario, i, tree_path});
  }
  // A selection that matches nothing is a mistake in the CI job (a renamed folder, a tag with a
  // typo), not a green build.
  if (jobs.empty() && !broken) {
    if (pass_with_none) {
      std::cout << "no scenarios matched\n";
      return 0;
    }
    std::cerr << "error: no scenarios matched the paths" << (run_sel.filter.empty() ? "" : ", --filter") << (run_sel.tags.empty() ? "" : ", --tag")
              << (run_sel.excluded_tags.empty() ? "" : ", --exclude-tag")
              << " given (--pass-with-no-scenarios makes that a success)\n";
    return kExitNothingMatched;
  }
  if (seed_given) {
    std::mt19937_64 rng(seed);
    std::shuffle(jobs.begin(), jobs.end(), rng);
  }
  std::vector<ScenarioResult> results(jobs.size());
  report.started = std::chrono::system_clock::now();
  report.hostname = host_name();
  report.repeats = repeat;
  if (auto shard = breakout::numbers::parse_shard(run_sel.shard))  // written as k/n whatever the spelling
    report.shard = std::to_string(shard->index) + "/" + std::to_string(shard->count);
  auto started = std::chrono::steady_clock::now();
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t k = next++; k < jobs.size(); k = next++) {
      const Job& job = jobs[k];
      results[k] = job.scenario ? run_scenario(*job.scenario, drivers, options) : unresolved_result(job.file, *job.loaded);
      results[k].tree_path = job.tree_path;
      results[k].repeat = job.repeat;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min<int>(parallel, static_cast<int>(jobs.size())); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();

  // A repeat must see exactly what the first run of the same variant saw: anything else is nondeterminism.
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    if (!jobs[k].scenario || results[k].outcome != Outcome::pass) continue;
    for (std::size_t f = 0; f < jobs.size(); ++f) {
      if (f == k || jobs[f].scenario != jobs[k].scenario || jobs[f].repeat >= jobs[k].repeat) continue;
      // The event logs, then the traces (every frame both ways), must be the same.
      auto lines = [&](const ScenarioResult& r, bool of_trace) {
        std::vector<std::string> out;
        if (of_trace && r.trace_spool)
          r.trace_spool->for_each_line([&](std::string_view line) {
            out.emplace_back(line);
            return true;
          });
        else
          for (const auto& o : r.log) out.push_back(format_observation(o));
        return out;
      };
      for (bool of_trace : {false, true}) {
        auto a_log = lines(results[f], of_trace), b_log = lines(results[k], of_trace);
        std::size_t n = std::max(a_log.size(), b_log.size());
        std::string what = of_trace ? "record" : "event";
        for (std::size_t e = 0; e < n; ++e) {
          std::string a = e < a_log.size() ? a_log[e] : "(nothing)";
          std::string b = e < b_log.size() ? b_log[e] : "(nothing)";
          if (a == b) continue;
          results[k].outcome = Outcome::fail;
          results[k].message = jobs[k].file + ": error: repeat " + std::to_string(jobs[k].repeat + 1) + " saw a different " +
                               (of_trace ? "trace" : "event log") + " than repeat " + std::to_string(jobs[f].repeat + 1) + "\n" +
                               "note: " + what + " " + std::to_string(e + 1) + " then: " + a + "\n" + "note: " + what + " " +
                               std::to_string(e + 1) + " now:  " + b + "\n";
          break;
        }
        if (results[k].outcome == Outcome::fail) break;
      }
      break;
    }
  }
  // Traces of what failed (of everything with --trace-all), and the trace-free results for reports.
  bool outputs_failed = false;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    auto& r = results[k];
    bool failed = r.outcome == Outcome::fail || r.outcome == Outcome::timeout || r.outcome == Outcome::xpass;
    if (r.trace_spool && (failed || trace_all)) {
      std::string path = trace_path(trace_dir, jobs[k].file, r.name, jobs[k].repeat);
      if (auto written = write_trace(path, r)) {
        r.trace_file = path;
      } else {
        print(std::cerr, "error: " + written.error() + "\n");
        outputs_failed = true;
      }
    }
    r.trace.clear();
    // The HTML report draws what failed (everything with --trace-all) from its trace, and shows the
    // source around the failing step.
    if (!html.empty() && (failed || r.outcome == Outcome::unresolved || trace_all)) {
      if (auto src = jobs[k].loaded->sources.find(jobs[k].file); src != jobs[k].loaded->sources.end()) r.source = src->second;
    } else {
      r.trace_spool.reset();
    }
  }
  report.results = std::move(results);
  if (seed_given) std::cout << "order shuffled with --seed " << seed << "\n";
  report.wall_time = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::ostringstream console;
  write_console(console, report);
  if (reporter == "github") write_github_annotations(console, report);
  print(std::cout, console.str());
  // Each report is written whole or not at all; one that cannot be written does not stop the others.
  if (!junit.empty()) {
    std::ostringstream out;
    write_junit(out, report, junit_options);
    outputs_failed |= !write_output(junit, out.str(), false);
  }
  if (!json_report.empty()) {
    std::ostringstream out;
    write_json(out, report);
    outputs_failed |= !write_output(json_report, out.str(), false);
  }
  if (!html.empty()) {
    std::ostringstream out;
    write_html(out, report, html_options);
    outputs_failed |= !write_output(html, out.str(), false);
  }
  if (outputs_failed) {
    std::cerr << "error: a report or trace asked for was not written (above); the run's outcome is in the summary\n";
    return kExitOutputFailed;
  }
  if (broken) return 2;
  return exit_code(report);
}
