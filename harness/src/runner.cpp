// The runner: one io_context, one virtual clock, the mock server and the SDK clients in process;
// steps are played in order and expectations checked against the observation log.
#include <breakout/harness/runner.hpp>
#include <breakout/mock_server/server.hpp>
#include <breakout/protocol/text.hpp>
#include <breakout/protocol/trace.hpp>

#include "matching.hpp"
#include "traffic_ledger.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdio>

namespace breakout::harness {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: return "PASS";
    case Outcome::fail: return "FAIL";
    case Outcome::unresolved: return "UNRESOLVED";
    case Outcome::timeout: return "TIMEOUT";
    case Outcome::skip: return "SKIP";
    case Outcome::xfail: return "XFAIL";
    case Outcome::xpass: return "XPASS";
  }
  return "UNRESOLVED";
}

std::string format_observation(const Observation& o) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[+%lld.%03llds]", static_cast<long long>(o.at.count() / 1000),
                static_cast<long long>(o.at.count() % 1000));
  return std::string(stamp) + " " + o.participant + " " + o.type + " " + text::dump_json(o.data);
}

namespace {

/// What a trace records, by observation type: state changes, errors, and other events.
std::string_view record_kind(const std::string& type) {
  if (type == "callStateChanged" || type == "connectionStateChanged") return "state";
  if (type == "automaticActionFailed") return "error";
  return "event";
}

/// The trace of one run. The mock server tells it about the wire; the run about the rest.
class TraceLog final : public trace::Recorder {
 public:
  TraceLog(const clock::Clock& clock, bool enabled) : clock_(clock), enabled_(enabled) {}

  bool enabled() const { return enabled_ && !stopped_; }
  /// Nothing more is recorded (teardown is not part of the story).
  void stop() { stopped_ = true; }

  void add(Json record) {
    if (!enabled()) return;
    record["t"] = clock_.now().count();
    records_.push_back(std::move(record));
  }

  void connection(const std::string& participant, std::string_view event, std::string_view detail) override {
    if (enabled()) records_.push_back(trace::connection_record(clock_.now().count(), participant, event, detail));
  }
  void frame(const std::string& participant, trace::Direction direction, std::string_view text, bool binary) override {
    if (enabled()) records_.push_back(trace::frame_record(clock_.now().count(), participant, direction, text, binary));
  }
  void server_action(const Json& action) override {
    if (enabled()) records_.push_back(trace::server_record(clock_.now().count(), action));
  }

  /// The records in a deterministic order: steps, calls and server actions stay where they were;
  /// between them, records are ordered by time, then by participant as the scenario lists them.
  std::vector<Json> ordered(const std::function<std::size_t(const std::string&)>& rank) const {
    std::vector<Json> out = records_;
    auto is_barrier = [](const Json& r) {
      const auto& k = r["kind"];
      return k == "step" || k == "call" || k == "server";
    };
    auto key = [&](const Json& r) {
      return std::pair{r["t"].get<std::int64_t>(), r.contains("participant") ? rank(r["participant"].get<std::string>()) : 0};
    };
    auto begin = out.begin();
    while (begin != out.end()) {
      auto end = std::find_if(begin, out.end(), is_barrier);
      std::stable_sort(begin, end, [&](const Json& a, const Json& b) { return key(a) < key(b); });
      begin = end == out.end() ? end : end + 1;
    }
    return out;
  }

 private:
  const clock::Clock& clock_;
  bool enabled_;
  bool stopped_ = false;
  std::vector<Json> records_;
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
  Run(const Scenario& scenario, const DriverFactory& drivers, const RunOptions& options)
      : s_(scenario), options_(options), started_(std::chrono::steady_clock::now()), trace_(clock_, options.trace) {
    mock::ServerOptions server_options;
    server_options.traffic = &ledger_;
    // Room for every participant's connection (and a reconnect each), however large the meeting.
    server_options.max_connections = std::max<std::size_t>(server_options.max_connections, 2 * s_.participants.size());
    // Every client here is the run's own, and they all connect at once in set-up.
    server_options.max_pending = server_options.max_pending_per_source = server_options.max_connections;
    server_options.recorder = &trace_;
    server_ = std::make_unique<mock::Server>(io_, clock_, s_.meeting, server_options);
    auto port = server_->listen("127.0.0.1", 0);
    if (!port) throw Stop{Outcome::unresolved, diag(s_.loc, "cannot start the mock server: " + port.error()), -1, std::nullopt};
    driver_ = drivers(io_, clock_, server_->url(), ledger_, *this);
  }

