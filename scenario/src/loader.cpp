// Reading scenario files: the file and its YAML, the matrix, includes, and the helpers that read
// fields; every mistake becomes a file:line:col diagnostic, and all of a file's are reported at once.
#include "loader.hpp"

#include <breakout/protocol/files.hpp>
#include <breakout/protocol/text.hpp>

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>

namespace breakout::scenario {

Loader::Loader(std::string file, std::string source, std::shared_ptr<LoadContext> context, int depth)
    : file_(std::move(file)), source_(std::move(source)), context_(std::move(context)), depth_(depth) {

}

LoadResult Loader::load() {
  LoadResult result;
  result.sources[file_] = source_;
  // The matrix is read from the file with every ${...} blanked out: unfilled, they need not be valid YAML.
  auto root = parse(std::regex_replace(source_, std::regex(R"(\$\{[A-Za-z0-9_]+\})"), "matrix_value"));
  if (root && !root->IsMap()) error(*root, "a scenario must be a mapping with at least 'name', 'participants' and 'steps'");
  if (!root || !root->IsMap()) {
    result.errors = std::move(errors_);
    return result;
  }
  if (const YAML::Node name = (*root)["name"]; name.IsScalar() && !name.Scalar().empty() && name.Scalar().size() <= 200 &&
                                                     name.Scalar().find("matrix_value") == std::string::npos)
    result.name = name.Scalar();
  auto variants = read_matrix(*root);
  if (!variants) {
    result.errors = std::move(errors_);
    return result;
  }
  for (const auto& [suffix, values] : *variants) {
    // Each variant is the file with the matrix values put in, read afresh (lines stay where they are).
    Loader variant(file_, substitute(source_, values), context_, depth_);
    auto vroot = variant.parse(variant.source_);
    if (!vroot) {
      merge(variant, result);
      continue;
    }
    Scenario s;
    s.file = file_;
    s.source = source_;
    s.loc = {file_, 1, 1};
    variant.read_scenario(*vroot, s);
    if (!suffix.empty()) s.name += " [" + suffix + "]";
    for (const auto& [k, v] : values) s.tags.push_back(k + "=" + v);
    bool clean = variant.errors_.empty();
    merge(variant, result);
    if (clean) result.scenarios.push_back(std::move(s));
  }
  if (!result.errors.empty()) result.scenarios.clear();
  return result;
}

std::optional<YAML::Node> Loader::parse(const std::string& text) {
  const bool from_trace = context_->options.from_trace;
  const std::size_t most_bytes = from_trace ? LoadLimits::from_trace_bytes : LoadLimits::file_bytes;
  if (text.size() > most_bytes) {
    error_at(0, 0, "the file is " + std::to_string(text.size()) + " bytes; a scenario may have at most " + std::to_string(most_bytes) +
                       (from_trace ? "" : " (1 MiB)"));
    return std::nullopt;
  }
  // A scenario is text: a control character (a NUL byte, say) means the file is something else.
  int line = 1, column = 1;
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      error_at(line, column, std::string("the file holds the control character ") + hex + "; a scenario is UTF-8 text");
      return std::nullopt;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  if (auto bad = text::invalid_utf8_at(text)) {
    auto at = text::position_of(text, *bad);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[*bad]));
    error_at(at.line, at.column, std::string("the file is not valid UTF-8 here (byte ") + hex + "); a scenario is UTF-8 text");
    return std::nullopt;
  }
  try {
    YAML::Node root = YAML::Load(text);
    // Anchors and aliases can make a small file stand for a huge tree: count before reading it.
    const std::size_t most_nodes = from_trace ? LoadLimits::from_trace_nodes : LoadLimits::yaml_nodes;
    std::size_t budget = most_nodes;
    if (!within_budget(root, budget)) {
      error_at(1, 1, "the file stands for more than " + std::to_string(most_nodes) +
                         " YAML values once its aliases (*name) are expanded; a scenario needs far fewer");
      return std::nullopt;
    }
    return root;
  } catch (const YAML::DeepRecursion& e) {
    error_at(e.mark.line + 1, e.mark.column + 1, "the YAML is nested too deeply to read (" + std::to_string(e.depth()) + " levels)");
  } catch (const YAML::ParserException& e) {
    error_at(e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    error_at(0, 0, std::string("cannot read the file as YAML: ") + e.what());
  }
  return std::nullopt;
}

/// Whether the tree, aliases expanded, has no more nodes than `budget` (which it uses up).
bool Loader::within_budget(const YAML::Node& n, std::size_t& budget) {
  if (budget == 0) return false;
  --budget;
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it)
      if (!within_budget(it->first, budget) || !within_budget(it->second, budget)) return false;
  } else if (n.IsSequence()) {
    for (const auto& item : n)
      if (!within_budget(item, budget)) return false;
  }
  return true;
}

