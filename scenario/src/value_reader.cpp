// Checking expected values when the file loads: field names, enumerated words (with did-you-mean),
// types, and the matchers around them, each mistake at its own file:line:col.
#include "loader.hpp"

#include <breakout/scenario/matching.hpp>
#include <breakout/scenario/values.hpp>

#include <algorithm>

namespace breakout::scenario {
namespace {

bool is_capture(const YAML::Node& n) {
  if (!n.IsScalar()) return false;
  const std::string& s = n.Scalar();
  return s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}';
}

bool is_null(const YAML::Node& n) { return n.IsNull() || (n.IsScalar() && n.Tag() != "!" && (n.Scalar() == "null" || n.Scalar() == "~")); }

bool is_matcher_node(const YAML::Node& n) {
  if (!n.IsMap() || n.size() == 0) return false;
  const auto& keys = matcher_keys();
  for (auto it = n.begin(); it != n.end(); ++it)
    if (!it->first.IsScalar() || std::find(keys.begin(), keys.end(), it->first.Scalar()) == keys.end()) return false;
  return true;
}

std::string quoted_list(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i];
  return out;
}

}  // namespace

void Loader::check_matcher(const YAML::Node& n, const ValueSpec& spec, const std::string& what) {
  using K = ValueSpec::Kind;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node operand = it->second;
    if (key == "not") {
      check_value(operand, spec, what);
    } else if (key == "anyOf" || key == "anyOrder") {
      if (!operand.IsSequence() || operand.size() == 0) {
        error(operand, "'" + key + "' takes a non-empty list");
        continue;
      }
      if (key == "anyOrder" && spec.kind != K::list && spec.kind != K::any) {
        error(it->first, "'anyOrder' compares lists, and " + what + " is " + spec.name);
        continue;
      }
      for (const auto& option : operand) check_value(option, key == "anyOrder" && !spec.item.empty() ? spec.item[0] : spec, what);
    } else if (key == "matches") {
      if (spec.kind != K::string && spec.kind != K::enumeration && spec.kind != K::any) {
        error(it->first, "'matches' compares text, and " + what + " is " + spec.name);
      } else if (!operand.IsScalar()) {
        error(operand, "'matches' takes a regular expression");
      } else if (!is_capture(operand)) {
        if (auto problem = pattern_problem(operand.Scalar())) error(operand, "'matches': " + *problem);
      }
    } else {  // gt, gte, lt, lte
      if (spec.kind != K::integer && spec.kind != K::any) {
        error(it->first, "'" + key + "' compares numbers, and " + what + " is " + spec.name);
      } else if (!is_capture(operand) && !to_json(operand).is_number()) {
        error(operand, "'" + key + "' takes a number");
      }
    }
  }
}

void Loader::check_value(const YAML::Node& n, const ValueSpec& spec, const std::string& what, const std::string& skip_key) {
  using K = ValueSpec::Kind;
  if (is_capture(n) || spec.kind == K::any) return;
  if (is_matcher_node(n)) return check_matcher(n, spec, what);
  if (is_null(n)) {
    if (!spec.nullable) error(n, what + " is never null; it is " + spec.name);
    return;
  }
  switch (spec.kind) {
    case K::any:
      return;
    case K::string:
      if (!n.IsScalar()) error(n, what + " is " + spec.name + ", a string");
      return;
    case K::boolean:
      if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) error(n, what + " is true or false");
      return;
    case K::integer:
      if (!n.IsScalar() || !to_json(n).is_number_integer()) error(n, what + " is a whole number");
      return;
    case K::enumeration: {
      if (n.IsScalar() && std::find(spec.words.begin(), spec.words.end(), n.Scalar()) != spec.words.end()) return;
      std::string word = n.IsScalar() ? n.Scalar() : std::string("(not a word)");
      std::string hint = n.IsScalar() ? did_you_mean(word, spec.words) : "";
      error(n, "unknown " + spec.name.substr(spec.name.find(' ') + 1) + " '" + word + "' for " + what +
                   (hint.empty() ? " (one of: " + quoted_list(spec.words) + ")" : "; did you mean '" + hint + "'?"));
      return;
    }
    case K::object: {
      if (!n.IsMap()) return error(n, what + " is " + spec.name + ", a mapping");
      std::vector<std::string> names;
      for (const auto& field : spec.fields) names.push_back(field.name);
      for (auto it = n.begin(); it != n.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (key == skip_key) continue;
        auto field = std::find_if(spec.fields.begin(), spec.fields.end(), [&](const auto& f) { return f.name == key; });
        if (field == spec.fields.end()) {
          std::string hint = did_you_mean(key, names);
          error(it->first, spec.name + " has no field '" + key + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
          continue;
        }
        check_value(it->second, field->spec, "'" + key + "'");
      }
      return;
    }
    case K::list:
      if (!n.IsSequence()) return error(n, what + " is " + spec.name);
      for (const auto& item : n) check_value(item, spec.item[0], what);
      return;
  }
}

}  // namespace breakout::scenario
