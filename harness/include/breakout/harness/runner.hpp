// Plays a scenario against the mock server and an SDK, in virtual time, and judges it.
#pragma once

#include <breakout/harness/driver.hpp>
#include <breakout/scenario/matching.hpp>
#include <breakout/scenario/scenario.hpp>
#include <breakout/protocol/traffic.hpp>
#include <breakout/protocol/clock.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace breakout::harness {

// The harness plays scenarios: the language's types and functions are its vocabulary.
using scenario::AdvanceStep;
using scenario::CallbackTrigger;
using scenario::ClientStep;
using scenario::Diagnostic;
using scenario::EventExpectation;
using scenario::ExpectNoStep;
using scenario::ExpectStateStep;
using scenario::ExpectStep;
using scenario::Group;
using scenario::IgnoreRule;
using scenario::Json;
using scenario::LoadOptions;
using scenario::LoadResult;
using scenario::ParticipantSetup;
using scenario::Scenario;
using scenario::ServerStep;
using scenario::SourceLoc;
using scenario::Step;
using scenario::client_actions;
using scenario::event_types;
using scenario::load_scenario_file;
using scenario::load_scenario_text;
using scenario::match;
using scenario::render;
using scenario::render_errors;
using scenario::setup_json;
using scenario::value_at;

enum class Outcome { pass, fail, unresolved, timeout, skip, xfail, xpass };
/// "PASS", "FAIL", "UNRESOLVED", "TIMEOUT", "SKIP", "XFAIL", "XPASS".
std::string_view to_string(Outcome outcome);
/// The outcome with that name (to_string's inverse), or none for any other text.
std::optional<Outcome> outcome_named(std::string_view name);

/// One thing that happened, stamped with virtual time.
struct Observation {
  clock::TimePoint at{0};
  std::string participant;
  std::string type;
  Json data;
  /// Happened during set-up (connecting and joining), before the first step.
  bool setup = false;
  /// Matched by an expectation.
  bool consumed = false;
  /// The listener a breakout rooms event reached: "" for the default one (and other events).
  std::string listener;
};

/// A run's trace records as JSON lines, in an unnamed temporary file written as the run goes: a
/// meeting of a thousand makes tens of megabytes of trace, which need not stay in memory.
class TraceSpool {
 public:
  TraceSpool();
  ~TraceSpool();
  TraceSpool(const TraceSpool&) = delete;
  TraceSpool& operator=(const TraceSpool&) = delete;
  /// Appends one record's line (without its newline).
  void append(std::string_view line);
  /// Each line in order, without its newline; stops when `f` returns false. False if the file
  /// could not be written or read (a full disk); error() says why.
  bool for_each_line(const std::function<bool(std::string_view)>& f) const;
  std::uint64_t bytes() const { return bytes_; }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
  std::string error_;
};

struct ScenarioResult {
  std::string file;
  /// The file's path inside its scenario tree ("moving/auto-move-on.yaml"): the same from whatever
  /// folder the harness ran (JUnit's classname, merging shards). Empty: `file` stands for it.
  std::string tree_path;
  std::string name;
  /// Which run of the scenario under --repeat (0 for the first).
  int repeat = 0;
  std::vector<std::string> rules;
  std::vector<std::string> tags;
  Outcome outcome = Outcome::pass;
  /// Why it did not pass: a rendered diagnostic (file:line:col: error: ...) with notes.
  std::string message;
  /// The skip or xfail reason.
  std::string reason;
  std::chrono::milliseconds wall_time{0};
  clock::TimePoint virtual_time{0};
  std::vector<Observation> log;
  /// The run's trace (docs/traces.md), when RunOptions::trace asked for it: header, then records
  /// (in `trace` too unless RunOptions::trace_records is off).
  Json trace_header;
  std::shared_ptr<TraceSpool> trace_spool;
  std::vector<Json> trace;
  /// The scenario file's text, for reports that show the source around a failure (HTML); empty
  /// unless a report asked for it.
  std::string source;
  /// Where the trace was written, if it was.
  std::string trace_file;
  /// WebSocket frames sent, both ways: what a run costs, virtual time being free.
  std::uint64_t frames = 0;
  /// Real time spent connecting and joining, and then on the steps.
  std::chrono::microseconds setup_time{0};
  std::chrono::microseconds steps_time{0};
};

/// Makes the SDK side of a run: called once per scenario with that run's io_context, clock and
/// service URL; the traffic monitor must be given to every connection it opens.
using DriverFactory = std::function<std::unique_ptr<Driver>(boost::asio::io_context& io, clock::Clock& clock,
                                                            const std::string& service_url,
                                                            protocol::TrafficMonitor& traffic, ObservationSink& sink)>;

struct RunOptions {
  /// Real time a scenario may take before it is stopped as TIMEOUT.
  std::chrono::milliseconds wall_timeout{10000};
  /// Keep a trace of the run: every frame, call, event and state change (docs/traces.md).
  bool trace = false;
  /// Also read the trace back into ScenarioResult::trace (off: it stays in the spool only, and a
  /// meeting of a thousand keeps its memory for the run).
  bool trace_records = true;
  /// Play the steps but judge nothing: events need no expectation and failed actions do not stop
  /// the run. What replay uses, comparing the trace instead.
  bool observe_only = false;
};

ScenarioResult run_scenario(const Scenario& scenario, const DriverFactory& drivers, const RunOptions& options);
/// The result for a file that did not load: UNRESOLVED, with every diagnostic rendered.
ScenarioResult unresolved_result(const std::string& path, const LoadResult& loaded);
/// Loads and runs one file (its first variant); a file that does not load is UNRESOLVED with its diagnostics.
ScenarioResult run_scenario_file(const std::string& path, const DriverFactory& drivers, const RunOptions& options);

/// One log line: "[+3.000s] alice callStateChanged {"call":"main","state":"LocalHold"}".
std::string format_observation(const Observation& o);

}  // namespace breakout::harness
