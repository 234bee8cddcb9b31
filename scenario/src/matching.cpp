// Partial matching, captured values and matchers.
#include <breakout/scenario/matching.hpp>

#include <breakout/protocol/text.hpp>

#include <algorithm>
#include <regex>

namespace breakout::scenario {
namespace {

using Json = nlohmann::json;
using Captures = std::map<std::string, Json>;

constexpr std::size_t kMaxPattern = 256;

Json substitute(const Json& expected, const Captures& captures) {
  if (expected.is_string()) {
    const auto& s = expected.get_ref<const std::string&>();
    if (s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}') {
      auto it = captures.find(s.substr(2, s.size() - 3));
      if (it != captures.end()) return it->second;
    }
  }
  return expected;
}

std::string shown(const Json& j) { return text::dump_json(j); }

}  // namespace

Json resolve_captures(const Json& value, const Captures& captures) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = resolve_captures(*it, captures);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(resolve_captures(item, captures));
    return out;
  }
  return substitute(value, captures);
}

namespace {

/// A compiled pattern, kept per thread (runs with -j are on several threads).
const std::regex& compiled(const std::string& pattern) {
  thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return it->second;
}

/// Whether each expected item matches a different observed item (backtracking; lists are short).
bool same_items(const Json& expected, const Json& observed, const Captures& captures, std::vector<bool>& used, std::size_t i) {
  if (i == expected.size()) return true;
  for (std::size_t k = 0; k < observed.size(); ++k) {
    if (used[k] || match(expected[i], observed[k], captures, "")) continue;
    used[k] = true;
    if (same_items(expected, observed, captures, used, i + 1)) return true;
    used[k] = false;
  }
  return false;
}

std::optional<Mismatch> match_matcher(const Json& matcher, const Json& observed, const Captures& captures, const std::string& path) {
  for (auto it = matcher.begin(); it != matcher.end(); ++it) {
    const std::string& key = it.key();
    Json operand = substitute(*it, captures);
    auto fail = [&](std::string expected) { return Mismatch{path, std::move(expected), shown(observed)}; };
    if (key == "not") {
      if (!match(operand, observed, captures, path)) return fail("not " + shown(operand));
    } else if (key == "anyOf") {
      bool any = false;
      for (const auto& option : operand) any = any || !match(option, observed, captures, path);
      if (!any) return fail("any of " + shown(operand));
    } else if (key == "matches") {
      // Patterns are checked when the file loads; one made of a captured value is checked here.
      bool ok = false;
      if (observed.is_string() && operand.is_string() && operand.get_ref<const std::string&>().size() <= kMaxPattern) {
        try {
          ok = std::regex_match(observed.get_ref<const std::string&>(), compiled(operand.get<std::string>()));
        } catch (const std::regex_error&) {
        }
      }
      if (!ok) return fail("a string matching /" + (operand.is_string() ? operand.get<std::string>() : shown(operand)) + "/");
    } else if (key == "gt" || key == "gte" || key == "lt" || key == "lte") {
      const char* op = key == "gt" ? "> " : key == "gte" ? ">= " : key == "lt" ? "< " : "<= ";
      if (!observed.is_number() || !operand.is_number()) return fail(op + shown(operand));
      double o = observed.get<double>(), e = operand.get<double>();
      bool ok = key == "gt" ? o > e : key == "gte" ? o >= e : key == "lt" ? o < e : o <= e;
      if (!ok) return fail(op + shown(operand));
    } else if (key == "anyOrder") {
      std::vector<bool> used(observed.is_array() ? observed.size() : 0, false);
      if (!observed.is_array() || !operand.is_array() || observed.size() != operand.size() ||
          !same_items(operand, observed, captures, used, 0))
        return fail("the items " + shown(operand) + " in any order");
    }
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& matcher_keys() {
  static const std::vector<std::string> keys = {"not", "anyOf", "matches", "gt", "gte", "lt", "lte", "anyOrder"};
  return keys;
}

bool is_matcher(const Json& expected) {
  if (!expected.is_object() || expected.empty()) return false;
  const auto& keys = matcher_keys();
  for (auto it = expected.begin(); it != expected.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) return false;
  return true;
}

std::optional<Mismatch> match(const Json& expected_raw, const Json& observed, const Captures& captures, const std::string& path) {
  Json expected = substitute(expected_raw, captures);
  if (is_matcher(expected)) return match_matcher(expected, observed, captures, path);
  if (expected.is_object()) {
    if (!observed.is_object()) return Mismatch{path, shown(expected), shown(observed)};
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      auto o = observed.find(it.key());
      if (o == observed.end()) return Mismatch{path + "." + it.key(), shown(*it), "(absent)"};
      if (auto m = match(*it, *o, captures, path + "." + it.key())) return m;
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (!observed.is_array() || observed.size() != expected.size()) return Mismatch{path, shown(expected), shown(observed)};
    for (std::size_t i = 0; i < expected.size(); ++i)
      if (auto m = match(expected[i], observed[i], captures, path + "[" + std::to_string(i) + "]")) return m;
    return std::nullopt;
  }
  if (expected.is_number() && observed.is_number()) {
    if (expected.get<double>() == observed.get<double>()) return std::nullopt;
    return Mismatch{path, shown(expected), shown(observed)};
  }
  if (expected != observed) return Mismatch{path, shown(expected), shown(observed)};
  return std::nullopt;
}

std::optional<std::string> pattern_problem(std::string_view pattern) {
  if (pattern.size() > kMaxPattern) return "a pattern has at most " + std::to_string(kMaxPattern) + " characters";
  try {
    std::regex compiled_here{std::string(pattern), std::regex::ECMAScript};
  } catch (const std::regex_error& e) {
    return std::string("not a regular expression: ") + e.what();
  }
  return std::nullopt;
}

std::optional<Json> value_at(const Json& data, const std::string& path) {
  const Json* cur = &data;
  std::size_t start = 0;
  std::string p = path.rfind("data.", 0) == 0 ? path.substr(5) : path;
  while (start <= p.size()) {
    std::size_t dot = p.find('.', start);
    std::string part = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (cur->is_object()) {
      auto it = cur->find(part);
      if (it == cur->end()) return std::nullopt;
      cur = &*it;
    } else if (cur->is_array()) {
      char* end = nullptr;
      unsigned long idx = std::strtoul(part.c_str(), &end, 10);
      if (part.empty() || *end != '\0' || idx >= cur->size()) return std::nullopt;
      cur = &(*cur)[idx];
    } else {
      return std::nullopt;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *cur;
}

}  // namespace breakout::scenario
