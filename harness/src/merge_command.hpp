// harness merge: the JSON reports of a sharded run as one JSON and JUnit report (docs/ci.md).
#pragma once

#include <CLI/CLI.hpp>

#include <breakout/harness/report.hpp>

#include <string>
#include <vector>

namespace breakout::harness {

struct MergeCli {
  CLI::App* command = nullptr;
  std::vector<std::string> reports;
  std::string json, junit, html;
  JunitOptions junit_options;
};

void add_merge_command(CLI::App& app, MergeCli& cli);
/// 0 when the merged run passed, 1 when something in it failed (exit_code), 2 when the reports
/// cannot be merged (a shard missing or twice, a scenario in two shards, a report unreadable), 3
/// when an output could not be written.
int run_merge_command(const MergeCli& cli);

}  // namespace breakout::harness
