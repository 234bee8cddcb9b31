// Console, GitHub and JSON reports (JUnit XML: junit_report.cpp).
#include <breakout/harness/report.hpp>

#include <breakout/protocol/text.hpp>

#include <map>

namespace breakout::harness {

std::string rerun(const SuiteReport& report, const ScenarioResult& r) {
  std::string cmd = report.rerun_template;
  auto pos = cmd.find("{file}");
  if (pos != std::string::npos) cmd.replace(pos, 6, r.file);
  if (r.name.find(" [") != std::string::npos && r.name.back() == ']') cmd += " --filter '" + r.name + "'";
  return cmd;
}

std::string seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

int failing_line(const ScenarioResult& r) {
  std::string prefix = r.file + ":";
  if (!r.message.starts_with(prefix)) return 0;
  int line = 0;
  for (std::size_t i = prefix.size(); i < r.message.size() && line < 10'000'000 && r.message[i] >= '0' && r.message[i] <= '9'; ++i)
    line = line * 10 + (r.message[i] - '0');
  return line;
}

bool is_failure(Outcome o) { return o == Outcome::fail || o == Outcome::timeout || o == Outcome::unresolved || o == Outcome::xpass; }

std::string shown_name(const SuiteReport& report, const ScenarioResult& r) {
  if (report.repeats <= 1 || r.outcome == Outcome::unresolved) return r.name;  // a file that does not load runs once
  return r.name + " (repeat " + std::to_string(r.repeat + 1) + " of " + std::to_string(report.repeats) + ")";
}

void write_console(std::ostream& out, const SuiteReport& report) {
  std::map<Outcome, int> counts;
  for (const auto& r : report.results) {
    ++counts[r.outcome];
    // Expected failures and skips are listed with their reason, so none of them goes unnoticed.
    if (r.outcome == Outcome::xfail || r.outcome == Outcome::skip) {
      out << to_string(r.outcome) << ": " << shown_name(report, r) << " (" << r.file << "): " << r.reason << "\n";
      continue;
    }
    if (!is_failure(r.outcome)) continue;
    out << to_string(r.outcome) << ": " << shown_name(report, r) << " (" << r.file << ")\n";
    if (!r.rules.empty()) {
      out << "  rules:";
      for (const auto& rule : r.rules) out << " " << rule;
      out << "\n";
    }
    out << r.message;
    if (!r.message.empty() && r.message.back() != '\n') out << "\n";
    if (!r.trace_file.empty()) out << "  trace:  " << r.trace_file << "  (harness replay " << r.trace_file << ")\n";
    out << "  re-run: " << rerun(report, r) << "\n\n";
  }
  int passed = counts[Outcome::pass];
  int failed = counts[Outcome::fail] + counts[Outcome::timeout] + counts[Outcome::unresolved] + counts[Outcome::xpass];
  out << passed << " passed, " << failed << " failed";
  if (counts[Outcome::skip]) out << ", " << counts[Outcome::skip] << " skipped";
  std::string detail;
  for (Outcome o : {Outcome::xfail, Outcome::timeout, Outcome::unresolved, Outcome::xpass})
    if (counts[o]) detail += (detail.empty() ? "" : ", ") + std::to_string(counts[o]) + " " + std::string(to_string(o));
  if (!detail.empty()) out << " (" << detail << ")";
  out << " in " << seconds(report.wall_time) << " s\n";
}

namespace {

/// A workflow command's message: %, CR and LF escaped (GitHub's own rule).
std::string github_data(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

/// A workflow command's property value: also ':' and ','.
std::string github_property(const std::string& text) {
  std::string out;
  for (char c : github_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

}  // namespace

Json result_facts(const SuiteReport& report, const ScenarioResult& r) {
  return {{"file", r.file},
          {"treePath", r.tree_path},
          {"outcome", std::string(to_string(r.outcome))},
          {"rules", r.rules},
          {"tags", r.tags},
          {"reason", r.reason},
          {"message", r.message},
          {"wallTimeMs", r.wall_time.count()},
          {"virtualTimeMs", r.virtual_time.count()},
          {"rerun", report.rerun_template.empty() ? std::string() : rerun(report, r)},
          {"trace", r.trace_file}};
}

void write_github_annotations(std::ostream& out, const SuiteReport& report) {
  for (const auto& r : report.results) {
    if (!is_failure(r.outcome)) continue;
    // The message starts "file:line:col: error: what" when the failure has a place.
    std::string file = r.file, first = r.message.substr(0, r.message.find('\n'));
    std::string line, col;
    if (auto at = first.find(": error: "); at != std::string::npos) {
      std::string place = first.substr(0, at);
      auto c2 = place.rfind(':');
      auto c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : place.rfind(':', c2 - 1);
      auto digits = [](const std::string& t) { return !t.empty() && t.find_first_not_of("0123456789") == std::string::npos; };
      if (c1 != std::string::npos && digits(place.substr(c1 + 1, c2 - c1 - 1)) && digits(place.substr(c2 + 1))) {
        file = place.substr(0, c1);
        line = place.substr(c1 + 1, c2 - c1 - 1);
        col = place.substr(c2 + 1);
      }
    }
    std::string props = "file=" + github_property(file);
    if (!line.empty()) props += ",line=" + line + ",col=" + col;
    props += ",title=" + github_property(std::string(to_string(r.outcome)) + ": " + shown_name(report, r));
    out << "::error " << text::terminal_safe(props) << "::" << text::terminal_safe(github_data(r.message.empty() ? r.reason : r.message)) << "\n";
  }
}

void write_json(std::ostream& out, const SuiteReport& report) {
  Json scenarios = Json::array();
  for (const auto& r : report.results) {
    Json log = Json::array();
    for (const auto& o : r.log) {
      Json entry = {{"at", o.at.count()}, {"participant", o.participant}, {"type", o.type}, {"data", o.data}, {"setup", o.setup}};
      if (!o.listener.empty()) entry["listener"] = o.listener;
      log.push_back(std::move(entry));
    }
    Json entry = result_facts(report, r);
    entry["name"] = r.name;
    entry["repeat"] = r.repeat;
    entry["log"] = std::move(log);
    scenarios.push_back(std::move(entry));
  }
  std::map<std::string, int> counts;
  for (const auto& r : report.results) ++counts[std::string(to_string(r.outcome))];
  Json doc = {{"format", "breakout-harness-report"},
              {"version", 1},
              {"startedMs", std::chrono::duration_cast<std::chrono::milliseconds>(report.started.time_since_epoch()).count()},
              {"hostname", report.hostname},
              {"wallTimeMs", report.wall_time.count()},
              {"repeats", report.repeats},
              {"rerunTemplate", report.rerun_template},
              {"shard", report.shard.empty() ? Json(nullptr) : Json(report.shard)},
              {"counts", counts},
              {"scenarios", scenarios}};
  out << text::dump_json(doc, 2) << "\n";
}

int exit_code(const SuiteReport& report) {
  bool failed = false, unresolved = false;
  for (const auto& r : report.results) {
    if (r.outcome == Outcome::fail || r.outcome == Outcome::xpass || r.outcome == Outcome::timeout) failed = true;
    if (r.outcome == Outcome::unresolved) unresolved = true;
  }
  if (failed) return 1;
  if (unresolved) return 2;
  return 0;
}

}  // namespace breakout::harness
