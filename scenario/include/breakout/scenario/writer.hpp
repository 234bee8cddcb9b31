// Writing scenario YAML that people read: what the tools that write scenarios (trace-to-scenario,
// harness explore) share.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace breakout::scenario {

/// Whether a string can be written without quotes and read back as the same string.
bool plain_scalar(const std::string& s);

/// A value as a YAML flow node: `{ call: main, state: LocalHold }`, `[a, b]`, plain scalars where
/// they read back the same, JSON-quoted strings where not.
std::string yaml_flow(const nlohmann::json& v);

}  // namespace breakout::scenario
