// `harness explore`: its options and what it prints (docs/exploring.md).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace breakout::harness {

struct ExploreCli {
  std::uint64_t seed = 1;
  std::uint64_t runs = 1000;
  std::string time;
  int participants = 3;
  int rooms = 2;
  int steps = 40;
  int jobs = 1;
  std::string out = "explored";
  bool check_determinism = false;
  std::string weights;
  int shrink_budget = 400;
  /// Write the result as the HTML report's page: the shrunk story, run, where it diverged.
  std::string html;
  CLI::App* command = nullptr;
};

void add_explore_command(CLI::App& app, ExploreCli& cli);
/// Runs the exploration: 0 when nothing diverged, 1 when a divergence was found (and written),
/// 2 for options it cannot use, 3 when the scenario could not be written.
int run_explore_command(const ExploreCli& cli, const std::string& program);

}  // namespace breakout::harness
