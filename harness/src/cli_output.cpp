#include "cli_output.hpp"

#include <breakout/protocol/files.hpp>
#include <breakout/protocol/text.hpp>

#include <iostream>

namespace breakout::harness {

bool write_output(const std::string& path, std::string_view text, bool trace) {
  auto written = files::write_file_atomic(path, text, {.refuse_symlinks = trace});
  if (!written) std::cerr << text::terminal_safe(path + ": error: " + written.error()) << "\n";
  return static_cast<bool>(written);
}

void print(std::ostream& out, const std::string& text) { out << text::terminal_safe(text); }

}  // namespace breakout::harness
