// The commands that look at scenarios rather than run a suite: validate, list, coverage; each
// prints for people, or JSON (--json) for CI.
#pragma once

#include "selection.hpp"

namespace breakout::harness {

/// Exit 0 when every file validates, 2 otherwise (docs/harness.md).
int validate_command(const Selection& sel, bool json);
/// Exit 0, or 2 when a path does not exist.
int list_command(const Selection& sel, bool json);
/// Runs the scenarios; exit 0 when every rule is covered by a scenario that passes.
int coverage_command(const Selection& sel, bool json);

}  // namespace breakout::harness
