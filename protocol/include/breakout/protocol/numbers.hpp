// Total parsing of numbers written by people and peers: every input gives a value in range or
// nothing, never an exception. Shared by every command-line flag, scenario, trace and request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breakout::numbers {

/// A decimal integer in [lo, hi]: an optional '-' (only when lo < 0) and digits, nothing else —
/// no '+', no spaces, no exponent, no trailing characters. Out of range or too long: nothing.
std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t lo, std::int64_t hi);

/// `k/n` with 1 <= k <= n <= max_n, for --shard.
struct Shard {
  std::int64_t index = 1;
  std::int64_t count = 1;
};
std::optional<Shard> parse_shard(std::string_view text, std::int64_t max_n = 100000);

/// `address:port` or `[v6address]:port` with a decimal port 0..65535, for --listen. The address is
/// not checked here (the socket layer does that); it is returned without brackets.
struct HostPort {
  std::string address;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text);
/// "127.0.0.1:80" or "[::1]:80": an IPv6 address is written in brackets.
std::string format_host_port(const std::string& address, std::uint16_t port);

}  // namespace breakout::numbers
