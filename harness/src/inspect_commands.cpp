// validate, list and coverage (inspect_commands.hpp).
#include "inspect_commands.hpp"

#include "cli_output.hpp"
#include "sdk_driver.hpp"

#include <breakout/harness/runner.hpp>
#include <breakout/protocol/text.hpp>

#include <algorithm>
#include <iostream>
#include <map>

namespace breakout::harness {

namespace {

/// JSON on stdout: valid UTF-8 whatever the scenarios hold.
void print_json(const Json& j) { std::cout << text::dump_json(j, 2) << "\n"; }

Json diagnostic_json(const Diagnostic& d) {
  return {{"file", d.loc.file}, {"line", d.loc.line}, {"column", d.loc.column}, {"message", d.message}};
}

}  // namespace

int validate_command(const Selection& sel, bool json) {
  bool broken = false;
  auto loaded = load_selected(sel, broken);
  int errors = 0;
  Json files = Json::array();
  for (const auto& [file, result] : loaded) {
    if (!json) print(std::cerr, render_errors(result));
    errors += static_cast<int>(result.errors.size());
    Json f = {{"file", file}, {"ok", result.ok()}, {"scenarios", result.scenarios.size()}, {"errors", Json::array()}};
    for (const auto& d : result.errors) f["errors"].push_back(diagnostic_json(d));
    files.push_back(std::move(f));
  }
  if (json) print_json({{"files", files}, {"errors", errors}, {"pathsMissing", broken}});
  else std::cout << loaded.size() << " scenario file(s) checked, " << errors << " error(s)\n";
  return errors || broken ? 2 : 0;
}

int list_command(const Selection& sel, bool json) {
  bool broken = false;
  auto loaded = load_selected(sel, broken);
  Json scenarios = Json::array();
  Json invalid = Json::array();
  for (const auto& [file, result] : loaded) {
    if (!result.ok()) {
      if (json) invalid.push_back(file);
      else print(std::cout, file + "  (does not validate)\n");
      continue;
    }
    for (const auto& scenario : result.scenarios) {
      if (json) {
        scenarios.push_back({{"file", file}, {"name", scenario.name}, {"tags", scenario.tags}, {"rules", scenario.rules},
                             {"line", scenario.loc.line}});
        continue;
      }
      std::string line = file + "  " + scenario.name;
      if (!scenario.tags.empty()) {
        line += "  [";
        for (std::size_t i = 0; i < scenario.tags.size(); ++i) line += (i ? "," : "") + scenario.tags[i];
        line += "]";
      }
      print(std::cout, line + "\n");
    }
  }
  if (json) print_json({{"scenarios", scenarios}, {"invalid", invalid}, {"pathsMissing", broken}});
  return broken ? 2 : 0;
}

int coverage_command(const Selection& sel, bool json) {
  // Rules are the rows of the conformance document that start with "| BR-".
  std::string conformance_doc;
  auto catalogue = rule_catalogue(sel, &conformance_doc);
  if (!catalogue || conformance_doc.empty()) {
    print(std::cerr, (catalogue ? std::string("no conformance document: give --rules") : catalogue.error()) + "\n");
    return 2;
  }
  const std::vector<std::string>& rules = *catalogue;
  bool broken = false;
  auto loaded = load_selected(sel, broken);
  struct Entry {
    std::string outcome, name, file;
  };
  std::map<std::string, std::vector<Entry>> by_rule;
  std::vector<std::string> unknown;
  Json unresolved = Json::array();
  RunOptions options;
  auto drivers = sdk_driver_factory();
  bool failed = broken;
  for (const auto& [file, result] : loaded) {
    if (!result.ok()) {
      if (!json) print(std::cout, "UNRESOLVED  " + file + "\n");
      unresolved.push_back(file);
      failed = true;
      continue;
    }
    for (const auto& scenario : result.scenarios) {
      ScenarioResult r = run_scenario(scenario, drivers, options);
      if (r.outcome != Outcome::pass && r.outcome != Outcome::xfail && r.outcome != Outcome::skip) failed = true;
      for (const auto& rule : scenario.rules) {
        if (std::find(rules.begin(), rules.end(), rule) == rules.end()) {
          unknown.push_back(file + ": names rule " + rule + ", which " + conformance_doc + " does not define");
          continue;
        }
        by_rule[rule].push_back({std::string(to_string(r.outcome)), scenario.name, file});
      }
    }
  }
  int uncovered = 0;
  Json rows = Json::array();
  for (const auto& rule : rules) {
    auto it = by_rule.find(rule);
    Json row = {{"id", rule}, {"covered", it != by_rule.end()}, {"scenarios", Json::array()}};
    if (it == by_rule.end()) {
      ++uncovered;
      if (!json) std::cout << rule << "  UNCOVERED\n";
    } else {
      if (!json) std::cout << rule << "\n";
      for (const auto& e : it->second) {
        if (!json) print(std::cout, "    " + e.outcome + "  " + e.name + " (" + e.file + ")\n");
        row["scenarios"].push_back({{"outcome", e.outcome}, {"name", e.name}, {"file", e.file}});
      }
    }
    rows.push_back(std::move(row));
  }
  if (json) {
    print_json({{"document", conformance_doc}, {"rules", rows}, {"covered", rules.size() - static_cast<std::size_t>(uncovered)},
                {"uncovered", uncovered}, {"unknownRules", unknown}, {"unresolved", unresolved}});
  } else {
    for (const auto& u : unknown) print(std::cout, "error: " + u + "\n");
    std::cout << rules.size() << " rules, " << rules.size() - uncovered << " covered, " << uncovered << " uncovered, "
              << unknown.size() << " unknown rule name(s)\n";
  }
  return failed || uncovered || !unknown.empty() ? 1 : 0;
}

}  // namespace breakout::harness
