// Which scenarios a command works on: paths, filters, tags, shards, and the scenario tree they
// are read from.
#pragma once

#include <breakout/scenario/scenario.hpp>

#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

namespace breakout::harness {

struct Selection {
  /// Files and folders named; none: the scenario tree (default_paths).
  std::vector<std::string> paths;
  std::string filter;
  std::vector<std::string> tags;
  /// Scenarios with any of these tags are left out (after --tag).
  std::vector<std::string> excluded_tags;
  std::string shard;
  /// The scenario tree; empty: found from each path named (ScenarioTree::find_root).
  std::string root;
  /// The conformance document whose rules `rules:` may name; empty: docs/conformance.md beside the
  /// scenario tree, if there is one.
  std::string rules;
};

/// The rule catalogue for a selection: its --rules, or the default beside the first path's tree.
/// Empty (any well-formed id is accepted) when there is none; an error when --rules cannot be read.
breakout::Expected<std::vector<std::string>, std::string> rule_catalogue(const Selection& sel, std::string* path = nullptr);

/// The paths a selection reads: those named, else --root, else the scenario tree the current folder
/// is in or has as `scenarios/` (itself or a folder above it), else "scenarios".
std::vector<std::string> selected_paths(const Selection& sel);

/// A scenario file's path inside its tree (--root, or found from the file): "moving/x.yaml".
std::string path_in_tree(const Selection& sel, const std::string& file);

/// The options every scenario-reading subcommand takes.
void add_selection(CLI::App* cmd, Selection& sel);

/// The selected scenario files, loaded, in sorted order. `broken` is set when a path named does
/// not exist or cannot be walked safely (each problem is printed on stderr).
std::vector<std::pair<std::string, scenario::LoadResult>> load_selected(const Selection& sel, bool& broken);

}  // namespace breakout::harness
