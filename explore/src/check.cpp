// Playing one story for real and judging it: the SDK's observations against the model's
// prediction, event by event per participant, and against invariants that hold whatever the
// model says.
#include <breakout/explore/explore.hpp>

#include <breakout/protocol/text.hpp>

#include <algorithm>
#include <map>

namespace breakout::explore {
namespace {

using model::Event;
using model::Kind;

/// What of an observation the model predicts: no call ids (the service's), no error messages.
nlohmann::json projected(const harness::Observation& o) {
  nlohmann::json d = o.data;
  if (d.is_object()) {
    d.erase("callId");
    d.erase("message");
  }
  return d;
}

std::string show(const std::string& type, const nlohmann::json& data, const std::string& listener, Ms at) {
  return "[+" + std::to_string(at) + "ms] " + type + (listener.empty() ? "" : " @" + listener) + " " + text::dump_json(data);
}

struct Seen {
  Ms at;
  std::string type;
  nlohmann::json data;
  std::string listener;
  bool operator==(const Seen&) const = default;
};

using PerParticipant = std::map<std::string, std::vector<Seen>>;

PerParticipant observed_by_participant(const std::vector<harness::Observation>& log) {
  PerParticipant out;
  for (const auto& o : log)
    if (!o.setup) out[o.participant].push_back(Seen{o.at.count(), o.type, projected(o), o.listener});
  return out;
}

std::optional<Divergence> earliest(std::optional<Divergence> a, std::optional<Divergence> b) {
  if (!a) return b;
  if (!b) return a;
  return b->at < a->at ? b : a;
}

std::optional<Divergence> compare(const Story& story, const model::Prediction& prediction, const PerParticipant& seen) {
  std::optional<Divergence> first;
  for (const auto& p : story.participants) {
   // Streams per participant: `breakoutRooms` (all rooms) and `breakoutRoomsSettings` are each
   // ordered among their own kind only, as the rules order them against nothing else; everything
   // else in one order.
   for (const char* stream : {"", "breakoutRooms", "breakoutRoomsSettings"}) {
    auto in_stream = [&](const std::string& type) {
      return *stream ? type == stream : type != "breakoutRooms" && type != "breakoutRoomsSettings";
    };
    std::vector<const Event*> want;
    for (const auto& e : prediction.events)
      if (e.participant == p.id && in_stream(e.type)) want.push_back(&e);
    std::vector<Seen> got;
    if (auto it = seen.find(p.id); it != seen.end())
      for (const auto& g : it->second)
        if (in_stream(g.type)) got.push_back(g);
    std::size_t n = std::max(want.size(), got.size());
    for (std::size_t i = 0; i < n; ++i) {
      const Event* w = i < want.size() ? want[i] : nullptr;
      const Seen* g = i < got.size() ? &got[i] : nullptr;
      if (w && g && w->at == g->at && w->type == g->type && w->listener == g->listener && w->data == g->data) continue;
      Divergence d;
      d.kind = "model";
      d.participant = p.id;
      auto when = [](Ms at) { return "+" + std::to_string(at) + "ms"; };
      if (w && g && w->type == g->type && w->data == g->data && w->listener == g->listener)
        d.title = p.id + ": " + g->type + " at " + when(g->at) + ", where the rules call for it at " + when(w->at);
      else if (w && g)
        d.title = p.id + ": " + g->type + " at " + when(g->at) + ", where the rules call for " + w->type + (w->at == g->at ? "" : " at " + when(w->at));
      else if (w)
        d.title = p.id + ": no " + w->type + " at " + when(w->at) + ", which the rules call for";
      else
        d.title = p.id + ": " + g->type + " at " + when(g->at) + ", which the rules do not call for";
      if (w && g) {
        d.at = std::min(w->at, g->at);
        d.summary = p.id + ": expected " + show(w->type, w->data, w->listener, w->at) + ", observed " + show(g->type, g->data, g->listener, g->at);
        d.signature = "model:differs:" + w->type + "/" + g->type;
      } else if (w) {
        d.at = w->at;
        d.summary = p.id + ": expected " + show(w->type, w->data, w->listener, w->at) + ", but nothing more was observed";
        d.signature = "model:missing:" + w->type;
      } else {
        d.at = g->at;
        d.summary = p.id + ": observed " + show(g->type, g->data, g->listener, g->at) + ", which the rules do not call for";
        d.signature = "model:extra:" + g->type;
      }
      first = earliest(first, d);
      break;
    }
   }
  }
  return first;
}

/// Properties of any correct run, checked on what was observed alone.
std::optional<Divergence> invariants(const Story& story, const PerParticipant& seen) {
  std::optional<Divergence> first;
  for (const auto& p : story.participants) {
    auto violated = [&](Ms at, const std::string& name, const std::string& what) {
      first = earliest(first, Divergence{"invariant", p.id, at, p.id + ": " + name + ": " + what, "invariant:" + name, p.id + ": " + name});
    };
    // Calls made at once, in order; calls armed for a callback answer when (and if) it runs, so a
    // participant who has any is not followed call by call.
    std::vector<const model::Step*> calls;
    std::size_t armed = 0;
    for (const auto& s : story.steps)
      if (model::is_app_call(s.kind) && s.participant == p.id) {
        if (s.inside) ++armed;
        else calls.push_back(&s);
      }
    bool follow_calls = armed == 0;
    static const std::vector<Seen> none;
    auto it = seen.find(p.id);
    const auto& got = it == seen.end() ? none : it->second;
    std::map<std::string, std::string> state = {{"main", "Connected"}, {"room", "None"}};
    std::vector<std::string> listeners = {""};
    std::map<std::string, nlohmann::json> last_event;  // type@listener -> data
    bool app_hold = false;
    const Seen* previous = nullptr;  // the last breakout rooms event, to tell deliveries apart
    std::size_t results = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const Seen& e = got[i];
      if (e.type == "callStateChanged") {
        std::string call = e.data.value("call", "");
        std::string& now = state[call];
        std::string old = e.data.value("oldState", "");
        if (old != now) violated(e.at, "call states follow each other", call + " call went " + old + " -> " + e.data.value("state", "") + " but was " + now);
        now = e.data.value("state", "");
        if (call == "room" && now == "Disconnected") now = "None";
      } else if (e.type == "callResult") {
        if (results >= calls.size() + armed) {
          violated(e.at, "every request answered once", "a result with no call to answer");
          continue;
        }
        bool ok = e.data.value("ok", false);
        std::string action = e.data.value("action", "");
        if (ok && (action == "hold" || action == "hangUp")) app_hold = true;
        if (ok && action == "resume") app_hold = false;
        if (!follow_calls) {
          ++results;
          continue;
        }
        const model::Step& c = *calls[results++];
        if (ok && c.kind == Kind::subscribe) listeners.push_back(c.listener);
        if (ok && c.kind == Kind::unsubscribe) {
          auto l = std::find(listeners.rbegin(), listeners.rend(), c.listener);
          if (l != listeners.rend()) listeners.erase(std::next(l).base());
          // With nobody listening, changes go unseen: the next event is compared with nothing.
          if (listeners.empty()) last_event.clear();
        }
      } else if (e.type == "automaticActionFailed") {
        previous = nullptr;
        // A resume the service refused leaves the main meeting on hold, and says so (46257).
        if (e.data.value("subCode", 0) == 46257) app_hold = true;
      } else if (e.type != "assignedBreakoutRooms" && e.type != "breakoutRoomsSettings" && e.type != "join" && e.type != "breakoutRooms") {
        previous = nullptr;
      } else {
        if (follow_calls && std::find(listeners.begin(), listeners.end(), e.listener) == listeners.end())
          violated(e.at, "no event after off()", "listener '" + (e.listener.empty() ? std::string("default") : e.listener) + "' is not subscribed");
        // Judged once per delivery: the listeners' copies of one event come one after the other.
        // (results of calls made inside the callbacks come between them).
        bool same_delivery = previous && previous->type == e.type && previous->at == e.at && previous->data == e.data;
        previous = &e;
        if (e.type != "join" && !same_delivery && follow_calls) {
          auto key = e.type;
          auto last = last_event.find(key);
          if (last != last_event.end() && last->second == e.data) violated(e.at, "no event without a change", e.type + " raised twice with the same data");
          last_event[key] = e.data;
        }
      }
      // At the end of each instant: the main meeting is on hold exactly while in a room (or by the app).
      bool instant_ends = i + 1 == got.size() || got[i + 1].at != e.at;
      if (instant_ends) {
        bool in_room = state["room"] == "Connected";
        if (in_room && state["main"] != "LocalHold") violated(e.at, "main meeting on hold while in a room", "main is " + state["main"]);
        if (!in_room && state["room"] == "None" && state["main"] == "LocalHold" && !app_hold)
          violated(e.at, "nobody left on hold", "the main meeting is on hold with no room call, no hold() by the app and no refused resume");
      }
    }
    if (results < calls.size()) violated(got.empty() ? 0 : got.back().at, "every request answered once", std::to_string(calls.size() - results) + " call(s) never completed");
  }
  return first;
}

}  // namespace