/// The variants of a file: one unnamed one without 'matrix:', else one per combination of the
/// matrix's values, in the order written (the first key varies slowest).
std::optional<std::vector<std::pair<std::string, Loader::Values>>> Loader::read_matrix(const YAML::Node& root) {
  std::vector<std::pair<std::string, Values>> variants{{"", {}}};
  const YAML::Node m = root["matrix"];
  if (!m) return variants;
  if (!m.IsMap() || m.size() == 0) {
    error(m, "'matrix' maps variable names to lists of values, like {kind: [group, room]}");
    return std::nullopt;
  }
  for (auto it = m.begin(); it != m.end(); ++it) {
    // Copies: what it-> points into lives only as long as the expression.
    const YAML::Node key = it->first;
    const YAML::Node list = it->second;
    std::string name = key.Scalar();
    bool identifier = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    if (!identifier) {
      error(key, "a matrix variable is a name of letters, digits and '_'");
      return std::nullopt;
    }
    if (!list.IsSequence() || list.size() == 0) {
      error(list, "matrix variable '" + name + "' needs a non-empty list of values");
      return std::nullopt;
    }
    // Counted before they are made: a few short lists can stand for billions of variants.
    if (variants.size() * list.size() > LoadLimits::matrix_variants) {
      error(key, "the matrix has more than " + std::to_string(LoadLimits::matrix_variants) +
                     " variants (the product of its lists' lengths); split the file");
      return std::nullopt;
    }
    if (variants.size() * list.size() * source_.size() > LoadLimits::expanded_bytes) {
      error(key, "the matrix expands this file to more than " + std::to_string(LoadLimits::expanded_bytes >> 20) +
                     " MiB of scenarios; use fewer variants or a shorter file");
      return std::nullopt;
    }
    std::vector<std::pair<std::string, Values>> next;
    for (const auto& [suffix, values] : variants) {
      for (const auto& v : list) {
        if (!v.IsScalar()) {
          error(v, "matrix values must be plain values");
          return std::nullopt;
        }
        Values more = values;
        more.emplace_back(name, v.Scalar());
        next.emplace_back((suffix.empty() ? "" : suffix + ", ") + name + "=" + v.Scalar(), std::move(more));
      }
    }
    variants = std::move(next);
  }
  return variants;
}

std::string Loader::substitute(std::string text, const Values& values) {
  for (const auto& [name, value] : values) {
    std::string token = "${" + name + "}";
    for (auto pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos + value.size()))
      text.replace(pos, token.size(), value);
  }
  return text;
}

void Loader::merge(Loader& other, LoadResult& result) {
  for (auto& d : other.errors_) {
    bool seen = std::any_of(result.errors.begin(), result.errors.end(), [&](const Diagnostic& e) {
      return e.loc.to_string() == d.loc.to_string() && e.message == d.message;
    });
    if (!seen) result.errors.push_back(std::move(d));
  }
  other.errors_.clear();
  for (auto& [path, text] : other.included_) result.sources[path] = text;
}

/// Reads the set-up keys of a fixture file into the scenario.
void Loader::read_include(const YAML::Node& list, Scenario& s) {
  if (!list.IsSequence()) return error(list, "'include' is a list of fixture files");
  for (const auto& item : list) {
    if (!item.IsScalar()) {
      error(item, "an include is the path of a fixture file, relative to this file");
      continue;
    }
    if (depth_ >= LoadLimits::include_depth) {
      error(item, "fixtures include each other more than " + std::to_string(LoadLimits::include_depth) + " deep (an include cycle?)");
      continue;
    }
    if (++context_->includes > LoadLimits::includes) {
      if (context_->includes == LoadLimits::includes + 1)
        error(item, "more than " + std::to_string(LoadLimits::includes) + " includes while loading this file");
      continue;
    }
    auto resolved = context_->tree.resolve_include(file_, item.Scalar());
    if (!resolved) {
      error(item, "cannot include '" + item.Scalar() + "': " + resolved.error());
      continue;
    }
    // Read by its real path, shown by the path as written from this file.
    auto cached = context_->fixtures.find(*resolved);
    if (cached == context_->fixtures.end())
      cached = context_->fixtures.emplace(*resolved, files::read_regular_file(*resolved, LoadLimits::file_bytes)).first;
    std::string path = (std::filesystem::path(file_).parent_path() / item.Scalar()).lexically_normal().string();
    if (!cached->second) {
      std::string why = cached->second.error();
      if (auto at = why.find(*resolved); at != std::string::npos) why.replace(at, resolved->size(), path);
      error(item, "cannot include '" + item.Scalar() + "': " + why);
      continue;
    }
    Loader fixture(path, *cached->second, context_, depth_ + 1);
    fixture.rooms_ = rooms_;
    included_[path] = fixture.source_;
    if (auto root = fixture.parse(fixture.source_)) {
      if (!root->IsMap()) fixture.error(*root, "a fixture is a mapping of set-up keys");
      else fixture.read_setup(*root, s, true);
    }
    rooms_ = fixture.rooms_;
    for (auto& [p, t] : fixture.included_) included_[p] = t;
    for (auto& d : fixture.errors_) errors_.push_back(std::move(d));
  }
}

