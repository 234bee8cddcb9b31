// Fuzz target: reading a trace file, and turning what reads into a scenario that must validate.
#include <breakout/harness/trace_tools.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto trace = breakout::trace::parse_trace(text, "fuzz.trace.jsonl");
  if (!trace.ok()) return 0;
  (void)breakout::harness::trace_to_scenario(trace, {});
  return 0;
}
