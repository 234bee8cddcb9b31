// What the harness does with traces (docs/traces.md): write them, turn them into scenarios, replay them.
#pragma once

#include <breakout/harness/runner.hpp>
#include <breakout/protocol/trace.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace breakout::harness {

/// The trace of a result as JSON Lines (header first).
std::string trace_text(const ScenarioResult& result);
/// Writes the trace of a result to a file, whole or not at all, never through a symbolic link.
Expected<void, std::string> write_trace(const std::string& path, const ScenarioResult& result);

struct TraceToScenarioOptions {
  /// The trace's path, named in the scenario's description.
  std::string trace_path;
  /// Expect every event the SDK raised after set-up (false: only the steps, for replay).
  bool expectations = true;
  /// When the trace ends in a failure, end the scenario with the step that failed, so that it
  /// fails the same way until the SDK is fixed.
  bool keep_failure = true;
};

/// A scenario in the scenario language: the trace's set-up, its server actions and SDK calls as
/// steps at their virtual times, and what the SDK did as expectations. Notes on what could not be
/// carried over go into `notes` (and as comments into the text).
struct GeneratedScenario {
  std::string yaml;
  std::vector<std::string> notes;
};
GeneratedScenario trace_to_scenario(const trace::ReadResult& trace, const TraceToScenarioOptions& options);

/// The records two traces must agree on: everything but the steps, the failure and the end.
std::vector<Json> comparable_records(const std::vector<Json>& records);

struct Divergence {
  /// Position among the comparable records (0-based).
  std::size_t index = 0;
  /// The recorded and the observed record; null where one trace has ended.
  Json expected;
  Json observed;
};
/// The first place where the two differ, comparing records as `normal` makes them (all of each by default).
std::optional<Divergence> first_divergence(const std::vector<Json>& recorded, const std::vector<Json>& observed,
                                           const std::function<Json(const Json&)>& normal = nullptr);

struct ReplayResult {
  bool same = false;
  /// For people: "same as recorded", or the first divergence as expected against observed.
  std::string report;
  /// The replay's own run, with its trace.
  ScenarioResult run;
};
/// Plays the trace's server side (its set-up, server actions and calls, at their virtual times)
/// against the SDK, and compares what happens with what was recorded.
ReplayResult replay(const trace::ReadResult& trace, const std::string& trace_path, const DriverFactory& drivers,
                    const RunOptions& options);

}  // namespace breakout::harness
