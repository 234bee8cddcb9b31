// Reports of a suite run: console lines for people, JUnit XML and JSON for CI.
#pragma once

#include <breakout/harness/runner.hpp>

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakout::harness {

struct SuiteReport {
  std::vector<ScenarioResult> results;
  std::chrono::milliseconds wall_time{0};
  /// The command line that re-runs one scenario, with "{file}" for its path.
  std::string rerun_template = "harness run {file}";
  /// When the run started, and where (JUnit's timestamp and hostname).
  std::chrono::system_clock::time_point started{};
  std::string hostname = "localhost";
  /// --repeat: each scenario's result is there this many times (ScenarioResult::repeat tells which).
  int repeats = 1;
  /// --shard k/n of the run ("2/3"), empty when it was not sharded: `harness merge` checks that
  /// the shards it is given are all there, once each.
  std::string shard;
};

struct JunitOptions {
  /// Add `file` and `line` attributes to each testcase: GitLab and GitHub's test reporters read
  /// them, and both common JUnit schemas reject them (as pytest's junit_family=xunit1).
  bool file_attributes = false;
};

/// The command that re-runs just this result: the file, and for a matrix variant its name.
std::string rerun(const SuiteReport& report, const ScenarioResult& r);
/// A duration in seconds with three decimals: "1.234".
std::string seconds(std::chrono::milliseconds ms);
/// The line a failure's message points at in the scenario's own file ("file:LINE:col: error: ..."),
/// or 0 when it points nowhere there.
int failing_line(const ScenarioResult& r);
/// FAIL, TIMEOUT, UNRESOLVED and XPASS: what makes a run fail.
bool is_failure(Outcome o);
/// What the JSON and HTML reports say of every result: file, tree path, outcome, rules, tags,
/// reason, message, times, the re-run command and the trace.
Json result_facts(const SuiteReport& report, const ScenarioResult& r);
/// The result's name as reports show it: with "(repeat k of n)" under --repeat.
std::string shown_name(const SuiteReport& report, const ScenarioResult& r);

/// Failures in full, then one summary line: "12 passed, 0 failed (...)".
void write_console(std::ostream& out, const SuiteReport& report);
/// GitHub Actions workflow commands: one `::error file=...,line=...,col=...,title=...::message`
/// per failure, TIMEOUT, XPASS or UNRESOLVED scenario, shown on the pull request's diff.
void write_github_annotations(std::ostream& out, const SuiteReport& report);
/// JUnit XML valid under both common schemas (the Ant/Jenkins JUnit XSD and Jenkins xunit's
/// junit-10.xsd) unless JunitOptions::file_attributes: one testsuite per scenario file, its rules,
/// tags and file as properties and its scenarios' event logs in system-out (docs/harness.md).
void write_junit(std::ostream& out, const SuiteReport& report, const JunitOptions& options = {});
void write_json(std::ostream& out, const SuiteReport& report);
struct HtmlOptions {
  std::string title = "Breakout scenarios";
  /// What the page shows: "run", "merge" or "trace".
  std::string kind = "run";
  /// Records drawn per scenario; beyond it the page says how many were left out (the trace keeps
  /// them all). Keeps a page of a thousand-participant run opening in seconds.
  std::size_t most_records = 20000;
  /// And at most this much of them (a roster of a thousand is 45 KB a frame).
  std::size_t most_record_bytes = std::size_t{8} << 20;
};

/// One self-contained HTML page (no network, no other file): counts by outcome, filters by
/// outcome, tag and rule, search, and per scenario expected against observed, the source around
/// the failing step and a timeline over virtual time with a lane per participant (docs/harness.md).
/// A result's timeline is drawn from its trace (`trace_spool`, else `trace`) when it has one, else
/// from its event log.
void write_html(std::ostream& out, const SuiteReport& report, const HtmlOptions& options = {});

/// A JSON report (write_json) read back; an error names the field that is wrong.
Expected<SuiteReport, std::string> read_json_report(std::string_view text);
/// The reports of the shards of one run (--shard k/n), each named (its file), as one report in the
/// order an unsharded run has. An error when a shard is missing or given twice, a report is not a
/// shard's, or a scenario is in two of them.
Expected<SuiteReport, std::string> merge_reports(const std::vector<std::pair<std::string, SuiteReport>>& reports);
/// The process exit code for a run: 0 when nothing failed (docs/harness.md).
int exit_code(const SuiteReport& report);

}  // namespace breakout::harness
