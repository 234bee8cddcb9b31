// harness show (show_command.hpp). A trace arrives from anywhere (a bug report, a CI artifact): the
// page is made from its records alone. The scenario file the header names is not read: a trace
// cannot make the harness open a file of its choosing.
#include "show_command.hpp"

#include "cli_output.hpp"

#include <breakout/harness/report.hpp>
#include <breakout/protocol/text.hpp>
#include <breakout/protocol/trace.hpp>

#include <iostream>
#include <sstream>

namespace breakout::harness {
namespace {

std::string string_of(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// The trace as a report of one result: its outcome and failure from its last records.
SuiteReport report_of(const trace::ReadResult& t, const std::string& path) {
  ScenarioResult r;
  r.name = string_of(t.header, "name");
  r.file = string_of(t.header, "file");
  if (r.file.empty()) r.file = path;
  if (r.name.empty()) r.name = r.file;
  r.trace_header = t.header;
  r.trace = t.records;
  bool ended = false;
  for (const auto& rec : t.records) {
    if (auto at = rec.find("t"); at != rec.end() && at->is_number_integer()) r.virtual_time = clock::TimePoint(at->get<std::int64_t>());
    std::string kind = string_of(rec, "kind");
    if (kind == "end" && rec.contains("outcome")) {
      r.outcome = outcome_named(string_of(rec, "outcome")).value_or(r.outcome);
      ended = true;
    }
    if (kind != "failure") continue;
    r.outcome = outcome_named(string_of(rec, "outcome")).value_or(Outcome::fail);
    std::string line = rec.contains("line") && rec["line"].is_number_integer() ? std::to_string(rec["line"].get<std::int64_t>()) : "0";
    r.message = r.file + ":" + line + ":1: error: " + string_of(rec, "message") + "\n";
    if (rec.contains("source")) r.message += "note: expected: " + text::dump_json(rec["source"], -1) + "\n";
    if (rec.contains("unexpected")) r.message += "note: observed: " + text::dump_json(rec["unexpected"], -1) + "\n";
  }
  if (!ended && r.message.empty()) r.reason = "a session recorded by " + string_of(t.header, "source") + ": nothing was expected of it";
  SuiteReport report;
  report.rerun_template = "harness replay " + path;
  report.results.push_back(std::move(r));
  return report;
}

}  // namespace

void add_show_command(CLI::App& app, ShowCli& cli) {
  cli.command = app.add_subcommand("show", "write a trace as an HTML page: its timeline, and where it failed");
  cli.command->add_option("trace", cli.trace, "the trace file (docs/traces.md)")->required();
  cli.command->add_option("-o,--output", cli.output, "the HTML file to write")->required();
}

int run_show_command(const ShowCli& cli) {
  trace::ReadResult t = trace::read_trace(cli.trace);
  for (const auto& e : t.errors) print(std::cerr, e + "\n");
  if (!t.ok()) return 2;
  SuiteReport report = report_of(t, cli.trace);
  std::ostringstream out;
  HtmlOptions options{.title = "Trace: " + report.results.front().name, .kind = "trace"};
  write_html(out, report, options);
  if (!write_output(cli.output, out.str(), false)) return kExitOutputFailed;
  print(std::cerr, "wrote " + cli.output + "\n");
  return 0;
}

}  // namespace breakout::harness
