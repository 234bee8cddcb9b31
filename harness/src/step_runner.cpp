// Running each kind of step: server actions, client calls, advances, and the expectations on
// events and state, with the diagnostics a failing one gives.
#include "run.hpp"

#include <breakout/scenario/groups.hpp>
#include <breakout/scenario/matching.hpp>

#include <breakout/protocol/text.hpp>

#include <algorithm>

namespace breakout::harness {

namespace {
/// A value for a diagnostic, cut short when a meeting of a thousand would make it a page.
std::string shown(const std::string& text, std::size_t most = 1500) {
  if (text.size() <= most) return text;
  auto head = text::utf8_prefix(text, most);
  return std::string(head) + " ... (" + std::to_string(text.size() - head.size()) + " more bytes)";
}
}  // namespace

void Run::execute(const Step& step, const ServerStep& server) {
  if (!server.group) {
    trace_.server_action(server.action);
    return apply(step, server.parsed);
  }
  for_each_member(*server.group, step.loc, false, [&](const std::string& member) {
    auto action = scenario::action_for(server, member);
    if (!action) fail(step.loc, action.error());
    trace_.server_action(action->json);
    apply(step, action->parsed);
  });
}

void Run::apply(const Step& step, const mock::Action& action) {
  auto applied = server_->apply(action);
  if (!applied && !options_.observe_only) fail(step.loc, "the mock server refused the action: " + applied.error());
  settle_or_stop(step.loc);
}

void Run::execute(const Step& step, const ClientStep& c) {
  if (!c.group) {
    ClientStep resolved = c;
    resolved.args = scenario::resolve_captures(c.args, captures_for(c.participant, false));
    return call(step, resolved);
  }
  for_each_member(*c.group, step.loc, true, [&](const std::string& member) {
    ClientStep one = c;
    one.group.reset();
    one.participant = member;
    one.args = scenario::resolve_captures(c.args, captures_for(member, true));
    call(step, one);
  });
}

void Run::call(const Step& step, const ClientStep& c) {
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
  this->record(Observation{clock_.now(), c.participant, "actionCompleted", record, false, true, ""});
  if (options_.observe_only) return;
  if (c.expect_error) {
    if (outcome->ok)
      fail(step.loc, "'" + c.action + "' succeeded, but an error was expected",
           {note("expected: " + text::dump_json(*c.expect_error)), log_note(c.participant)});
    if (auto m = match(*c.expect_error, outcome->error, captures_for(c.participant, false), "error"))
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

bool Run::matches(const EventExpectation& x, const Observation& o, const Captures& captures) const {
  // Set-up is how participants got to the start; expectations are about what the steps cause.
  if (o.setup || o.participant != x.participant || o.type != x.type || o.consumed || o.listener != x.listener) return false;
  return !x.data || !match(*x.data, o.data, captures);
}

std::optional<std::size_t> Run::find(const EventExpectation& x, const Captures& captures, const std::unordered_set<std::size_t>& claimed) const {
  const auto& mine = entries(x.participant);
  for (auto it = entries_from(x.participant, cursor(x.participant)); it != mine.end(); ++it)
    if (matches(x, log_[*it], captures) && !claimed.count(*it)) return *it;
  return std::nullopt;
}

std::size_t Run::cursor(const std::string& participant) const {
  auto it = cursors_.find(participant);
  return it == cursors_.end() ? 0 : it->second;
}

void Run::execute(const Step& step, const ExpectStep& e) {
  clock::TimePoint start = clock_.now();
  // A group's expectation is one per member, all of them in the step's unordered group; each
  // member's "${...}" are their own.
  std::vector<EventExpectation> expected;
  std::vector<Captures> captures;
  std::vector<std::string> from_group;
  for (const auto& x : e.events) {
    expand(x, x.loc, expected, captures);
    from_group.resize(expected.size(), x.group ? x.group->text : "");
  }
  auto who = [&](std::size_t k) {
    return expected[k].participant + (from_group[k].empty() ? "" : " (of " + from_group[k] + ")");
  };
  std::vector<std::size_t> claimed;
  std::unordered_set<std::size_t> taken;
  auto all_found = [&] {
    claimed.clear();
    taken.clear();
    for (std::size_t k = 0; k < expected.size(); ++k) {
      auto i = find(expected[k], captures[k], taken);
      if (!i) return false;
      claimed.push_back(*i);
      taken.insert(*i);
    }
    return true;
  };
  if (!run_until(start + e.within, step.loc, all_found)) {
    claimed.clear();
    taken.clear();
    for (std::size_t k = 0; k < expected.size(); ++k) {
      const auto& x = expected[k];
      auto i = find(x, captures[k], taken);
      if (i) {
        claimed.push_back(*i);
        taken.insert(*i);
        continue;
      }
      std::vector<Diagnostic> notes;
      notes.push_back(note("expected: " + x.type + (x.data ? " " + text::dump_json(*x.data) : "")));
      const auto& mine = entries(x.participant);
      for (auto it = entries_from(x.participant, cursor(x.participant)); it != mine.end(); ++it) {
        const auto& o = log_[*it];
        if (o.setup || o.type != x.type || o.consumed) continue;
        auto m = x.data ? match(*x.data, o.data, captures[k]) : std::nullopt;
        if (m) notes.push_back(note("observed at " + format_observation(o) + "\n  differs at " + m->path + ": expected " +
                                    m->expected + ", observed " + m->observed));
      }
      notes.push_back(log_note(x.participant));
      std::string when = e.within.count() ? "within " + clock::format_duration(e.within) : "by now (no 'within' given)";
      fail(x.loc, "expected " + x.type + " for " + who(k) + " " + when + ", but it was not observed", std::move(notes));
    }
  }
  // Everything of these participants between their cursor and their matches must be expected.
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto& x = expected[k];
    const auto& mine = entries(x.participant);
    for (auto it = entries_from(x.participant, cursor(x.participant)); it != mine.end() && *it < claimed[k]; ++it) {
      const auto& o = log_[*it];
      if (ignorable(o) || taken.count(*it)) continue;
      fail(x.loc, "unexpected " + o.type + " for " + who(k) + " before the expected " + x.type,
           {note("unexpected: " + format_observation(o)), note("expected: " + x.type + (x.data ? " " + text::dump_json(*x.data) : "")),
            log_note(o.participant)},
           o);
    }
  }
  for (std::size_t k = 0; k < expected.size(); ++k) {
    auto& o = log_[claimed[k]];
    o.consumed = true;
    const auto& x = expected[k];
    for (const auto& [name, path] : x.capture) {
      auto v = value_at(o.data, path);
      if (!v) fail(x.loc, "cannot capture '" + name + "' for " + who(k) + ": the event's data has no '" + path + "'",
                   {note("observed: " + format_observation(o))});
      if (from_group[k].empty()) captures_[name] = *v;
      else member_captures_[x.participant][name] = *v;
    }
  }
  for (std::size_t k = 0; k < expected.size(); ++k) {
    auto& c = cursors_[expected[k].participant];
    c = std::max(c, claimed[k] + 1);
  }
}

void Run::execute(const Step& step, const ExpectNoStep& e) {
  clock::TimePoint start = clock_.now();
  // Anything of the participants' not yet expected counts, also what happened just before this step.
  std::vector<EventExpectation> watched;
  std::vector<Captures> captures;
  expand(e.event, step.loc, watched, captures);
  std::vector<std::size_t> from;
  for (const auto& x : watched) from.push_back(cursor(x.participant));
  std::optional<std::size_t> found;
  std::size_t culprit = 0;
  run_until(start + e.duration, step.loc, [&] {
    for (std::size_t k = 0; k < watched.size() && !found; ++k) {
      const auto& mine = entries(watched[k].participant);
      for (auto it = entries_from(watched[k].participant, from[k]); it != mine.end(); ++it)
        if (matches(watched[k], log_[*it], captures[k])) {
          found = *it;
          culprit = k;
          break;
        }
    }
    return found.has_value();
  });
  if (found) {
    const auto& x = watched[culprit];
    std::string who = x.participant + (e.event.group ? " (of " + e.event.group->text + ")" : "");
    fail(step.loc, "expected no " + x.type + " for " + who + " for " + clock::format_duration(e.duration) +
                       ", but one came at " + format_observation(log_[*found]).substr(0, 12),
         {note("observed: " + format_observation(log_[*found])), log_note(x.participant)});
  }
}

void Run::execute(const Step& step, const ExpectStateStep& e) {
  settle_or_stop(step.loc);
  if (!e.group) return check_state(step, e.participant, e.state, captures_for(e.participant, false));
  for_each_member(*e.group, step.loc, true, [&](const std::string& member) { check_state(step, member, e.state, captures_for(member, true)); });
}

void Run::check_state(const Step& step, const std::string& participant, const Json& expected, const Captures& captures) {
  std::vector<std::string> fields;
  if (expected.is_object())
    for (const auto& [key, value] : expected.items()) fields.push_back(key);
  if (fields.empty()) fields.push_back("connectionState");  // {} asks for nothing: build next to nothing
  Json observed = driver_->state(participant, fields);
  if (auto m = match(expected, observed, captures, "state"))
    fail(step.loc, "the state of " + participant + " differs at " + m->path,
         {note("expected: " + shown(m->expected) + "\n  observed: " + shown(m->observed)),
          note("whole state: " + shown(text::dump_json(driver_->state(participant))))});
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
