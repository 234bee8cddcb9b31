// The rules scenarios name: the catalogue in a conformance document (docs/conformance.md), whose
// rows start "| BR-AREA-N |", and the form of a rule id.
#pragma once

#include <breakout/protocol/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace breakout::scenario {

/// Whether the text is a rule id: BR-, an area in capitals, -, a number (BR-MOVE-2, BR-ERR-46250).
bool is_rule_id(std::string_view text);

/// The rule ids a conformance document defines, in the order written.
Expected<std::vector<std::string>, std::string> read_rule_catalogue(const std::string& path);

/// The conformance document that goes with a scenario tree when none is named: docs/conformance.md
/// beside the tree's folder (this repository's layout), if there is one; else "".
std::string default_rule_catalogue(const std::string& tree_root);

}  // namespace breakout::scenario
