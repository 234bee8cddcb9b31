// Compiler-style diagnostics for scenario authors: path:line:col: error: message, the line, a caret.
#pragma once

#include <string>
#include <vector>

namespace breakout::scenario {

/// A place in a scenario file; line and column are 1-based, 0 when unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
  std::string to_string() const;  // "file:line:col" (or "file" when the place is unknown)
};

struct Diagnostic {
  enum class Severity { error, note };
  Severity severity = Severity::error;
  SourceLoc loc;
  std::string message;
  std::vector<Diagnostic> notes;
};

/// Renders a diagnostic with the source line and a caret under the column, then its notes.
/// `source` is the file's text (empty when it cannot be shown).
std::string render(const Diagnostic& diagnostic, const std::string& source);

/// The closest of `candidates` to `word` by edit distance, when it is close enough to suggest.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace breakout::scenario
