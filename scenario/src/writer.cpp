// Writing scenario YAML that people read.
#include <breakout/scenario/writer.hpp>

#include <breakout/protocol/text.hpp>

#include <cctype>
#include <regex>
#include <set>
#include <string_view>

namespace breakout::scenario {

using Json = nlohmann::json;

/// Whether a string can be written without quotes and read back as the same string.
bool plain_scalar(const std::string& s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  if (s.front() == '-' || s.front() == '.' || s.front() == '+') return false;
  // What would read as a number stays quoted; "3s" or "1m30s" need not be.
  static const std::regex number(R"([0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|0[xo][0-9a-fA-F]+)");
  if (std::regex_match(s, number)) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view(" _./()+-").find(c) == std::string_view::npos) return false;
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string> reserved = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"};
  return !reserved.count(lower);
}

std::string yaml_flow(const Json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return plain_scalar(s) ? s : text::dump_json(v);
  }
  if (v.is_object()) {
    if (v.empty()) return "{}";
    std::string out = "{ ";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += (first ? "" : ", ") + yaml_flow(Json(it.key())) + ": " + yaml_flow(it.value());
      first = false;
    }
    return out + " }";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + yaml_flow(v[i]);
    return out + "]";
  }
  return text::dump_json(v);
}

}  // namespace breakout::scenario
