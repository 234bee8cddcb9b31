// Reports of a suite run: console lines for people, JUnit XML and JSON for CI.
#pragma once

#include <breakout/harness/runner.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace breakout::harness {

struct SuiteReport {
  std::vector<ScenarioResult> results;
  std::chrono::milliseconds wall_time{0};
  /// The command line that re-runs one scenario, with "{file}" for its path.
  std::string rerun_template = "harness run {file}";
};

/// Failures in full, then one summary line: "12 passed, 0 failed (...)".
void write_console(std::ostream& out, const SuiteReport& report);
/// GitHub Actions workflow commands: one `::error file=...,line=...,col=...,title=...::message`
/// per failure, TIMEOUT, XPASS or UNRESOLVED scenario, shown on the pull request's diff.
void write_github_annotations(std::ostream& out, const SuiteReport& report);
void write_junit(std::ostream& out, const SuiteReport& report);
void write_json(std::ostream& out, const SuiteReport& report);
/// The process exit code for a run: 0 when nothing failed (docs/harness.md).
int exit_code(const SuiteReport& report);

}  // namespace breakout::harness
