// Rendering diagnostics and "did you mean" suggestions.
#include <breakout/scenario/diagnostics.hpp>

#include <algorithm>
#include <sstream>

namespace breakout::scenario {

std::string SourceLoc::to_string() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

namespace {

std::string source_line(const std::string& source, int line) {
  std::istringstream in(source);
  std::string text;
  for (int i = 1; std::getline(in, text); ++i)
    if (i == line) return text;
  return {};
}

void render_into(std::ostringstream& out, const Diagnostic& d, const std::string& source) {
  if (!d.loc.file.empty()) out << d.loc.to_string() << ": ";
  out << (d.severity == Diagnostic::Severity::error ? "error" : "note") << ": " << d.message << "\n";
  if (d.loc.line > 0 && !source.empty()) {
    std::string text = source_line(source, d.loc.line);
    int column = std::max(1, d.loc.column);
    // A long line is shown around the column; bytes that would garble a terminal are shown as '?'.
    constexpr int kWidth = 100;
    std::string prefix;
    if (static_cast<int>(text.size()) > kWidth) {
      int from = std::max(0, column - 1 - kWidth / 2);
      bool cut_end = from + kWidth < static_cast<int>(text.size());
      text = text.substr(static_cast<std::size_t>(from), kWidth) + (cut_end ? "..." : "");
      if (from > 0) {
        prefix = "...";
        column -= from;
      }
    }
    for (char& c : text)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = '?';
    out << prefix << text << "\n";
    std::string pad(prefix.size(), ' ');
    for (int i = 0; i < column - 1 && i < static_cast<int>(text.size()); ++i) pad += text[i] == '\t' ? '\t' : ' ';
    out << pad << "^\n";
  }
  for (const auto& note : d.notes) render_into(out, note, source);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1])) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string render(const Diagnostic& diagnostic, const std::string& source) {
  std::ostringstream out;
  render_into(out, diagnostic, source);
  return out.str();
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_distance <= limit ? best : std::string();
}

}  // namespace breakout::scenario
