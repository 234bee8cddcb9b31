// harness merge (merge_command.hpp).
#include "merge_command.hpp"

#include "cli_output.hpp"

#include <breakout/protocol/files.hpp>

#include <iostream>
#include <sstream>

namespace breakout::harness {

/// A report of a very large run (a thousand participants, every event logged) stays well under this.
constexpr std::size_t kMostReportBytes = std::size_t{512} << 20;

void add_merge_command(CLI::App& app, MergeCli& cli) {
  cli.command = app.add_subcommand("merge", "combine the JSON reports of the shards of one run (--shard k/n) into one JSON and JUnit report");
  cli.command->add_option("reports", cli.reports, "the shards' JSON reports (harness run --json), one per shard")->required();
  cli.command->add_option("--json", cli.json, "write the merged JSON report to this file");
  cli.command->add_option("--junit", cli.junit, "write the merged JUnit XML report to this file");
  cli.command->add_option("--html", cli.html, "write the merged HTML report to this file");
  cli.command->add_flag("--junit-file-attributes", cli.junit_options.file_attributes,
                        "add file and line attributes to each JUnit testcase (as harness run does)");
}

int run_merge_command(const MergeCli& cli) {
  std::vector<std::pair<std::string, SuiteReport>> reports;
  for (const auto& path : cli.reports) {
    auto text = files::read_regular_file(path, kMostReportBytes);
    if (!text) {
      print(std::cerr, path + ": error: " + text.error() + "\n");
      return 2;
    }
    auto report = read_json_report(*text);
    if (!report) {
      print(std::cerr, path + ": error: " + report.error() + "\n");
      return 2;
    }
    reports.emplace_back(path, std::move(*report));
  }
  auto merged = merge_reports(reports);
  if (!merged) {
    print(std::cerr, "error: " + merged.error() + "\n");
    return 2;
  }
  std::ostringstream console;
  write_console(console, *merged);
  print(std::cout, "merged " + std::to_string(reports.size()) + " shards: " + console.str());
  bool failed = false;
  if (!cli.json.empty()) {
    std::ostringstream out;
    write_json(out, *merged);
    failed |= !write_output(cli.json, out.str(), false);
  }
  if (!cli.junit.empty()) {
    std::ostringstream out;
    write_junit(out, *merged, cli.junit_options);
    failed |= !write_output(cli.junit, out.str(), false);
  }
  if (!cli.html.empty()) {
    std::ostringstream out;
    write_html(out, *merged, HtmlOptions{.title = "Breakout scenarios: " + std::to_string(reports.size()) + " shards merged", .kind = "merge"});
    failed |= !write_output(cli.html, out.str(), false);
  }
  if (failed) return kExitOutputFailed;
  return exit_code(*merged);
}

}  // namespace breakout::harness
