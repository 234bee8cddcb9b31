// Where scenario files may read from, and how much one file may make the loader do. Scenario files
// and fixtures can come from a pull request: they are untrusted (docs/robustness.md).
#pragma once

#include <breakout/protocol/expected.hpp>

#include <cstddef>
#include <string>

namespace breakout::scenario {

/// Every limit a scenario file meets while it is loaded, in one place (docs/robustness.md lists them).
struct LoadLimits {
  /// A scenario or fixture file, in bytes.
  static constexpr std::size_t file_bytes = std::size_t{1} << 20;
  /// YAML values in one file once its aliases are expanded.
  static constexpr std::size_t yaml_nodes = 100000;
  /// The same for a scenario the harness writes itself from a trace to replay it (a trace of a
  /// meeting of a thousand expects some 15,000 events); the trace was read within its own limits.
  static constexpr std::size_t from_trace_bytes = std::size_t{64} << 20;
  static constexpr std::size_t from_trace_nodes = 4000000;
  /// Fixtures including each other, deep.
  static constexpr int include_depth = 8;
  /// Includes followed while one scenario file is loaded (each variant's, every level's).
  static constexpr std::size_t includes = 256;
  /// Variants of a matrix (the product of its lists' lengths).
  static constexpr std::size_t matrix_variants = 256;
  /// Text the loader reads for one scenario file: each variant is the file read afresh.
  static constexpr std::size_t expanded_bytes = std::size_t{32} << 20;
  /// Participants of one scenario, fixtures included.
  static constexpr std::size_t participants = 10000;
  /// Rooms of one scenario, fixtures included (the mock server holds at most 1000).
  static constexpr std::size_t rooms = 1000;
};

/// The scenario tree: the folder that every scenario file read through it, and every fixture they
/// include, must lie inside. Includes are YAML files (.yaml, .yml) reached without leaving the tree,
/// not through a hidden folder or file (such as .git), and regular files of at most
/// LoadLimits::file_bytes, checked before they are read.
class ScenarioTree {
 public:
  /// `root` must exist; it is made absolute with symbolic links resolved.
  explicit ScenarioTree(const std::string& root);
  /// The tree a scenario path belongs to, when no --root is given: the nearest folder, from the
  /// path's own folder up, that holds schema/scenario.schema.json; else the folder named (or the
  /// file's folder).
  static std::string find_root(const std::string& path);

  const std::string& root() const { return root_; }
  /// Whether a path lies inside the tree once symbolic links are resolved.
  bool contains(const std::string& path) const;
  /// The fixture `include` names in `from_file`, checked against the tree: its canonical path, or
  /// why it may not be read.
  Expected<std::string, std::string> resolve_include(const std::string& from_file, const std::string& include) const;

 private:
  std::string root_;
};

}  // namespace breakout::scenario