Checked check_story(const Story& story, const harness::DriverFactory& drivers, const CheckOptions& options) {
  Checked out;
  out.prediction = model::predict(story);
  std::string text = to_yaml(story, YamlOptions{});
  auto loaded = scenario::load_scenario_text(text, "explored.yaml");
  if (!loaded.ok() || loaded.scenarios.empty()) {
    out.divergence = Divergence{"run", "", 0, "the explorer wrote a story the loader refuses: " + scenario::render_errors(loaded), "run:load", "a story the loader refuses"};
    return out;
  }
  harness::RunOptions run;
  run.wall_timeout = options.wall_timeout;
  run.observe_only = true;
  auto result = harness::run_scenario(loaded.scenarios.front(), drivers, run);
  out.frames = result.frames;
  if (result.outcome == harness::Outcome::timeout || result.outcome == harness::Outcome::unresolved) {
    out.divergence = Divergence{"run", "", result.virtual_time.count(), std::string(harness::to_string(result.outcome)) + ": " + result.message,
                                "run:" + std::string(harness::to_string(result.outcome)), "the run did not finish"};
    return out;
  }
  auto seen = observed_by_participant(result.log);
  out.divergence = earliest(compare(story, out.prediction, seen), invariants(story, seen));
  if (!out.divergence && options.check_determinism) {
    auto again = harness::run_scenario(loaded.scenarios.front(), drivers, run);
    if (observed_by_participant(again.log) != seen)
      out.divergence = Divergence{"nondeterminism", "", 0, "two runs of the same story observed different events", "nondeterminism",
                                  "two runs of one story differ"};
  }
  return out;
}

}  // namespace breakout::explore
