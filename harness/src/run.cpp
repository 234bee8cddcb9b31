// A run's life: the mock server and clients set up, the io_context and virtual clock driven until
// the system settles, the trace and the observation log kept, and an orderly teardown.
#include "run.hpp"

#include <breakout/protocol/text.hpp>

#include <algorithm>

namespace breakout::harness {

Run::Run(const Scenario& scenario, const DriverFactory& drivers, const RunOptions& options)
    : s_(scenario), options_(options), started_(std::chrono::steady_clock::now()), trace_(clock_, options.trace, [this](const std::string& p) { return rank(p); }) {
  for (std::size_t i = 0; i < s_.participants.size(); ++i) rank_.emplace(s_.participants[i].config.id, i);
  mock::ServerOptions server_options;
  server_options.traffic = &ledger_;
  // Room for every participant's connection (and a reconnect each), however large the meeting.
  server_options.max_connections = std::max<std::size_t>(server_options.max_connections, 2 * s_.participants.size());
  // Every client here is the run's own, and they all connect at once in set-up.
  server_options.max_pending = server_options.max_pending_per_source = server_options.max_connections;
  // The real-time deadlines guard a server on the network against clients that stall it. Here the
  // clients share the server's one thread, and a meeting of a thousand (under a sanitizer, many
  // times slower) keeps some of them waiting their turn for seconds: the run's own wall-clock limit
  // is the guard.
  server_options.upgrade_deadline = server_options.slow_reader_deadline = options_.wall_timeout;
  server_options.recorder = &trace_;
  server_ = std::make_unique<mock::Server>(io_, clock_, s_.meeting, server_options);
  auto port = server_->listen("127.0.0.1", 0);
  if (!port) throw Stop{Outcome::unresolved, diag(s_.loc, "cannot start the mock server: " + port.error()), -1, std::nullopt};
  driver_ = drivers(io_, clock_, server_->url(), ledger_, *this);
}

Run::~Run() {
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

void Run::observe(const std::string& participant, const std::string& type, Json data, const std::string& listener) {
  if (in_teardown_) return;
  if (trace_.enabled()) {
    Json record = {{"kind", record_kind(type)}, {"participant", participant}, {"type", type}, {"data", data}};
    if (!listener.empty()) record["listener"] = listener;
    if (in_setup_) record["setup"] = true;
    trace_.add(std::move(record));
  }
  record(Observation{clock_.now(), participant, type, std::move(data), in_setup_, false, listener});
}

void Run::record(Observation o) {
  by_participant_[o.participant].push_back(log_.size());
  log_.push_back(std::move(o));
  step_of_.push_back(current_step_);
}

void Run::play() {
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

std::vector<Observation> Run::log() const {
  std::vector<Observation> out = log_;
  // Ordered by virtual time, then by participant as the scenario lists them, then as recorded:
  // the same on every run even when two clients react in the same instant.
  std::stable_sort(out.begin(), out.end(), [&](const Observation& a, const Observation& b) {
    if (a.at != b.at) return a.at < b.at;
    return rank(a.participant) < rank(b.participant);
  });
  return out;
}

/// Runs handlers until nothing is ready, nothing is in flight and no timer is due now.
bool Run::settle() {
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

void Run::drain() {
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

void Run::settle_or_stop(const SourceLoc& loc) {
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
bool Run::run_until(clock::TimePoint target, const SourceLoc& loc, const std::function<bool()>& done) {
  for (;;) {
    settle_or_stop(loc);
    if (done && done()) return true;
    if (!clock_.fire_next(target)) {
      settle_or_stop(loc);
      return done ? done() : true;
    }
  }
}

Diagnostic Run::log_note(const std::string& participant) const {
  Diagnostic n = note("events of " + participant + " (virtual time, most recent last):");
  std::vector<const Observation*> mine;
  for (std::size_t i : entries(participant)) mine.push_back(&log_[i]);
  std::size_t first = mine.size() > 12 ? mine.size() - 12 : 0;
  if (first > 0) n.message += "\n  ... " + std::to_string(first) + " earlier";
  for (std::size_t i = first; i < mine.size(); ++i)
    n.message += "\n  " + std::string(mine[i]->consumed ? "  " : mine[i]->setup ? "s " : ignorable(*mine[i]) ? "i " : "* ") +
                 format_observation(*mine[i]);
  if (mine.empty()) n.message += "\n  (none)";
  n.message += "\n  (* = not matched by any expectation, i = ignored, s = during set-up)";
  return n;
}

void Run::fail(const SourceLoc& loc, std::string message, std::vector<Diagnostic> notes,
                       std::optional<Observation> unexpected) {
  throw Stop{Outcome::fail, diag(loc, std::move(message), std::move(notes)), current_step_, std::move(unexpected)};
}

std::size_t Run::rank(const std::string& participant) const {
  auto it = rank_.find(participant);
  return it == rank_.end() ? s_.participants.size() : it->second;
}

void Run::set_up() {
  // Every client connects and joins at once, as a meeting fills; what each is told does not depend
  // on who came first (call ids are per participant, roster updates are coalesced and ordered as
  // the scenario lists participants), so the run stays the same on every run.
  std::string link = protocol::join_url_for_thread(s_.meeting.thread_id);
  std::vector<std::pair<const ParticipantSetup*, std::shared_ptr<std::optional<ActionOutcome>>>> joining;
  auto pending = std::make_shared<std::size_t>(0);
  for (const auto& p : s_.participants) {
    if (!p.client) continue;
    // Shared with the callback: it may come after set-up has given up (teardown, observe-only runs).
    auto result = std::make_shared<std::optional<ActionOutcome>>();
    ParticipantSpec spec{p.config.id, p.config.display_name,
                         p.config.token.empty() ? "token-" + p.config.id : p.config.token, p.join_meeting, p.connect,
                         link, s_.client_options};
    ++*pending;
    driver_->add_participant(spec, [result, pending](ActionOutcome o) {
      *result = std::move(o);
      --*pending;
    });
    joining.emplace_back(&p, std::move(result));
  }
  run_until(clock_.now(), s_.loc, [&] { return *pending == 0; });
  for (const auto& [p, outcome] : joining) {
    if (!*outcome) fail(p->loc, "set-up: " + p->config.id + " did not connect and join without virtual time passing", {log_note(p->config.id)});
    if (!(*outcome)->ok)
      fail(p->loc, "set-up: " + p->config.id + " could not connect and join: " + text::dump_json((*outcome)->error), {log_note(p->config.id)});
  }
}

}  // namespace breakout::harness
