// One scenario run, private to the harness: the io_context and virtual clock it drives, the mock
// server and clients, the trace, and the observation log. run.cpp drives and sets up; step_runner.cpp
// executes each kind of step and checks expectations.
#pragma once

#include <breakout/harness/runner.hpp>
#include <breakout/mock_server/server.hpp>
#include <breakout/protocol/trace.hpp>

#include "traffic_ledger.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace breakout::harness {

/// What a trace records, by observation type: state changes, errors, and other events.
inline std::string_view record_kind(const std::string& type) {
  if (type == "callStateChanged" || type == "connectionStateChanged") return "state";
  if (type == "automaticActionFailed") return "error";
  return "event";
}

/// The trace of one run. The mock server tells it about the wire; the run about the rest. Records
/// go to a spool as soon as their order is known (at each step, call and server action), so only
/// those since the last of them are held here, as text.
class TraceLog final : public trace::Recorder {
 public:
  TraceLog(const clock::Clock& clock, bool enabled, std::function<std::size_t(const std::string&)> rank)
      : clock_(clock), enabled_(enabled), rank_(std::move(rank)) {
    if (enabled_) spool_ = std::make_shared<TraceSpool>();  // a temporary file only when there is a trace
  }

  bool enabled() const { return enabled_ && !stopped_; }
  /// Nothing more is recorded (teardown is not part of the story).
  void stop() { stopped_ = true; }

  void add(Json record) {
    if (!enabled()) return;
    record["t"] = clock_.now().count();
    push(std::move(record));
  }

  void connection(const std::string& participant, std::string_view event, std::string_view detail) override {
    if (enabled()) push(trace::connection_record(clock_.now().count(), participant, event, detail));
  }
  void frame(const std::string& participant, trace::Direction direction, std::string_view text, bool binary) override {
    if (enabled()) push_line(clock_.now().count(), participant, trace::frame_line(clock_.now().count(), participant, direction, text, binary));
  }
  void server_action(const Json& action) override {
    if (enabled()) push(trace::server_record(clock_.now().count(), action));
  }

  /// Every record so far, in their deterministic order (null when there is no trace).
  std::shared_ptr<TraceSpool> spool() {
    if (spool_) flush();
    return spool_;
  }

 private:
  struct Pending {
    std::int64_t t;
    std::size_t rank;
    std::string line;
  };
  static bool is_barrier(const Json& record);
  void push(Json record);
  /// A record that is not a barrier, already written as its line.
  void push_line(std::int64_t t, const std::string& participant, std::string line);
  /// Writes the records held since the last barrier, ordered, to the spool (trace_spool.cpp).
  void flush();

  const clock::Clock& clock_;
  bool enabled_;
  bool stopped_ = false;
  std::function<std::size_t(const std::string&)> rank_;
  std::shared_ptr<TraceSpool> spool_;
  std::vector<Pending> pending_;
};

using SteadyTime = std::chrono::steady_clock::time_point;

/// Thrown to stop a run: the scenario failed at a step, or the wall-clock guard expired.
struct Stop {
  Outcome outcome;
  Diagnostic diagnostic;
  /// The step that failed (-1: set-up or the end-of-run check).
  int step = -1;
  /// The event that no expectation allowed, when that is why.
  std::optional<Observation> unexpected;
};

class Run final : public ObservationSink {
 public:
  Run(const Scenario& scenario, const DriverFactory& drivers, const RunOptions& options);
  ~Run() override;
  void observe(const std::string& participant, const std::string& type, Json data, const std::string& listener) override;
  void play();
  std::chrono::microseconds setup_time() const { return setup_time_; }
  std::chrono::microseconds steps_time() const { return steps_time_; }
  /// The run's trace records so far.
  std::shared_ptr<TraceSpool> trace() { return trace_.spool(); }
  int current_step() const { return current_step_; }
  std::vector<Observation> log() const;
  clock::TimePoint now() const { return clock_.now(); }
  std::uint64_t frames() const { return ledger_.frames(); }

 private:
  // ---- driving the io_context and the virtual clock ----
  bool wall_exceeded() const { return std::chrono::steady_clock::now() - started_ > options_.wall_timeout; }
  /// Runs handlers until nothing is ready, nothing is in flight and no timer is due now.
  bool settle();
  void drain();
  void settle_or_stop(const SourceLoc& loc);
  /// Settles, and fires timers one at a time (settling after each) until `done` holds or virtual
  /// time reaches `target`. Returns whether `done` held.
  bool run_until(clock::TimePoint target, const SourceLoc& loc, const std::function<bool()>& done);

