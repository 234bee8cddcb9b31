// The JUnit XML report. Two schemas are in common use by CI systems and neither accepts all of
// what the other does: the Ant/Jenkins JUnit XSD (no attributes on <testsuites>; each testsuite
// with package, id, timestamp without a time zone, hostname, then <properties>, the testcases,
// <system-out> and <system-err> in that order; at most one failure, error or skipped per testcase;
// nothing inside a testcase but those) and Jenkins xunit's junit-10.xsd (no `skipped` on
// <testsuites>). What is written here is the part both accept; harness/test/junit-ci.xsd states
// it and the JUnit test (harness/test/junit_test.sh) checks reports against it with xmllint.
#include <breakout/harness/report.hpp>

#include <breakout/protocol/text.hpp>

#include <ctime>
#include <map>

namespace breakout::harness {
namespace {

/// Any string made legal XML: markup escaped, characters XML forbids made visible, invalid UTF-8
/// replaced. Attribute values keep their newlines as character references.
std::string xml_attr(const std::string& s) { return text::xml_safe(s, true); }
std::string xml_text(const std::string& s) { return text::xml_safe(s, false); }

/// A scenario file as a class name: its path in the scenario tree, without ".yaml", folders
/// joined by dots ("moving.auto-move-on"), so CI views group by folder and show the file's name.
std::string class_name(const ScenarioResult& r) {
  std::string path = r.tree_path.empty() ? r.file : r.tree_path;
  for (const char* ext : {".yaml", ".yml"})
    if (path.size() > std::string_view(ext).size() && path.ends_with(ext)) path.resize(path.size() - std::string_view(ext).size());
  for (char& c : path)
    if (c == '/' || c == '\\') c = '.';
  while (!path.empty() && path.front() == '.') path.erase(0, 1);
  return path.empty() ? "scenario" : path;
}

/// "2026-12-06T23:40:00": UTC, and without a zone, as the Ant schema requires.
std::string timestamp(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  return buf;
}

/// A scenario's part of its suite's <system-out>: its outcome and event log, at most this many events.
constexpr std::size_t kMostLoggedEvents = 2000;

void append_log(std::string& out, const SuiteReport& report, const ScenarioResult& r) {
  out += "== " + shown_name(report, r) + ": " + std::string(to_string(r.outcome)) + " ==\n";
  std::size_t n = std::min(r.log.size(), kMostLoggedEvents);
  for (std::size_t i = 0; i < n; ++i) out += format_observation(r.log[i]) + "\n";
  if (r.log.size() > n)
    out += "(" + std::to_string(r.log.size() - n) + " more events: the JSON report has them all, and the trace every frame)\n";
}

void write_testcase(std::ostream& out, const SuiteReport& report, const ScenarioResult& r, const std::string& cls,
                    const JunitOptions& options) {
  out << "    <testcase name=\"" << xml_attr(shown_name(report, r)) << "\" classname=\"" << xml_attr(cls) << "\" time=\""
      << seconds(r.wall_time) << "\"";
  if (options.file_attributes) out << " file=\"" << xml_attr(r.file) << "\" line=\"" << std::max(1, failing_line(r)) << "\"";
  std::string first_line = r.message.substr(0, r.message.find('\n'));
  switch (r.outcome) {
    case Outcome::fail:
    case Outcome::xpass:
      out << ">\n      <failure message=\"" << xml_attr(first_line) << "\" type=\"" << to_string(r.outcome) << "\">"
          << xml_text(r.message + "re-run: " + rerun(report, r)) << "</failure>\n    </testcase>\n";
      return;
    case Outcome::timeout:
    case Outcome::unresolved:
      out << ">\n      <error message=\"" << xml_attr(first_line) << "\" type=\"" << to_string(r.outcome) << "\">"
          << xml_text(r.message + "re-run: " + rerun(report, r)) << "</error>\n    </testcase>\n";
      return;
    case Outcome::skip:
    case Outcome::xfail:
      out << ">\n      <skipped message=\"" << xml_attr(std::string(to_string(r.outcome)) + ": " + r.reason) << "\"/>\n    </testcase>\n";
      return;
    case Outcome::pass:
      out << "/>\n";
      return;
  }
}

}  // namespace

void write_junit(std::ostream& out, const SuiteReport& report, const JunitOptions& options) {
  // One testsuite per scenario file, in the order the results came.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ScenarioResult*>> by_file;
  for (const auto& r : report.results) {
    auto& list = by_file[r.file];
    if (list.empty()) order.push_back(r.file);
    list.push_back(&r);
  }
  const std::string when = timestamp(report.started);
  const std::string host = report.hostname.empty() ? "localhost" : report.hostname;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  int id = 0;
  for (const auto& file : order) {
    const auto& results = by_file[file];
    const std::string cls = class_name(*results.front());
    auto dot = cls.rfind('.');
    int failures = 0, errors = 0, skipped = 0;
    std::chrono::milliseconds time{0};
    std::vector<std::pair<std::string, std::string>> properties{{"file", file}};
    auto add_property = [&](const std::string& name, const std::string& value) {
      std::pair<std::string, std::string> p{name, value};
      if (std::find(properties.begin(), properties.end(), p) == properties.end()) properties.push_back(std::move(p));
    };
    std::string log;
    for (const auto* r : results) {
      if (r->outcome == Outcome::fail || r->outcome == Outcome::xpass) ++failures;
      else if (r->outcome == Outcome::timeout || r->outcome == Outcome::unresolved) ++errors;
      else if (r->outcome == Outcome::skip || r->outcome == Outcome::xfail) ++skipped;
      time += r->wall_time;
      for (const auto& rule : r->rules) add_property("rule", rule);
      for (const auto& tag : r->tags) add_property("tag", tag);
      append_log(log, report, *r);
    }
    out << "  <testsuite name=\"" << xml_attr(cls) << "\" package=\"" << xml_attr(dot == std::string::npos ? cls : cls.substr(0, dot))
        << "\" id=\"" << id++ << "\" timestamp=\"" << when << "\" hostname=\"" << xml_attr(host) << "\" tests=\"" << results.size()
        << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << seconds(time)
        << "\">\n    <properties>\n";
    for (const auto& [name, value] : properties)
      out << "      <property name=\"" << name << "\" value=\"" << xml_attr(value) << "\"/>\n";
    out << "    </properties>\n";
    for (const auto* r : results) write_testcase(out, report, *r, cls, options);
    out << "    <system-out>" << xml_text(log) << "</system-out>\n    <system-err/>\n  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace breakout::harness
