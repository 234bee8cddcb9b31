// Text from untrusted places (scenario files, traces, frames, names) made safe for where it goes:
// checked as UTF-8, escaped for a terminal, made legal in XML, dumped as JSON without throwing.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace breakout::text {

/// Where a text stops being valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF
/// are invalid), as a byte offset; nothing when all of it is valid.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

/// Line and column (1-based, columns in bytes) of a byte offset.
struct Position {
  int line = 1;
  int column = 1;
};
Position position_of(std::string_view text, std::size_t offset);

/// The text with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

/// The longest prefix of at most `max_bytes` that does not cut a UTF-8 sequence in two.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

/// For a terminal: C0 and C1 control characters (but newline and tab) and DEL written as visible
/// escapes (\x1b, \u009b), invalid UTF-8 as U+FFFD; nothing a terminal would act on gets through.
std::string terminal_safe(std::string_view text);

/// For XML character data and attribute values: markup characters escaped, characters that XML 1.0
/// forbids (most C0 controls, U+FFFE, U+FFFF) written as visible escapes, invalid UTF-8 as U+FFFD.
/// In attributes, newline and tab are kept as character references.
std::string xml_safe(std::string_view text, bool attribute);

/// JSON as text whatever its strings hold: invalid UTF-8 becomes U+FFFD instead of an exception.
std::string dump_json(const nlohmann::json& json, int indent = -1);

}  // namespace breakout::text
