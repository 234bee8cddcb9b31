// Fuzz target: the scenario loader and validator on arbitrary text. It must report, never crash or hang.
#include <breakout/scenario/scenario.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto loaded = breakout::scenario::load_scenario_text(text, "fuzz.yaml");
  // Rendering reads the source lines the diagnostics point at: it must agree with them.
  std::string rendered = breakout::scenario::render_errors(loaded);
  if (!loaded.ok() && loaded.errors.empty() && loaded.scenarios.empty()) return 0;
  if (loaded.ok() != rendered.empty()) __builtin_trap();  // errors are always rendered
  return 0;
}
