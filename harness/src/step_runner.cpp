// Running each kind of step: server actions, client calls, advances, and the expectations on
// events and state, with the diagnostics a failing one gives.
#include "run.hpp"

#include <breakout/scenario/matching.hpp>

#include <breakout/protocol/text.hpp>

#include <algorithm>

namespace breakout::harness {

void Run::execute(const Step& step, const ServerStep& server) {
  trace_.server_action(server.action);
  auto applied = server_->apply(server.parsed);
  if (!applied && !options_.observe_only) fail(step.loc, "the mock server refused the action: " + applied.error());
  settle_or_stop(step.loc);
}

void Run::execute(const Step& step, const ClientStep& c) {
  if (c.inside || !c.wait) return start_without_waiting(step, c);
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
  log_.push_back(Observation{clock_.now(), c.participant, "actionCompleted", record, false, true, ""});
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

void Run::execute(const Step& step, const AdvanceStep& a) {
  run_until(clock_.now() + a.by, step.loc, nullptr);
}

bool Run::ignorable(const Observation& o) const {
  if (o.setup || o.consumed) return true;
  return std::any_of(s_.ignore.begin(), s_.ignore.end(), [&](const IgnoreRule& r) {
    return r.type == o.type && (!r.participant || *r.participant == o.participant);
  });
}

void Run::start_without_waiting(const Step& step, const ClientStep& c) {
  Json record = {{"kind", "call"}, {"participant", c.participant}, {"action", c.action}, {"args", c.args}};
  if (c.inside) record["inside"] = {{"listener", c.inside->listener}, {"event", c.inside->event}};
  if (!c.wait) record["wait"] = false;
  trace_.add(std::move(record));
  // What the call gives comes later, as an event like any other.
  auto on_result = [this, participant = c.participant, action = c.action](ActionOutcome o) {
    Json data = {{"action", action}, {"ok", o.ok}};
    if (!o.ok)
      for (const char* key : {"code", "subCode", "category", "message"})
        if (o.error.contains(key)) data[key] = o.error[key];
    observe(participant, "callResult", std::move(data), "");
  };
  if (c.inside) driver_->arm(c.participant, c.inside->listener, c.inside->event, c.action, c.args, std::move(on_result));
  else driver_->perform(c.participant, c.action, c.args, std::move(on_result));
  settle_or_stop(step.loc);
}

bool Run::matches(const EventExpectation& x, const Observation& o) const {
  // Set-up is how participants got to the start; expectations are about what the steps cause.
  if (o.setup || o.participant != x.participant || o.type != x.type || o.consumed || o.listener != x.listener) return false;
  return !x.data || !match(*x.data, o.data, captures_);
}

std::optional<std::size_t> Run::find(const EventExpectation& x, const std::vector<std::size_t>& claimed) const {
  for (std::size_t i = cursor(x.participant); i < log_.size(); ++i)
    if (matches(x, log_[i]) && std::find(claimed.begin(), claimed.end(), i) == claimed.end()) return i;
  return std::nullopt;
}

std::size_t Run::cursor(const std::string& participant) const {
  auto it = cursors_.find(participant);
  return it == cursors_.end() ? 0 : it->second;
}

void Run::execute(const Step& step, const ExpectStep& e) {
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

void Run::execute(const Step& step, const ExpectNoStep& e) {
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

void Run::execute(const Step& step, const ExpectStateStep& e) {
  settle_or_stop(step.loc);
  Json observed = driver_->state(e.participant);
  if (auto m = match(e.state, observed, captures_, "state"))
    fail(step.loc, "the state of " + e.participant + " differs at " + m->path,
         {note("expected: " + m->expected + "\n  observed: " + m->observed), note("whole state: " + text::dump_json(observed))});
}

void Run::check_nothing_unexpected() {
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

}  // namespace breakout::harness
