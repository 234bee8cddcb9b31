// Matching what a scenario expects against what happened: partial objects, captured values, and
// matchers (docs/scenarios.md, "Matching").
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakout::scenario {

struct Mismatch {
  /// Where in the data, as a dotted path ("data.state", "data[0].displayName").
  std::string path;
  std::string expected;
  std::string observed;
};

/// The keys that make an object a matcher rather than a value: `{not: V}`, `{anyOf: [V, ...]}`,
/// `{matches: "regex"}`, `{gt: N}` (and gte, lt, lte, combinable), `{anyOrder: [V, ...]}`.
const std::vector<std::string>& matcher_keys();
/// Whether an expected value is a matcher: an object whose keys are all matcher keys.
bool is_matcher(const nlohmann::json& expected);

/// Only the fields written in `expected` are compared; arrays compare element by element and must
/// have the same length (or, under anyOrder, the same elements in any order). "${name}" in an
/// expected string stands for a captured value, inside matchers too.
std::optional<Mismatch> match(const nlohmann::json& expected, const nlohmann::json& observed,
                              const std::map<std::string, nlohmann::json>& captures, const std::string& path = "data");

/// The value with every string that is exactly "${name}" replaced by that captured value (the
/// arguments of a client action, say); names not captured stay as written.
nlohmann::json resolve_captures(const nlohmann::json& value, const std::map<std::string, nlohmann::json>& captures);

/// The value at a dotted path ("callId", "invitees.0"), or nullopt.
std::optional<nlohmann::json> value_at(const nlohmann::json& data, const std::string& path);

/// Why a `matches:` pattern cannot be used (too long, not a regular expression), or nothing.
std::optional<std::string> pattern_problem(std::string_view pattern);

}  // namespace breakout::scenario
