// Partial matching of expected JSON against observed JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace breakout::harness {

struct Mismatch {
  /// Where in the data, as a dotted path ("data.state", "data[0].displayName").
  std::string path;
  std::string expected;
  std::string observed;
};

/// Only the fields written in `expected` are compared; arrays compare element by element and must
/// have the same length. "${name}" in an expected string is replaced by a captured value.
std::optional<Mismatch> match(const nlohmann::json& expected, const nlohmann::json& observed,
                              const std::map<std::string, nlohmann::json>& captures, const std::string& path = "data");

/// The value at a dotted path ("callId", "invitees.0"), or nullopt.
std::optional<nlohmann::json> value_at(const nlohmann::json& data, const std::string& path);

}  // namespace breakout::harness