SourceLoc Loader::at(const YAML::Node& n) const {
  auto m = n.Mark();
  if (m.line < 0) return {file_, 0, 0};
  return {file_, m.line + 1, m.column + 1};
}

void Loader::error_at(int line, int column, std::string message) {
  errors_.push_back({Diagnostic::Severity::error, {file_, line, column}, std::move(message), {}});
}

void Loader::error(const YAML::Node& n, std::string message, std::vector<Diagnostic> notes) {
  errors_.push_back({Diagnostic::Severity::error, at(n), std::move(message), std::move(notes)});
}

std::optional<Entries> Loader::mapping(const YAML::Node& n, const std::string& what, const std::vector<std::string>& allowed) {
  if (!n.IsMap()) {
    error(n, what + " must be a mapping");
    return std::nullopt;
  }
  Entries e;
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      error(key, "keys must be plain names");
      continue;
    }
    std::string name = key.Scalar();
    if (!seen.insert(name).second) {
      error(key, "duplicate key '" + name + "'");
      continue;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string hint = did_you_mean(name, allowed);
      error(key, "unknown key '" + name + "' in " + what + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      continue;
    }
    e.items.emplace_back(key, it->second);
  }
  return e;
}

std::optional<std::string> Loader::string(const Entries& e, const std::string& key, const std::string& what, bool required) {
  const YAML::Node* v = e.value(key);
  if (!v) {
    if (required) missing_.push_back({what, key});
    return std::nullopt;
  }
  if (!v->IsScalar() || v->Scalar().empty()) {
    error(*v, "'" + key + "' must be a non-empty string");
    return std::nullopt;
  }
  return v->Scalar();
}

std::optional<bool> Loader::boolean(const Entries& e, const std::string& key) {
  const YAML::Node* v = e.value(key);
  if (!v) return std::nullopt;
  if (v->IsScalar() && (v->Scalar() == "true" || v->Scalar() == "false")) return v->Scalar() == "true";
  error(*v, "'" + key + "' must be true or false");
  return std::nullopt;
}

std::optional<clock::Duration> Loader::duration(const YAML::Node& v, const std::string& key) {
  if (v.IsScalar())
    if (auto d = clock::parse_duration(v.Scalar())) return d;
  error(v, "'" + key + "' must be a duration such as 250ms, 3s, 1.5s or 5m");
  return std::nullopt;
}

std::vector<std::string> Loader::string_list(const Entries& e, const std::string& key) {
  std::vector<std::string> out;
  const YAML::Node* v = e.value(key);
  if (!v) return out;
  if (!v->IsSequence()) {
    error(*v, "'" + key + "' must be a list");
    return out;
  }
  for (const auto& item : *v) {
    if (!item.IsScalar() || item.Scalar().empty()) error(item, "each entry of '" + key + "' must be a string");
    else out.push_back(item.Scalar());
  }
  return out;
}

/// A YAML value as JSON: plain scalars become booleans, null, integers or numbers when they
/// read as such; quoted scalars stay strings.
Json Loader::to_json(const YAML::Node& n) {
  return yaml_to_json(n);
}

void Loader::flush_missing(const YAML::Node& where) {
  for (const auto& [what, key] : missing_) error(where, what + " is missing '" + key + "'");
  missing_.clear();
}

std::optional<clock::Duration> Loader::optional_duration(const Entries& e, const std::string& key, bool& ok) {
  const YAML::Node* v = e.value(key);
  if (!v) return std::nullopt;
  auto d = duration(*v, key);
  if (!d) ok = false;
  return d;
}

LoadResult load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& options) {
  LoadOptions resolved = options;
  if (resolved.root.empty()) resolved.root = ScenarioTree::find_root(path);
  auto context = std::make_shared<LoadContext>(std::move(resolved));
  return Loader(path, text, std::move(context)).load();
}

LoadResult load_scenario_file(const std::string& path, const LoadOptions& options) {
  auto text = files::read_regular_file(path, LoadLimits::file_bytes);
  if (!text) {
    LoadResult r;
    r.errors.push_back({Diagnostic::Severity::error, {path, 0, 0}, text.error(), {}});
    return r;
  }
  return load_scenario_text(*text, path, options);
}

std::string render_errors(const LoadResult& result) {
  std::string out;
  for (const auto& d : result.errors) {
    auto it = result.sources.find(d.loc.file);
    out += render(d, it == result.sources.end() ? std::string() : it->second);
  }
  return out;
}

}  // namespace breakout::scenario
