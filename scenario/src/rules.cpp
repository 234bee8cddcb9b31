// Reading the rule catalogue of a conformance document.
#include <breakout/scenario/rules.hpp>

#include <breakout/protocol/files.hpp>

#include <filesystem>
#include <regex>

namespace breakout::scenario {

bool is_rule_id(std::string_view text) {
  static const std::regex id(R"(BR-[A-Z]+-[0-9]+)");
  return text.size() <= 64 && std::regex_match(text.begin(), text.end(), id);
}

Expected<std::vector<std::string>, std::string> read_rule_catalogue(const std::string& path) {
  auto text = files::read_regular_file(path, std::size_t{4} << 20);
  if (!text) return unexpected(text.error());
  static const std::regex row(R"(^\| (BR-[A-Z]+-[0-9]+) \|)");
  std::vector<std::string> rules;
  std::size_t pos = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(pos, end - pos);
    std::smatch m;
    if (std::regex_search(line, m, row)) rules.push_back(m[1]);
    pos = end + 1;
  }
  return rules;
}

std::string default_rule_catalogue(const std::string& tree_root) {
  std::error_code ec;
  auto candidate = std::filesystem::path(tree_root).parent_path() / "docs" / "conformance.md";
  return std::filesystem::is_regular_file(candidate, ec) ? candidate.string() : std::string();
}

}  // namespace breakout::scenario