  ~Run() override {
    // Orderly teardown: clients leave, the server stops, and what is in flight drains.
    in_teardown_ = true;
    trace_.stop();
    if (driver_) driver_->shutdown();
    drain();
    server_->stop();
    drain();
    driver_.reset();
    server_.reset();
    drain();
  }

  void observe(const std::string& participant, const std::string& type, Json data) override {
    if (in_teardown_) return;
    if (trace_.enabled()) {
      Json record = {{"kind", record_kind(type)}, {"participant", participant}, {"type", type}, {"data", data}};
      if (in_setup_) record["setup"] = true;
      trace_.add(std::move(record));
    }
    log_.push_back(Observation{clock_.now(), participant, type, std::move(data), in_setup_, false});
    step_of_.push_back(current_step_);
  }

  void play() {
    auto t0 = std::chrono::steady_clock::now();
    set_up();
    auto t1 = std::chrono::steady_clock::now();
    setup_time_ = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0);
    in_setup_ = false;
    for (std::size_t i = 0; i < s_.steps.size(); ++i) {
      current_step_ = static_cast<int>(i);
      const Step& step = s_.steps[i];
      trace_.add({{"kind", "step"}, {"index", i}, {"line", step.loc.line}, {"summary", step.summary}});
      try {
        std::visit([&](const auto& body) { this->execute(step, body); }, step.body);
      } catch (Stop& stop) {
        // Observing only: a step that would fail is a fact of the run, not its end.
        if (!options_.observe_only || stop.outcome != Outcome::fail) throw;
      }
    }
    settle_or_stop(s_.steps.empty() ? s_.loc : s_.steps.back().loc);
    current_step_ = -1;
    steps_time_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t1);
    if (!options_.observe_only) check_nothing_unexpected();
  }

  std::chrono::microseconds setup_time() const { return setup_time_; }
  std::chrono::microseconds steps_time() const { return steps_time_; }

  std::vector<Json> trace() const {
    return trace_.ordered([this](const std::string& participant) { return rank(participant); });
  }

  int current_step() const { return current_step_; }

  std::vector<Observation> log() const {
    std::vector<Observation> out = log_;
    // Ordered by virtual time, then by participant as the scenario lists them, then as recorded:
    // the same on every run even when two clients react in the same instant.
    std::stable_sort(out.begin(), out.end(), [&](const Observation& a, const Observation& b) {
      if (a.at != b.at) return a.at < b.at;
      return rank(a.participant) < rank(b.participant);
    });
    return out;
  }

  clock::TimePoint now() const { return clock_.now(); }
  std::uint64_t frames() const { return ledger_.frames(); }

 private:
  // ---- driving the io_context and the virtual clock ----

  bool wall_exceeded() const { return std::chrono::steady_clock::now() - started_ > options_.wall_timeout; }

  /// Runs handlers until nothing is ready, nothing is in flight and no timer is due now.
  bool settle() {
    for (;;) {
      if (io_.stopped()) io_.restart();
      while (io_.poll() > 0) {
        if (wall_exceeded()) return false;
        if (io_.stopped()) io_.restart();
      }
      if (ledger_.settled()) {
        if (auto next = clock_.next_deadline(); next && *next <= clock_.now()) {
          clock_.fire_next(clock_.now());
          continue;
        }
        return true;
      }
      if (wall_exceeded()) return false;
      // Bytes are on their way through the kernel: wait for them (not a sleep: returns on arrival).
      io_.run_one_for(std::chrono::milliseconds(50));
    }
  }

  void drain() {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2000);
    for (;;) {
      if (io_.stopped()) io_.restart();
      while (io_.poll() > 0) {
        if (io_.stopped()) io_.restart();
      }
      if (ledger_.settled() || std::chrono::steady_clock::now() > until) return;
      io_.run_one_for(std::chrono::milliseconds(20));
    }
  }

  void settle_or_stop(const SourceLoc& loc) {
    if (!settle())
      throw Stop{Outcome::timeout, diag(loc, "the run did not settle within the wall-clock limit of " +
                                                 std::to_string(options_.wall_timeout.count()) + " ms: " + ledger_.describe()), current_step_, std::nullopt};
    // A story that makes the server break its own protocol is a broken story, whatever the SDK did.
    if (const auto& broken = server_->protocol_violations(); !broken.empty())
      throw Stop{Outcome::fail, diag(loc, "the mock server was asked to break its protocol: " + broken.front()), current_step_,
                 std::nullopt};
  }

  /// Settles, and fires timers one at a time (settling after each) until `done` holds or virtual
  /// time reaches `target`. Returns whether `done` held.
  bool run_until(clock::TimePoint target, const SourceLoc& loc, const std::function<bool()>& done) {
    for (;;) {
      settle_or_stop(loc);
      if (done && done()) return true;
      if (!clock_.fire_next(target)) {
        settle_or_stop(loc);
        return done ? done() : true;
      }
    }
  }

  // ---- diagnostics ----

  Diagnostic diag(const SourceLoc& loc, std::string message, std::vector<Diagnostic> notes = {}) const {
    return Diagnostic{Diagnostic::Severity::error, loc, std::move(message), std::move(notes)};
  }
  static Diagnostic note(std::string message) { return Diagnostic{Diagnostic::Severity::note, {}, std::move(message), {}}; }

  Diagnostic log_note(const std::string& participant) const {
    Diagnostic n = note("events of " + participant + " (virtual time, most recent last):");
    std::vector<const Observation*> mine;
    for (const auto& o : log_)
      if (o.participant == participant) mine.push_back(&o);
    std::size_t first = mine.size() > 12 ? mine.size() - 12 : 0;
    if (first > 0) n.message += "\n  ... " + std::to_string(first) + " earlier";
    for (std::size_t i = first; i < mine.size(); ++i)
      n.message += "\n  " + std::string(mine[i]->consumed ? "  " : mine[i]->setup ? "s " : ignorable(*mine[i]) ? "i " : "* ") +
                   format_observation(*mine[i]);
    if (mine.empty()) n.message += "\n  (none)";
    n.message += "\n  (* = not matched by any expectation, i = ignored, s = during set-up)";
    return n;
  }

  [[noreturn]] void fail(const SourceLoc& loc, std::string message, std::vector<Diagnostic> notes = {},
                         std::optional<Observation> unexpected = std::nullopt) {
    throw Stop{Outcome::fail, diag(loc, std::move(message), std::move(notes)), current_step_, std::move(unexpected)};
  }

  std::size_t rank(const std::string& participant) const {
    for (std::size_t i = 0; i < s_.participants.size(); ++i)
      if (s_.participants[i].config.id == participant) return i;
    return s_.participants.size();
  }

  // ---- set-up ----

  void set_up() {
    std::string link = protocol::join_url_for_thread(s_.meeting.thread_id);
    for (const auto& p : s_.participants) {
      if (!p.client) continue;
      // Shared with the callback: it may come after this step has given up (teardown, observe-only runs).
      auto result = std::make_shared<std::optional<ActionOutcome>>();
      auto& outcome = *result;
      ParticipantSpec spec{p.config.id, p.config.display_name,
                           p.config.token.empty() ? "token-" + p.config.id : p.config.token, p.join_meeting, p.connect,
                           link, s_.client_options};
      driver_->add_participant(spec, [result](ActionOutcome o) { *result = std::move(o); });
      run_until(clock_.now(), p.loc, [&] { return outcome.has_value(); });
      if (!outcome) fail(p.loc, "set-up: " + p.config.id + " did not connect and join without virtual time passing", {log_note(p.config.id)});
      if (!outcome->ok)
        fail(p.loc, "set-up: " + p.config.id + " could not connect and join: " + text::dump_json(outcome->error), {log_note(p.config.id)});
    }
  }

  // ---- steps ----

  void execute(const Step& step, const ServerStep& server) {
    trace_.server_action(server.action);
    auto applied = server_->apply(server.parsed);
    if (!applied && !options_.observe_only) fail(step.loc, "the mock server refused the action: " + applied.error());
    settle_or_stop(step.loc);
  }

  void execute(const Step& step, const ClientStep& c) {
    // Shared with the callback: it may come after this step has given up (teardown, observe-only runs).
    auto result = std::make_shared<std::optional<ActionOutcome>>();
    auto& outcome = *result;
    trace_.add({{"kind", "call"}, {"participant", c.participant}, {"action", c.action}, {"args", c.args}});
    driver_->perform(c.participant, c.action, c.args, [result](ActionOutcome o) { *result = std::move(o); });
    run_until(clock_.now() + c.within, step.loc, [&] { return outcome.has_value(); });
    if (!outcome)
      fail(step.loc,
           "'" + c.action + "' did not complete " +
               (c.within.count() ? "within " + clock::format_duration(c.within) : std::string("without virtual time passing")) +
               " (a 'within:' on the step lets it take virtual time)",
           {log_note(c.participant)});
    Json record = {{"action", c.action}, {"ok", outcome->ok}};
    if (!outcome->ok) record["error"] = outcome->error;
    if (trace_.enabled()) {
      Json r = record;
      r["kind"] = "result";
      r["participant"] = c.participant;
      trace_.add(std::move(r));
    }
    log_.push_back(Observation{clock_.now(), c.participant, "actionCompleted", record, false, true});
    step_of_.push_back(current_step_);
    if (options_.observe_only) return;
    if (c.expect_error) {
      if (outcome->ok)
        fail(step.loc, "'" + c.action + "' succeeded, but an error was expected",
             {note("expected: " + text::dump_json(*c.expect_error)), log_note(c.participant)});
      if (auto m = match(*c.expect_error, outcome->error, captures_, "error"))
        fail(step.loc, "'" + c.action + "' failed differently than expected",
             {note("at " + m->path + ": expected " + m->expected + ", observed " + m->observed),
              note("observed error: " + text::dump_json(outcome->error))});
    } else if (!outcome->ok) {
      fail(step.loc, "'" + c.action + "' failed: " + text::dump_json(outcome->error), {log_note(c.participant)});
    }
  }

  void execute(const Step& step, const AdvanceStep& a) { run_until(clock_.now() + a.by, step.loc, nullptr); }

  bool ignorable(const Observation& o) const {
    if (o.setup || o.consumed) return true;
    return std::any_of(s_.ignore.begin(), s_.ignore.end(), [&](const IgnoreRule& r) {
      return r.type == o.type && (!r.participant || *r.participant == o.participant);
    });
  }

  bool matches(const EventExpectation& x, const Observation& o) const {
    // Set-up is how participants got to the start; expectations are about what the steps cause.
    if (o.setup || o.participant != x.participant || o.type != x.type || o.consumed) return false;
    return !x.data || !match(*x.data, o.data, captures_);
  }

  std::optional<std::size_t> find(const EventExpectation& x, const std::vector<std::size_t>& claimed) const {
    for (std::size_t i = cursor(x.participant); i < log_.size(); ++i)
      if (matches(x, log_[i]) && std::find(claimed.begin(), claimed.end(), i) == claimed.end()) return i;
    return std::nullopt;
  }

  std::size_t cursor(const std::string& participant) const {
    auto it = cursors_.find(participant);
    return it == cursors_.end() ? 0 : it->second;
  }

  void execute(const Step& step, const ExpectStep& e) {
    clock::TimePoint start = clock_.now();
    std::vector<std::size_t> claimed;
    auto all_found = [&] {
      claimed.clear();
      for (const auto& x : e.events) {
        auto i = find(x, claimed);
        if (!i) return false;
        claimed.push_back(*i);
      }
      return true;
    };
    if (!run_until(start + e.within, step.loc, all_found)) {
      claimed.clear();
      for (const auto& x : e.events) {
        auto i = find(x, claimed);
        if (i) {
          claimed.push_back(*i);
          continue;
        }
        std::vector<Diagnostic> notes;
        notes.push_back(note("expected: " + x.type + (x.data ? " " + text::dump_json(*x.data) : "")));
        for (std::size_t j = cursor(x.participant); j < log_.size(); ++j) {
          const auto& o = log_[j];
          if (o.setup || o.participant != x.participant || o.type != x.type || o.consumed) continue;
          auto m = x.data ? match(*x.data, o.data, captures_) : std::nullopt;
          if (m) notes.push_back(note("observed at " + format_observation(o) + "\n  differs at " + m->path + ": expected " +
                                      m->expected + ", observed " + m->observed));
        }
        notes.push_back(log_note(x.participant));
        std::string when = e.within.count() ? "within " + clock::format_duration(e.within) : "by now (no 'within' given)";
        fail(x.loc, "expected " + x.type + " for " + x.participant + " " + when + ", but it was not observed", std::move(notes));
      }
    }
    // Everything of these participants between their cursor and their matches must be expected.
    for (std::size_t k = 0; k < e.events.size(); ++k) {
      const auto& x = e.events[k];
      for (std::size_t j = cursor(x.participant); j < claimed[k]; ++j) {
        const auto& o = log_[j];
        if (o.participant != x.participant || ignorable(o)) continue;
        if (std::find(claimed.begin(), claimed.end(), j) != claimed.end()) continue;
        fail(x.loc, "unexpected " + o.type + " for " + o.participant + " before the expected " + x.type,
             {note("unexpected: " + format_observation(o)), note("expected: " + x.type + (x.data ? " " + text::dump_json(*x.data) : "")),
              log_note(o.participant)},
             o);
      }
    }
    for (std::size_t k = 0; k < e.events.size(); ++k) {
      auto& o = log_[claimed[k]];
      o.consumed = true;
      const auto& x = e.events[k];
      for (const auto& [name, path] : x.capture) {
        auto v = value_at(o.data, path);
        if (!v) fail(x.loc, "cannot capture '" + name + "': the event's data has no '" + path + "'", {note("observed: " + format_observation(o))});
        captures_[name] = *v;
      }
    }
    for (std::size_t k = 0; k < e.events.size(); ++k) {
      auto& c = cursors_[e.events[k].participant];
      c = std::max(c, claimed[k] + 1);
    }
  }

  void execute(const Step& step, const ExpectNoStep& e) {
    clock::TimePoint start = clock_.now();
    // Anything of the participant's not yet expected counts, also what happened just before this step.
    std::size_t from = cursor(e.event.participant);
    std::optional<std::size_t> found;
    run_until(start + e.duration, step.loc, [&] {
      for (std::size_t i = from; i < log_.size(); ++i)
        if (matches(e.event, log_[i])) {
          found = i;
          break;
        }
      return found.has_value();
    });
    if (found)
      fail(step.loc, "expected no " + e.event.type + " for " + e.event.participant + " for " + clock::format_duration(e.duration) +
                         ", but one came at " + format_observation(log_[*found]).substr(0, 12),
           {note("observed: " + format_observation(log_[*found])), log_note(e.event.participant)});
  }

  void execute(const Step& step, const ExpectStateStep& e) {
    settle_or_stop(step.loc);
    Json observed = driver_->state(e.participant);
    if (auto m = match(e.state, observed, captures_, "state"))
      fail(step.loc, "the state of " + e.participant + " differs at " + m->path,
           {note("expected: " + m->expected + "\n  observed: " + m->observed), note("whole state: " + text::dump_json(observed))});
  }

  void check_nothing_unexpected() {
    for (std::size_t i = 0; i < log_.size(); ++i) {
      const auto& o = log_[i];
      if (ignorable(o)) continue;
      int step = step_of_[i];
      SourceLoc loc = step >= 0 ? s_.steps[static_cast<std::size_t>(step)].loc : s_.loc;
      fail(loc, "unexpected " + o.type + " for " + o.participant + " (no expectation matched it; it followed this step)",
           {note("unexpected: " + format_observation(o)),
            note("expect it, or list it under 'ignore:' if the scenario does not care"), log_note(o.participant)},
           o);
    }
  }

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
  std::map<std::string, Json> captures_;
  bool in_setup_ = true;
  bool in_teardown_ = false;
  std::chrono::microseconds setup_time_{0};
  std::chrono::microseconds steps_time_{0};
  int current_step_ = -1;
};

}  // namespace

