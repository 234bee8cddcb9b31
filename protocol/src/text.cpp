// UTF-8 checking and the escapes for terminals, XML and JSON.
#include <breakout/protocol/text.hpp>

#include <cstdio>

namespace breakout::text {
namespace {

/// Decodes one UTF-8 sequence at `i`; returns its length and code point, or length 0 when invalid.
std::pair<std::size_t, char32_t> decode(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return {1, b};
  std::size_t n;
  char32_t cp, min;
  if ((b & 0xE0) == 0xC0) n = 2, cp = b & 0x1F, min = 0x80;
  else if ((b & 0xF0) == 0xE0) n = 3, cp = b & 0x0F, min = 0x800;
  else if ((b & 0xF8) == 0xF0) n = 4, cp = b & 0x07, min = 0x10000;
  else return {0, 0};
  if (i + n > s.size()) return {0, 0};
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {n, cp};
}

void hex_escape(std::string& out, const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// Calls `fn(code point, its bytes)` for each character; an invalid byte is U+FFFD.
template <class Fn>
void for_each_character(std::string_view text, Fn&& fn) {
  for (std::size_t i = 0; i < text.size();) {
    auto [n, cp] = decode(text, i);
    if (n == 0) {
      fn(char32_t{0xFFFD}, kReplacement);
      ++i;
    } else {
      fn(cp, text.substr(i, n));
      i += n;
    }
  }
}

}  // namespace

std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto [n, cp] = decode(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

Position position_of(std::string_view text, std::size_t offset) {
  Position p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_character(text, [&](char32_t, std::string_view bytes) { out.append(bytes); });
  return out;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes to the start of the sequence that would be cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_character(text, [&](char32_t cp, std::string_view bytes) {
    if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F) hex_escape(out, "\\x%02x", cp);
    else if (cp >= 0x80 && cp < 0xA0) hex_escape(out, "\\u%04x", cp);
    else out.append(bytes);
  });
  return out;
}

std::string xml_safe(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for_each_character(text, [&](char32_t cp, std::string_view bytes) {
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\r': out += "&#13;"; break;
      default:
        // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
        if (cp < 0x20) hex_escape(out, "\\x%02x", cp);
        else if (cp == 0xFFFE || cp == 0xFFFF) hex_escape(out, "\\u%04x", cp);
        else out.append(bytes);
    }
  });
  return out;
}

std::string dump_json(const nlohmann::json& json, int indent) {
  return json.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace breakout::text
