// Reporter output, checked against approved files after durations are normalised.
// To approve a change: BREAKOUT_APPROVE=1 ./harness_tests "[report]", then review the diff.
#include <breakout/harness/report.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

using namespace breakout::harness;

namespace {

SuiteReport sample_report() {
  SuiteReport report;
  report.wall_time = std::chrono::milliseconds(1234);
  report.rerun_template = "harness run {file}";
  report.started = std::chrono::system_clock::time_point(std::chrono::seconds(1'796'600'000));
  report.hostname = "ci-runner-7";
  auto result = [](std::string file, std::string name, Outcome outcome, std::string message = {}, std::string reason = {}) {
    ScenarioResult r;
    r.tree_path = file.substr(file.find('/') + 1);
    r.file = std::move(file);
    r.name = std::move(name);
    r.outcome = outcome;
    r.message = std::move(message);
    r.reason = std::move(reason);
    r.rules = {"BR-MOVE-1"};
    r.tags = {"moving"};
    r.wall_time = std::chrono::milliseconds(17);
    r.virtual_time = std::chrono::milliseconds(3000);
    return r;
  };
  report.results.push_back(result("scenarios/a.yaml", "passes", Outcome::pass));
  auto failing = result("scenarios/b.yaml", "fails <badly> & loudly", Outcome::fail,
                        "scenarios/b.yaml:12:5: error: expected join for alice within 3s, but it was not observed\n"
                        "  - expect: join\n    ^\n");
  Observation o;
  o.at = std::chrono::milliseconds(3000);
  o.participant = "alice";
  o.type = "callStateChanged";
  o.data = {{"call", "main"}, {"state", "LocalHold"}};
  failing.log.push_back(o);
  report.results.push_back(failing);
  report.results.push_back(result("scenarios/c.yaml", "known bug", Outcome::xfail, "", "the SDK does not do X yet"));
  report.results.push_back(result("scenarios/d.yaml", "skipped", Outcome::skip, "", "needs a second SDK"));
  report.results.push_back(result("scenarios/e.yaml", "scenarios/e.yaml", Outcome::unresolved,
                                  "scenarios/e.yaml:2:1: error: unknown key 'particpants' in the scenario; did you mean 'participants'?\n"));
  report.results.push_back(result("scenarios/f.yaml", "variant [kind=room]", Outcome::timeout,
                                  "scenarios/f.yaml:9:5: error: the run did not settle within the wall-clock limit of 10000 ms\n"));
  return report;
}

/// Durations differ from run to run: they are replaced before comparing.
std::string normalise(std::string text) {
  text = std::regex_replace(text, std::regex(R"(time="[0-9.]+")"), "time=\"T\"");
  text = std::regex_replace(text, std::regex(R"(in [0-9.]+ s)"), "in T s");
  text = std::regex_replace(text, std::regex(R"("wallTimeMs": [0-9]+)"), "\"wallTimeMs\": T");
  return text;
}

void check_approved(const std::string& name, const std::string& received) {
  std::string path = std::string(BREAKOUT_APPROVED_DIR) + "/" + name;
  std::string text = normalise(received);
  if (std::getenv("BREAKOUT_APPROVE")) {
    std::ofstream(path) << text;
    return;
  }
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream approved;
  approved << in.rdbuf();
  if (approved.str() != text) std::ofstream(path + ".received") << text;
  INFO("received output written to " << path << ".received");
  CHECK(approved.str() == text);
}

}  // namespace

TEST_CASE("the console report shows failures in full and ends with one summary line", "[harness][report]") {
  std::ostringstream out;
  write_console(out, sample_report());
  check_approved("console.txt", out.str());
}

TEST_CASE("the console report of a passing run is one line", "[harness][report]") {
  SuiteReport report = sample_report();
  report.results.resize(1);
  std::ostringstream out;
  write_console(out, report);
  CHECK(normalise(out.str()) == "1 passed, 0 failed in T s\n");
}

TEST_CASE("the JUnit report has a testcase per scenario, escaped, with failures, errors and skips", "[harness][report]") {
  std::ostringstream out;
  write_junit(out, sample_report());
  check_approved("junit.xml", out.str());
}

TEST_CASE("the JSON report carries outcomes, rules, re-run commands and event logs", "[harness][report]") {
  std::ostringstream out;
  write_json(out, sample_report());
  check_approved("report.json", out.str());
  auto parsed = nlohmann::json::parse(out.str());
  CHECK(parsed["format"] == "breakout-harness-report");
  CHECK(parsed["scenarios"][1]["log"][0]["type"] == "callStateChanged");
}

TEST_CASE("exit codes: 1 when anything failed or timed out, 2 when only unresolved, else 0", "[harness][report]") {
  SuiteReport report = sample_report();
  CHECK(exit_code(report) == 1);
  std::erase_if(report.results, [](const auto& r) { return r.outcome == Outcome::fail || r.outcome == Outcome::timeout; });
  CHECK(exit_code(report) == 2);
  std::erase_if(report.results, [](const auto& r) { return r.outcome == Outcome::unresolved; });
  CHECK(exit_code(report) == 0);
}
