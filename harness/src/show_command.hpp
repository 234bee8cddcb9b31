// harness show: a trace as the HTML report's page (docs/harness.md).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace breakout::harness {

struct ShowCli {
  CLI::App* command = nullptr;
  std::string trace;
  std::string output;
};

void add_show_command(CLI::App& app, ShowCli& cli);
/// 0 when the page was written, 2 when the trace cannot be read, 3 when the page cannot be written.
int run_show_command(const ShowCli& cli);

}  // namespace breakout::harness
