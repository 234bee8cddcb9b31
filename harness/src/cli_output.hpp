// Writing what the harness command produces: files whole or not at all, text safe for a terminal.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace breakout::harness {

/// Exit status when a report or trace asked for could not be written (docs/harness.md).
constexpr int kExitOutputFailed = 3;

/// Writes a report, trace or scenario whole or not at all; says on stderr why it could not.
/// Traces are never written through a symbolic link: the trace folder is where a checkout (and so a
/// pull request) decides what is there.
bool write_output(const std::string& path, std::string_view text, bool trace);

/// Text for the terminal: control characters from scenario names, traces or frames escaped.
void print(std::ostream& out, const std::string& text);

}  // namespace breakout::harness
