// The scenario tree: what scenario files and fixtures may read.
#include <breakout/scenario/tree.hpp>

#include <filesystem>

namespace breakout::scenario {
namespace {

namespace fs = std::filesystem;

fs::path canonical_or_absolute(const fs::path& p) {
  std::error_code ec;
  fs::path absolute = fs::absolute(p, ec).lexically_normal();
  fs::path c = fs::weakly_canonical(absolute, ec);
  return ec ? absolute : c;
}

/// Whether `inner` is `outer` or lies under it (both canonical).
bool under(const fs::path& inner, const fs::path& outer) {
  auto rel = inner.lexically_relative(outer);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

ScenarioTree::ScenarioTree(const std::string& root) : root_(canonical_or_absolute(root).string()) {}

std::string ScenarioTree::find_root(const std::string& path) {
  std::error_code ec;
  fs::path start = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
  if (start.empty()) start = ".";
  fs::path dir = canonical_or_absolute(start);
  for (fs::path d = dir;; d = d.parent_path()) {
    if (fs::is_regular_file(d / "schema" / "scenario.schema.json", ec)) return d.string();
    if (d == d.root_path() || d.parent_path() == d) break;
  }
  return dir.string();
}

bool ScenarioTree::contains(const std::string& path) const { return under(canonical_or_absolute(path), fs::path(root_)); }

Expected<std::string, std::string> ScenarioTree::resolve_include(const std::string& from_file, const std::string& include) const {
  fs::path named(include);
  if (named.is_absolute()) return unexpected("an include is a path relative to the including file, not an absolute one");
  if (named.extension() != ".yaml" && named.extension() != ".yml")
    return unexpected("an include names a YAML fixture (.yaml or .yml)");
  fs::path target = canonical_or_absolute(fs::path(from_file).parent_path() / named);
  fs::path root(root_);
  if (!under(target, root))
    return unexpected("'" + include + "' is outside the scenario tree '" + fs::proximate(root).string() +
                      "' (the folder named, or --root)");
  for (const auto& part : target.lexically_relative(root))
    if (part.string().starts_with(".")) return unexpected("'" + include + "' goes through the hidden '" + part.string() + "'");
  return target.string();
}

}  // namespace breakout::scenario
