// Partial matching and captured values.
#include "matching.hpp"

#include <breakout/protocol/text.hpp>

namespace breakout::harness {

namespace {

nlohmann::json substitute(const nlohmann::json& expected, const std::map<std::string, nlohmann::json>& captures) {
  if (expected.is_string()) {
    const auto& s = expected.get_ref<const std::string&>();
    if (s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}') {
      auto it = captures.find(s.substr(2, s.size() - 3));
      if (it != captures.end()) return it->second;
    }
  }
  return expected;
}

}  // namespace

std::optional<Mismatch> match(const nlohmann::json& expected_raw, const nlohmann::json& observed,
                              const std::map<std::string, nlohmann::json>& captures, const std::string& path) {
  nlohmann::json expected = substitute(expected_raw, captures);
  if (expected.is_object()) {
    if (!observed.is_object()) return Mismatch{path, text::dump_json(expected), text::dump_json(observed)};
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      auto o = observed.find(it.key());
      if (o == observed.end()) return Mismatch{path + "." + it.key(), text::dump_json(*it), "(absent)"};
      if (auto m = match(*it, *o, captures, path + "." + it.key())) return m;
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (!observed.is_array() || observed.size() != expected.size())
      return Mismatch{path, text::dump_json(expected), text::dump_json(observed)};
    for (std::size_t i = 0; i < expected.size(); ++i)
      if (auto m = match(expected[i], observed[i], captures, path + "[" + std::to_string(i) + "]")) return m;
    return std::nullopt;
  }
  if (expected.is_number() && observed.is_number()) {
    if (expected.get<double>() == observed.get<double>()) return std::nullopt;
    return Mismatch{path, text::dump_json(expected), text::dump_json(observed)};
  }
  if (expected != observed) return Mismatch{path, text::dump_json(expected), text::dump_json(observed)};
  return std::nullopt;
}

std::optional<nlohmann::json> value_at(const nlohmann::json& data, const std::string& path) {
  const nlohmann::json* cur = &data;
  std::size_t start = 0;
  std::string p = path.rfind("data.", 0) == 0 ? path.substr(5) : path;
  while (start <= p.size()) {
    std::size_t dot = p.find('.', start);
    std::string part = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (cur->is_object()) {
      auto it = cur->find(part);
      if (it == cur->end()) return std::nullopt;
      cur = &*it;
    } else if (cur->is_array()) {
      char* end = nullptr;
      unsigned long idx = std::strtoul(part.c_str(), &end, 10);
      if (part.empty() || *end != '\0' || idx >= cur->size()) return std::nullopt;
      cur = &(*cur)[idx];
    } else {
      return std::nullopt;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *cur;
}

}  // namespace breakout::harness
