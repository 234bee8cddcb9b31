// Finding, filtering, sharding and loading the scenarios a command names.
#include "selection.hpp"

#include <breakout/scenario/rules.hpp>
#include <breakout/scenario/tree.hpp>
#include <breakout/protocol/numbers.hpp>
#include <breakout/protocol/text.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace breakout::harness {
namespace {

namespace fs = std::filesystem;

/// Scenario files under the given paths (directories recursively), sorted; fixtures excluded. A
/// file found by walking a directory must lie inside that directory once symbolic links are
/// resolved: a link in a checkout cannot make the harness read (and echo) a file elsewhere.
std::vector<std::string> expand(const std::vector<std::string>& paths, bool& broken) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      scenario::ScenarioTree walked(p);
      fs::recursive_directory_iterator it(p, fs::directory_options::none, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const auto& entry = *it;
        auto path = entry.path();
        if (path.extension() != ".yaml" && path.extension() != ".yml") continue;
        std::error_code type_ec;
        if (!entry.is_regular_file(type_ec)) continue;
        bool fixture = false;
        for (const auto& part : path) fixture = fixture || part == "fixtures";
        if (fixture) continue;
        if (entry.is_symlink(type_ec) && !walked.contains(path.string())) {
          std::cerr << text::terminal_safe(path.string()) << ": error: a symbolic link to a file outside " << text::terminal_safe(p)
                    << "; not read\n";
          broken = true;
          continue;
        }
        files.push_back(path.lexically_normal().string());
      }
      if (ec) {
        std::cerr << text::terminal_safe(p) << ": error: cannot walk the directory: " << ec.message() << "\n";
        broken = true;
      }
    } else if (fs::exists(p, ec)) {
      files.push_back(fs::path(p).lexically_normal().string());
    } else {
      std::cerr << text::terminal_safe(p) << ": error: no such file or directory\n";
      broken = true;
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

bool selected(const scenario::Scenario& s, const Selection& sel) {
  if (!sel.filter.empty() && s.name.find(sel.filter) == std::string::npos && s.file.find(sel.filter) == std::string::npos)
    return false;
  for (const auto& tag : sel.tags)
    if (std::find(s.tags.begin(), s.tags.end(), tag) == s.tags.end()) return false;
  for (const auto& tag : sel.excluded_tags)
    if (std::find(s.tags.begin(), s.tags.end(), tag) != s.tags.end()) return false;
  return true;
}

/// --shard k/n keeps every n-th file starting at the k-th (1-based), in sorted order.
bool in_shard(std::size_t index, const std::string& shard) {
  if (shard.empty()) return true;
  auto s = numbers::parse_shard(shard);  // checked when the option was read
  return s && static_cast<std::int64_t>(index % static_cast<std::size_t>(s->count)) == s->index - 1;
}

/// Whether `dir` is the top of a scenario tree (it holds the scenario schema).
bool is_tree(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "schema" / "scenario.schema.json", ec);
}

}  // namespace

std::vector<std::string> selected_paths(const Selection& sel) {
  if (!sel.paths.empty()) return sel.paths;
  if (!sel.root.empty()) return {sel.root};
  std::error_code ec;
  fs::path here = fs::current_path(ec);
  if (!ec) {
    for (fs::path d = here;; d = d.parent_path()) {
      fs::path tree = is_tree(d) ? d : is_tree(d / "scenarios") ? d / "scenarios" : fs::path();
      if (!tree.empty()) {
        fs::path shown = tree.lexically_relative(here);
        return {shown.empty() ? "." : shown.string()};
      }
      if (d == d.root_path() || d.parent_path() == d) break;
    }
  }
  return {"scenarios"};
}

std::string path_in_tree(const Selection& sel, const std::string& file) {
  std::error_code ec;
  fs::path root = fs::weakly_canonical(sel.root.empty() ? scenario::ScenarioTree::find_root(file) : sel.root, ec);
  fs::path full = fs::weakly_canonical(file, ec);
  fs::path rel = full.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..") return fs::path(file).filename().string();
  return rel.generic_string();
}

void add_selection(CLI::App* cmd, Selection& sel) {
  cmd->add_option("paths", sel.paths, "scenario files or directories (default: the scenario tree: --root, or the one this folder is in or holds as scenarios/)");
  cmd->add_option("--filter", sel.filter, "only scenarios whose name or path contains this text");
  cmd->add_option("--tag", sel.tags, "only scenarios with this tag (repeatable)");
  cmd->add_option("--exclude-tag", sel.excluded_tags, "leave out scenarios with this tag (repeatable)");
  cmd->add_option("--shard", sel.shard, "k/n: run the k-th of n equal parts")->check([](const std::string& s) -> std::string {
    return numbers::parse_shard(s) ? "" : "expected k/n with whole numbers 1 <= k <= n <= 100000";
  });
  cmd->add_option("--rules", sel.rules, "the conformance document whose rules scenarios may name (default: docs/conformance.md beside the scenario tree)");
  cmd->add_option("--root", sel.root, "the scenario tree includes must stay inside (default: found from the paths)")
      ->check(CLI::ExistingDirectory);
}

Expected<std::vector<std::string>, std::string> rule_catalogue(const Selection& sel, std::string* path) {
  std::string doc = sel.rules;
  if (doc.empty())
    doc = scenario::default_rule_catalogue(sel.root.empty() ? scenario::ScenarioTree::find_root(selected_paths(sel).front()) : sel.root);
  if (path) *path = doc;
  if (doc.empty()) return std::vector<std::string>{};
  return scenario::read_rule_catalogue(doc);
}

std::vector<std::pair<std::string, scenario::LoadResult>> load_selected(const Selection& sel, bool& broken) {
  std::vector<std::pair<std::string, scenario::LoadResult>> out;
  broken = false;
  auto rules = rule_catalogue(sel);
  if (!rules) {
    std::cerr << text::terminal_safe(rules.error()) << "\n";
    broken = true;
    return out;
  }
  auto files = expand(selected_paths(sel), broken);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!in_shard(i, sel.shard)) continue;
    scenario::LoadResult loaded = scenario::load_scenario_file(files[i], scenario::LoadOptions{.root = sel.root, .known_rules = *rules});
    if (loaded.ok()) {
      std::erase_if(loaded.scenarios, [&](const scenario::Scenario& s) { return !selected(s, sel); });
      if (loaded.scenarios.empty()) continue;
    }
    out.emplace_back(files[i], std::move(loaded));
  }
  return out;
}

}  // namespace breakout::harness
