// Fuzz target: the report writers (the HTML page's data too), the JSON report's reader and the terminal's escapes on arbitrary strings. Every report must
// stay well-formed (valid UTF-8, no character XML forbids, JSON that reads back), and nothing a
// terminal would act on may reach it.
#include <breakout/harness/report.hpp>
#include <breakout/protocol/text.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace {

/// Well-formed as far as the writers are responsible: UTF-8, only XML's characters, no raw markup
/// inside attribute values or text (every '&' starts a reference).
bool xml_safe_text(const std::string& s) {
  if (breakout::text::invalid_utf8_at(s)) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\n' && c != '\t') return false;
    if (c == '<' || c == '>' || c == '"' || c == '\'') return false;
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(s[i + 2]) == 0xBE || static_cast<unsigned char>(s[i + 2]) == 0xBF))
      return false;
    if (c == '&' && s.find(';', i) == std::string::npos) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace harness = breakout::harness;
  namespace text = breakout::text;
  // The input is split at NUL bytes into the strings a result carries.
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) parts.emplace_back();
    else parts.back() += static_cast<char>(data[i]);
  }
  parts.resize(std::max<std::size_t>(parts.size(), 6));
  for (const auto& p : parts) {
    if (!xml_safe_text(text::xml_safe(p, true))) __builtin_trap();
    std::string shown = text::terminal_safe(p);
    if (text::invalid_utf8_at(shown)) __builtin_trap();
    for (std::size_t i = 0; i < shown.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(shown[i]);
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) __builtin_trap();
      // C1 controls (U+0080..U+009F) are the two bytes C2 80..C2 9F.
      if (c == 0xC2 && i + 1 < shown.size() && static_cast<unsigned char>(shown[i + 1]) < 0xA0) __builtin_trap();
    }
  }
  harness::SuiteReport report;
  harness::ScenarioResult r;
  r.file = parts[0];
  r.name = parts[1];
  r.message = parts[2];
  r.reason = parts[3];
  r.rules = {parts[4]};
  r.outcome = static_cast<harness::Outcome>(size % 7);
  harness::Observation o;
  o.participant = parts[5];
  o.type = "join";
  o.data = {{"callId", parts[2]}};
  r.log.push_back(o);
  report.results.push_back(r);
  std::ostringstream junit, json, console;
  harness::write_junit(junit, report);
  harness::write_json(json, report);
  harness::write_console(console, report);
  if (text::invalid_utf8_at(junit.str()) || text::invalid_utf8_at(json.str())) __builtin_trap();
  for (unsigned char c : junit.str())
    if (c < 0x20 && c != '\n' && c != '\t') __builtin_trap();
  auto back = nlohmann::json::parse(json.str(), nullptr, false);
  if (back.is_discarded()) __builtin_trap();
  // The HTML page's data cannot end its <script>: no '<' between the data's start and its end tag.
  std::ostringstream html;
  harness::write_html(html, report);
  const std::string page = html.str();
  const std::string start = "<script id=\"data\" type=\"application/json\">";
  auto from = page.find(start);
  if (from == std::string::npos) __builtin_trap();
  from += start.size();
  auto to = page.find("</script>", from);
  if (to == std::string::npos || page.find('<', from) != to || text::invalid_utf8_at(page)) __builtin_trap();
  if (nlohmann::json::parse(page.substr(from, to - from), nullptr, false).is_discarded()) __builtin_trap();
  // `harness merge` reads the report back as it was written...
  auto read = harness::read_json_report(json.str());
  if (!read || read->results.size() != 1 || read->results[0].outcome != r.outcome ||
      read->results[0].name != back["scenarios"][0]["name"].get<std::string>() || read->results[0].log.size() != 1)
    __builtin_trap();
  // ...and anything else that claims to be a report is an error, never a crash.
  (void)harness::read_json_report(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
