// Console, JUnit XML and JSON reports.
#include <breakout/harness/report.hpp>

#include <breakout/protocol/text.hpp>

#include <map>

namespace breakout::harness {
namespace {

/// Any string made legal XML: markup escaped, characters XML forbids made visible, invalid UTF-8
/// replaced. Attribute values keep their newlines as character references.
std::string xml_attr(const std::string& s) { return text::xml_safe(s, true); }
std::string xml_text(const std::string& s) { return text::xml_safe(s, false); }

bool is_failure(Outcome o) { return o == Outcome::fail || o == Outcome::timeout || o == Outcome::unresolved || o == Outcome::xpass; }

/// The command that re-runs just this result: the file, and for a matrix variant its name.
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

}  // namespace

void write_console(std::ostream& out, const SuiteReport& report) {
  std::map<Outcome, int> counts;
  for (const auto& r : report.results) {
    ++counts[r.outcome];
    // Expected failures and skips are listed with their reason, so none of them goes unnoticed.
    if (r.outcome == Outcome::xfail || r.outcome == Outcome::skip) {
      out << to_string(r.outcome) << ": " << r.name << " (" << r.file << "): " << r.reason << "\n";
      continue;
    }
    if (!is_failure(r.outcome)) continue;
    out << to_string(r.outcome) << ": " << r.name << " (" << r.file << ")\n";
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
    props += ",title=" + github_property(std::string(to_string(r.outcome)) + ": " + r.name);
    out << "::error " << text::terminal_safe(props) << "::" << text::terminal_safe(github_data(r.message.empty() ? r.reason : r.message)) << "\n";
  }
}

void write_junit(std::ostream& out, const SuiteReport& report) {
  int failures = 0, errors = 0, skipped = 0;
  for (const auto& r : report.results) {
    if (r.outcome == Outcome::fail || r.outcome == Outcome::xpass) ++failures;
    else if (r.outcome == Outcome::timeout || r.outcome == Outcome::unresolved) ++errors;
    else if (r.outcome == Outcome::skip || r.outcome == Outcome::xfail) ++skipped;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites tests=\"" << report.results.size() << "\" failures=\"" << failures << "\" errors=\"" << errors
      << "\" skipped=\"" << skipped << "\" time=\"" << seconds(report.wall_time) << "\">\n";
  out << "  <testsuite name=\"breakout-scenarios\" tests=\"" << report.results.size() << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << seconds(report.wall_time) << "\">\n";
  for (const auto& r : report.results) {
    out << "    <testcase classname=\"" << xml_attr(r.file) << "\" name=\"" << xml_attr(r.name) << "\" time=\""
        << seconds(r.wall_time) << "\">\n";
    std::string first_line = r.message.substr(0, r.message.find('\n'));
    switch (r.outcome) {
      case Outcome::fail:
      case Outcome::xpass:
        out << "      <failure message=\"" << xml_attr(first_line) << "\" type=\"" << to_string(r.outcome) << "\">"
            << xml_text(r.message + "re-run: " + rerun(report, r)) << "</failure>\n";
        break;
      case Outcome::timeout:
      case Outcome::unresolved:
        out << "      <error message=\"" << xml_attr(first_line) << "\" type=\"" << to_string(r.outcome) << "\">"
            << xml_text(r.message + "re-run: " + rerun(report, r)) << "</error>\n";
        break;
      case Outcome::skip:
      case Outcome::xfail:
        out << "      <skipped message=\"" << xml_attr(std::string(to_string(r.outcome)) + ": " + r.reason) << "\"/>\n";
        break;
      case Outcome::pass: break;
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
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
    scenarios.push_back({{"file", r.file},
                         {"name", r.name},
                         {"outcome", std::string(to_string(r.outcome))},
                         {"rules", r.rules},
                         {"tags", r.tags},
                         {"reason", r.reason},
                         {"message", r.message},
                         {"wallTimeMs", r.wall_time.count()},
                         {"virtualTimeMs", r.virtual_time.count()},
                         {"rerun", rerun(report, r)},
                         {"trace", r.trace_file},
                         {"log", log}});
  }
  std::map<std::string, int> counts;
  for (const auto& r : report.results) ++counts[std::string(to_string(r.outcome))];
  out << text::dump_json(Json{{"format", "breakout-harness-report"}, {"version", 1}, {"wallTimeMs", report.wall_time.count()},
                              {"counts", counts}, {"scenarios", scenarios}},
                         2)
      << "\n";
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
