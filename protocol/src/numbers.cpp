// Total parsing of integers, shards and host:port pairs.
#include <breakout/protocol/numbers.hpp>

#include <charconv>

namespace breakout::numbers {

std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t lo, std::int64_t hi) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  bool negative = text.front() == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || (negative && lo >= 0)) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < lo || value > hi) return std::nullopt;
  return value;
}

std::optional<Shard> parse_shard(std::string_view text, std::int64_t max_n) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto n = parse_integer(text.substr(slash + 1), 1, max_n);
  if (!n) return std::nullopt;
  auto k = parse_integer(text.substr(0, slash), 1, *n);
  if (!k) return std::nullopt;
  return Shard{*k, *n};
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  HostPort out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    out.address = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    out.address = std::string(text.substr(0, colon));
    // An IPv6 address without brackets is ambiguous with its port.
    if (out.address.find(':') != std::string::npos) return std::nullopt;
    port = text.substr(colon + 1);
  }
  if (out.address.empty()) return std::nullopt;
  auto p = parse_integer(port, 0, 65535);
  if (!p) return std::nullopt;
  out.port = static_cast<std::uint16_t>(*p);
  return out;
}

std::string format_host_port(const std::string& address, std::uint16_t port) {
  bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace breakout::numbers