  // ---- diagnostics ----
  Diagnostic diag(const SourceLoc& loc, std::string message, std::vector<Diagnostic> notes = {}) const {
    return Diagnostic{Diagnostic::Severity::error, loc, std::move(message), std::move(notes)};
  }
  static Diagnostic note(std::string message) { return Diagnostic{Diagnostic::Severity::note, {}, std::move(message), {}}; }
  Diagnostic log_note(const std::string& participant) const;
  [[noreturn]] void fail(const SourceLoc& loc, std::string message, std::vector<Diagnostic> notes = {},
                         std::optional<Observation> unexpected = std::nullopt);
  std::size_t rank(const std::string& participant) const;

  // ---- set-up ----
  void set_up();

  // ---- groups and captures ----
  using Captures = std::map<std::string, Json>;
  /// A group's members now, in the scenario's order (a room's are read from the Teams side);
  /// a step naming no one fails.
  std::vector<std::string> members(const Group& group, const SourceLoc& loc, bool clients_only) const;
  /// What "${name}" means in a step about this participant: the run's captures, then the
  /// participant's own (captured by a group step), then — as a group's member — ${member},
  /// ${member.displayName}, ${member.room} and ${member.roomName}.
  Captures captures_for(const std::string& participant, bool as_member) const;
  /// Runs `body` for each member; a failure names the member and the group.
  void for_each_member(const Group& group, const SourceLoc& loc, bool clients_only, const std::function<void(const std::string&)>& body);
  /// An expectation as one per participant it is about (each member of its group, now), with
  /// the captures each sees, appended to `out` and `captures`.
  void expand(const EventExpectation& x, const SourceLoc& loc, std::vector<EventExpectation>& out, std::vector<Captures>& captures);
  /// Appends to the observation log, keeping the per-participant index.
  void record(Observation o);

  // ---- steps ----
  void execute(const Step& step, const ServerStep& server);
  void apply(const Step& step, const mock::Action& action);
  void call(const Step& step, const ClientStep& c);
  void execute(const Step& step, const ClientStep& c);
  /// A client step the story does not wait for (made inside a listener's callback, or with
  /// `wait: false`): started or armed now, its result a callResult event.
  void start_without_waiting(const Step& step, const ClientStep& c);
  void execute(const Step& step, const AdvanceStep& a);
  bool ignorable(const Observation& o) const;
  bool matches(const EventExpectation& x, const Observation& o, const Captures& captures) const;
  std::optional<std::size_t> find(const EventExpectation& x, const Captures& captures, const std::unordered_set<std::size_t>& claimed) const;
  /// The log positions of a participant's observations from `from` on.
  std::vector<std::size_t>::const_iterator entries_from(const std::string& participant, std::size_t from) const;
  const std::vector<std::size_t>& entries(const std::string& participant) const;
  std::size_t cursor(const std::string& participant) const;
  void execute(const Step& step, const ExpectStep& e);
  void execute(const Step& step, const ExpectNoStep& e);
  void execute(const Step& step, const ExpectStateStep& e);
  void check_state(const Step& step, const std::string& participant, const Json& expected, const Captures& captures);
  void check_nothing_unexpected();

  const Scenario& s_;
  RunOptions options_;
  SteadyTime started_;
  boost::asio::io_context io_;
  clock::VirtualClock clock_;
  TrafficLedger ledger_;
  TraceLog trace_;
  std::unique_ptr<mock::Server> server_;
  std::unique_ptr<Driver> driver_;
  std::vector<Observation> log_;
  std::vector<int> step_of_;
  std::map<std::string, std::size_t> cursors_;
  Captures captures_;
  /// Captured by group steps, per member.
  std::unordered_map<std::string, Captures> member_captures_;
  /// Each participant's observations, by position in log_.
  std::unordered_map<std::string, std::vector<std::size_t>> by_participant_;
  /// Each participant's place in the scenario's list.
  std::unordered_map<std::string, std::size_t> rank_;
  bool in_setup_ = true;
  bool in_teardown_ = false;
  std::chrono::microseconds setup_time_{0};
  std::chrono::microseconds steps_time_{0};
  int current_step_ = -1;
};

}  // namespace breakout::harness