namespace {

/// Why the run stopped, with the failing step as written: enough to make a scenario that fails the same way.
Json failure_record(const Stop& stop, const Scenario& scenario, clock::TimePoint now) {
  Json r = {{"t", now.count()}, {"kind", "failure"}, {"outcome", to_string(stop.outcome)}, {"step", stop.step},
            {"line", stop.diagnostic.loc.line}, {"message", stop.diagnostic.message}};
  if (stop.step >= 0) r["source"] = scenario.steps[static_cast<std::size_t>(stop.step)].source;
  if (stop.unexpected)
    r["unexpected"] = {{"t", stop.unexpected->at.count()}, {"participant", stop.unexpected->participant},
                       {"type", stop.unexpected->type}, {"data", stop.unexpected->data}};
  return r;
}

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, const DriverFactory& drivers, const RunOptions& options) {
  ScenarioResult result;
  result.file = scenario.file;
  result.name = scenario.name;
  result.rules = scenario.rules;
  result.tags = scenario.tags;
  if (options.trace) {
    result.trace_header = trace::header("harness", scenario.name, setup_json(scenario));
    result.trace_header["file"] = scenario.file;
  }
  auto started = std::chrono::steady_clock::now();
  if (scenario.skip) {
    result.outcome = Outcome::skip;
    result.reason = *scenario.skip;
    return result;
  }
  std::optional<Stop> stop;
  try {
    Run run(scenario, drivers, options);
    try {
      run.play();
    } catch (Stop& s) {
      stop = std::move(s);
    }
    result.log = run.log();
    result.virtual_time = run.now();
    result.frames = run.frames();
    result.setup_time = run.setup_time();
    result.steps_time = run.steps_time();
    if (options.trace) {
      result.trace = run.trace();
      if (stop) result.trace.push_back(failure_record(*stop, scenario, run.now()));
      result.trace.push_back({{"t", run.now().count()}, {"kind", "end"}, {"outcome", stop ? to_string(stop->outcome) : "PASS"}});
    }
  } catch (Stop& s) {
    stop = std::move(s);
  } catch (const std::exception& e) {
    stop = Stop{Outcome::unresolved, Diagnostic{Diagnostic::Severity::error, scenario.loc, std::string("the run broke: ") + e.what(), {}}, -1, std::nullopt};
  }
  result.wall_time = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (stop) {
    result.outcome = stop->outcome;
    result.message = render(stop->diagnostic, scenario.source);
  }
  if (scenario.xfail) {
    result.reason = *scenario.xfail;
    if (result.outcome == Outcome::fail) result.outcome = Outcome::xfail;
    else if (result.outcome == Outcome::pass) {
      result.outcome = Outcome::xpass;
      result.message = scenario.loc.to_string() + ": error: the scenario passed, but is marked xfail: " + *scenario.xfail + "\n";
    }
  }
  return result;
}

ScenarioResult unresolved_result(const std::string& path, const LoadResult& loaded) {
  ScenarioResult result;
  result.file = path;
  result.name = path;
  result.outcome = Outcome::unresolved;
  result.message = render_errors(loaded);
  return result;
}

ScenarioResult run_scenario_file(const std::string& path, const DriverFactory& drivers, const RunOptions& options) {
  LoadResult loaded = load_scenario_file(path);
  if (!loaded.ok()) return unresolved_result(path, loaded);
  return run_scenario(loaded.scenarios.front(), drivers, options);
}

}  // namespace breakout::harness
