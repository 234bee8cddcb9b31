// Traces into scenarios, and replays compared with what was recorded (docs/traces.md).
#include <breakout/harness/trace_tools.hpp>
#include <breakout/scenario/writer.hpp>
#include <breakout/protocol/text.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace breakout::harness {


namespace {

/// A field read with a default when it is missing or of another type: traces come from outside.
bool flag_or(const Json& o, const char* key, bool otherwise) {
  if (!o.is_object()) return otherwise;
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() ? it->get<bool>() : otherwise;
}
std::string text_or(const Json& o, const char* key, const std::string& otherwise) {
  if (!o.is_object()) return otherwise;
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : otherwise;
}
Json list_or_empty(const Json& o, const char* key) {
  if (!o.is_object()) return Json::array();
  auto it = o.find(key);
  return it != o.end() && it->is_array() ? *it : Json::array();
}

/// A message's request id, or 0 when it has none that reads as one.
std::uint64_t request_id(const Json& message) {
  auto it = message.find("id");
  return it != message.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

/// How long the SDK under test waits for a reply by default (CallClientOptions::request_timeout).
constexpr std::int64_t kRequestTimeoutMs = 30000;

// ---- writing YAML that people read -------------------------------------------------------------

/// One step as a block: the step's own key first, then the rest in the order given.
std::string step_block(const std::vector<std::pair<std::string, Json>>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i)
    out += std::string(i ? "    " : "  - ") + fields[i].first + ": " + scenario::yaml_flow(fields[i].second) + "\n";
  return out;
}

/// A step as written in a scenario (from a trace's failure record), its kind first.
std::string source_block(const Json& source) {
  static const std::vector<std::string> kinds = {"server", "do", "advance", "expect", "unordered", "expectNo", "expectState"};
  std::vector<std::pair<std::string, Json>> fields;
  for (const auto& k : kinds)
    if (source.contains(k)) fields.emplace_back(k, source[k]);
  for (auto it = source.begin(); it != source.end(); ++it)
    if (std::find(kinds.begin(), kinds.end(), it.key()) == kinds.end()) fields.emplace_back(it.key(), it.value());
  return step_block(fields);
}

std::string setup_block(const Json& setup) {
  std::string out;
  // The scenario's own wall-clock limit goes with it: a replay of a meeting of a thousand needs it.
  if (setup.contains("timeout")) out += "timeout: " + scenario::yaml_flow(setup["timeout"]) + "\n";
  for (const char* section : {"meeting", "clientOptions"}) {
    if (!setup.contains(section) || !setup[section].is_object()) continue;
    out += std::string(section) + ":\n";
    for (auto it = setup[section].begin(); it != setup[section].end(); ++it) out += "  " + it.key() + ": " + scenario::yaml_flow(it.value()) + "\n";
  }
  for (const char* section : {"participants", "rooms"}) {
    if (!setup.contains(section) || !setup[section].is_array()) continue;
    out += std::string(section) + ":\n";
    for (const auto& item : setup[section]) {
      if (!item.is_object()) continue;
      bool first = true;
      // "id" and the name first, as scenarios are written.
      std::vector<std::pair<std::string, Json>> fields;
      for (const char* key : {"id", "name", "displayName"})
        if (item.contains(key)) fields.emplace_back(key, item[key]);
      for (auto it = item.begin(); it != item.end(); ++it)
        if (it.key() != "id" && it.key() != "name" && it.key() != "displayName") fields.emplace_back(it.key(), it.value());
      for (const auto& [k, v] : fields) {
        out += std::string(first ? "  - " : "    ") + k + ": " + scenario::yaml_flow(v) + "\n";
        first = false;
      }
    }
  }
  return out;
}

std::string comment(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    out += "  # " + text.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// ---- a client the harness did not drive: its requests, read as SDK calls -----------------------

/// What trace-to-scenario knows of one participant of a recorded session with another client.
struct ForeignClient {
  std::string main_call;
  std::string room_call;
  std::string room_url;  // of the room joined last
  /// The assigned room of the last breakout details sent: join URL, name, open, auto-move.
  std::optional<Json> assigned;
  std::map<std::uint64_t, std::string> methods;  // request id → method
  std::optional<std::int64_t> pending_hold;      // a hold of the main call that may be part of a join
  bool pending_hold_refused = false;
  std::int64_t pending_hold_took = 0;
  bool returning = false;                        // the next resume of the main call is the SDK's (after a return or a failed join)
  bool auto_hold = false;                        // the SDK held the main call to move by itself
};

}  // namespace

GeneratedScenario trace_to_scenario(const trace::ReadResult& t, const TraceToScenarioOptions& o) {
  GeneratedScenario g;
  const Json& h = t.header;
  const bool harness_trace = text_or(h, "source", "") == "harness";
  const Json* failure = nullptr;
  const Json* end = nullptr;
  for (const auto& r : t.records) {
    if (r["kind"] == "failure") failure = &r;
    if (r["kind"] == "end") end = &r;
  }
  Json setup = h["setup"];
  std::map<std::string, ForeignClient> foreign;
  if (!harness_trace && setup.contains("participants")) {
    // Participants whose client never connected exist on the server only.
    std::set<std::string> connected;
    for (const auto& r : t.records)
      if (r["kind"] == "connection" && text_or(r, "event", "") == "opened") connected.insert(text_or(r, "participant", ""));
    for (auto& p : setup["participants"])
      if (!connected.count(text_or(p, "id", "")) && flag_or(p, "client", true)) p["client"] = false;
  }
  std::set<std::string> late_joiners;
  for (const auto& p : list_or_empty(setup, "participants"))
    if (!flag_or(p, "connect", true) && flag_or(p, "client", true)) late_joiners.insert(text_or(p, "id", ""));
  std::size_t clients = 0;
  for (const auto& p : list_or_empty(setup, "participants"))
    if (flag_or(p, "client", true)) ++clients;

  std::string steps;
  std::int64_t now = 0;
  auto advance_to = [&](std::int64_t at) {
    if (at <= now) return;
    steps += step_block({{"advance", clock::format_duration(clock::Duration(at - now))}});
    now = at;
  };
  auto with_participant = [&](std::vector<std::pair<std::string, Json>> fields, const std::string& participant) {
    if (clients > 1) fields.insert(fields.begin() + 1, {"participant", participant});
    return fields;
  };
  auto do_step = [&](const std::string& participant, const std::string& action, const Json& args, const Json* error,
                     std::int64_t took = 0) {
    std::vector<std::pair<std::string, Json>> fields{{"do", action}};
    fields = with_participant(fields, participant);
    for (auto it = args.begin(); it != args.end(); ++it) fields.emplace_back(it.key(), it.value());
    if (took > 0) fields.emplace_back("within", clock::format_duration(clock::Duration(took)));
    if (error) {
      Json expected = Json::object();
      for (const char* key : {"code", "subCode", "category"})
        if (error->contains(key)) expected[key] = (*error)[key];
      fields.emplace_back("expectError", expected);
    }
    steps += step_block(fields);
  };
  // A hold of the main call is part of a join only when the join is what the client does next;
  // anything else happening first makes it a hold() of its own.
  auto flush_hold_of = [&](const std::string& participant, ForeignClient& c) {
    if (!c.pending_hold) return;
    advance_to(*c.pending_hold);
    Json none = Json::object();
    do_step(participant, "hold", Json::object(), c.pending_hold_refused ? &none : nullptr, c.pending_hold_took);
    now = std::max(now, *c.pending_hold + c.pending_hold_took);
    c.pending_hold.reset();
  };
  auto flush_holds = [&] {
    for (auto& [participant, c] : foreign) flush_hold_of(participant, c);
  };
  const Json* unexpected = failure && o.keep_failure && failure->contains("unexpected") ? &(*failure)["unexpected"] : nullptr;
  bool failure_placed = false;

  for (std::size_t i = 0; i < t.records.size() && !failure_placed; ++i) {
    const Json& r = t.records[i];
    const std::string kind = r["kind"];
    const std::int64_t at = r["t"];
    const std::string participant = text_or(r, "participant", "");
    if (kind == "step") {
      if (failure && o.keep_failure && failure->contains("source") && (*failure)["step"] == r["index"]) {
        advance_to(at);
        steps += comment("The step that failed when the trace was recorded (" + text_or(*failure, "outcome", "FAIL") +
                         "): " + text_or(*failure, "message", ""));
        steps += source_block((*failure)["source"]);
        failure_placed = true;
      }
      continue;
    }
    if (kind == "server") {
      flush_holds();
      advance_to(at);
      std::vector<std::pair<std::string, Json>> fields{{"server", text_or(r["action"], "action", "")}};
      for (auto it = r["action"].begin(); it != r["action"].end(); ++it)
        if (it.key() != "action") fields.emplace_back(it.key(), it.value());
      steps += step_block(fields);
    } else if (kind == "call" && ((r.contains("inside") && r["inside"].is_object()) || !flag_or(r, "wait", true))) {
      // A call the story did not wait for (armed for a callback, or wait: false): its result is an
      // event, recorded as such.
      advance_to(at);
      std::vector<std::pair<std::string, Json>> fields{{"do", r["action"]}};
      fields = with_participant(fields, participant);
      Json args = r.value("args", Json::object());
      for (auto it = args.begin(); it != args.end(); ++it) fields.emplace_back(it.key(), it.value());
      if (r.contains("inside")) fields.emplace_back("inside", r["inside"]);
      else fields.emplace_back("wait", false);
      steps += step_block(fields);
    } else if (kind == "call") {
      advance_to(at);
      const Json* error = nullptr;
      std::int64_t took = 0;
      for (std::size_t j = i + 1; j < t.records.size(); ++j) {
        const Json& res = t.records[j];
        if (res["kind"] == "result" && text_or(res, "participant", "") == participant && res["action"] == r["action"]) {
          if (!flag_or(res, "ok", true) && res.contains("error")) error = &res["error"];
          took = res["t"].get<std::int64_t>() - at;
          break;
        }
      }
      Json args = r.value("args", Json::object());
      do_step(participant, r["action"], args, error, took);
      now = std::max(now, at + took);
    } else if (kind == "event" || kind == "state" || kind == "error") {
      if (flag_or(r, "setup", false)) continue;
      if (unexpected && (*unexpected)["participant"] == r["participant"] && (*unexpected)["type"] == r["type"] &&
          (*unexpected)["data"] == r["data"] && (*unexpected)["t"] == r["t"]) {
        steps += comment("Here the SDK raised " + text_or(r, "type", "") + " " + text::dump_json(r["data"]) +
                         ", which the recorded scenario did not allow; it is left unexpected.");
        unexpected = nullptr;
        if ((*failure)["step"] == -1) failure_placed = true;  // the end-of-run check: nothing after it matters
        continue;
      }
      std::vector<std::pair<std::string, Json>> fields{{"expect", r["type"]}};
      fields = with_participant(fields, participant);
      if (r.contains("listener") && r["listener"].is_string()) fields.emplace_back("listener", r["listener"]);
      if (!r["data"].is_null() || r["type"] == "assignedBreakoutRooms") fields.emplace_back("data", r["data"]);
      if (at > now) fields.emplace_back("within", clock::format_duration(clock::Duration(at - now)));
      now = std::max(now, at);
      steps += step_block(fields);
    } else if (kind == "connection" && !harness_trace && text_or(r, "event", "") == "opened" && late_joiners.count(participant)) {
      // A participant the set-up leaves unconnected: its first connection is the app's connect().
      late_joiners.erase(participant);
      advance_to(at);
      do_step(participant, "connect", Json::object(), nullptr);
    } else if (kind == "wire" && !harness_trace && r.contains("frame")) {
      // A session recorded with some other client: its requests become the SDK calls that make them.
      ForeignClient& c = foreign[participant];
      const Json& f = r["frame"];
      if (!f.is_object()) continue;  // not a message of the protocol: nothing to read as a call
      std::string type = text_or(f, "type", "");
      if (r["dir"] == "down") {
        if (type == "response" && f.contains("result") && f["result"].is_object() && f["result"].contains("callId") &&
            f["result"]["callId"].is_string()) {
          std::string method = c.methods[request_id(f)];
          if (method == "joinMeeting") c.main_call = f["result"]["callId"];
          if (method == "joinBreakoutRoom") c.room_call = f["result"]["callId"];
        }
        if (type == "localParticipantUpdate") {
          const Json* props = nullptr;
          if (f.contains("breakoutDetails") && f["breakoutDetails"].contains("mainMeetingProperties"))
            props = &f["breakoutDetails"]["mainMeetingProperties"];
          if (props && props->contains("assignedBreakoutRooms")) {
            const Json& list = (*props)["assignedBreakoutRooms"];
            c.assigned = list.is_array() && !list.empty() && list[0].is_object() ? std::optional<Json>(list[0]) : std::nullopt;
          }
        }
        continue;
      }
      if (type != "request") continue;
      if (!f.contains("method") || !f["method"].is_string()) continue;
      std::string method = f["method"];
      c.methods[request_id(f)] = method;
      const Json params = f.contains("params") && f["params"].is_object() ? f["params"] : Json::object();
      std::string call = params.contains("callId") && params["callId"].is_string() ? params["callId"].get<std::string>() : "";
      // The service's answer to this request: refused (the call is expected to fail), late (the call
      // may take that long), or never (the SDK gives up after its request timeout, and the call fails).
      std::optional<Json> refusal;
      std::int64_t took = kRequestTimeoutMs;
      bool answered = false;
      for (std::size_t j = i + 1; j < t.records.size() && !answered; ++j) {
        const Json& res = t.records[j];
        if (res["kind"] != "wire" || text_or(res, "participant", "") != participant || res["dir"] != "down" || !res.contains("frame")) continue;
        const Json& rf = res["frame"];
        if (!rf.is_object() || text_or(rf, "type", "") != "response" || request_id(rf) != request_id(f)) continue;
        answered = true;
        took = res["t"].get<std::int64_t>() - at;
        // The SDK reports the failure in its own terms (its codes need not be the service's): expect only that it fails.
        if (rf.contains("error")) refusal = Json::object();
      }
      if (!answered) refusal = Json::object();
      const Json* refused = refusal ? &*refusal : nullptr;
      auto flush_hold = [&] { flush_hold_of(participant, c); };
      if (method == "joinMeeting") continue;  // the set-up joins
      bool auto_move_open = c.assigned && flag_or(*c.assigned, "isOpen", false) &&
                            flag_or(*c.assigned, "allowMoveParticipantsAutomatically", false);
      if (method == "hold" && call == c.main_call && !c.main_call.empty()) {
        flush_hold();
        // With an auto-move room open, holding the main call is how the SDK starts moving by itself.
        if (auto_move_open) c.auto_hold = true;
        else c.pending_hold = at;
        c.pending_hold_refused = refused != nullptr;
        c.pending_hold_took = took;
        continue;
      }
      if (method == "resume" && call == c.main_call && c.auto_hold) {
        c.auto_hold = false;  // the move gave up (the room closed meanwhile) and the SDK went back
        steps += comment(participant + "'s client gave up moving into its room by itself here.");
        continue;
      }
      if (method == "joinBreakoutRoom") {
        std::string url = params.contains("joinUrl") && params["joinUrl"].is_string() ? params["joinUrl"].get<std::string>() : "";
        c.room_url = url;
        bool automatic = c.assigned && text_or(*c.assigned, "meetingJoinUrl", "") == url && flag_or(*c.assigned, "isOpen", false) &&
                         flag_or(*c.assigned, "allowMoveParticipantsAutomatically", false);
        // A refused join ends with the SDK resuming the main call by itself.
        if (refused) c.returning = true;
        std::int64_t from = c.pending_hold.value_or(at);
        c.pending_hold.reset();
        c.auto_hold = false;
        if (automatic) {
          steps += comment(participant + "'s client moved into " + text_or(*c.assigned, "name", "its room") + " by itself here (auto-move).");
          continue;
        }
        advance_to(from);
        // join() on the assigned room, as an attendee's app has only that one to call it on.
        do_step(participant, "join", Json::object(), refused, at + took - from);
        now = std::max(now, at + took);
        continue;
      }
      flush_hold();
      if (method == "hangUp" && call == c.room_call && !c.room_call.empty()) {
        // The SDK leaves by itself a room that closed or is no longer the one assigned.
        bool closed = !c.assigned || !flag_or(*c.assigned, "isOpen", false) || text_or(*c.assigned, "meetingJoinUrl", "") != c.room_url;
        c.returning = true;
        if (closed) {
          steps += comment(participant + "'s client left its room by itself here (closed, or no longer assigned).");
          continue;
        }
        advance_to(at);
        do_step(participant, "returnToMainMeeting", Json::object(), refused, took);
        now = std::max(now, at + took);
        continue;
      }
      if (method == "resume" && call == c.main_call && c.returning) {
        c.returning = false;
        continue;
      }
      advance_to(at);
      do_step(participant, method, call == c.room_call && !call.empty() ? Json{{"call", "room"}} : Json::object(), refused, took);
      now = std::max(now, at + took);
    }
  }
  if (!failure_placed) {
    flush_holds();
    if (end) advance_to((*end)["t"].get<std::int64_t>());
  }
  if (failure && o.keep_failure && !failure->contains("source") && !failure->contains("unexpected"))
    g.notes.push_back("the trace ends in a failure outside any step (" + text_or(*failure, "message", "") +
                      "); the scenario does not repeat it");
  if (!harness_trace)
    g.notes.push_back("the trace is of a session with another client: its requests are written as the SDK calls that make "
                      "them, and what that client showed its user is not in the trace, so nothing is expected of the SDK");

  std::string name = text_or(h, "name", "");
  std::string out = "# yaml-language-server: $schema=../schema/scenario.schema.json\n";
  out += "# Made by 'harness trace-to-scenario' from " + (o.trace_path.empty() ? std::string("a trace") : o.trace_path) +
         ". Trim it: keep the steps\n# and expectations the story needs, and give it a name and rules.\n";
  for (const auto& n : g.notes) out += "# Note: " + n + "\n";
  out += "name: " + scenario::yaml_flow(Json((name.empty() ? std::string("recorded session") : name) + " (from a trace)")) + "\n";
  if (h.contains("file")) out += "description: " + scenario::yaml_flow(Json("Recorded from " + text_or(h, "file", "") + ".")) + "\n";
  out += "tags: [from-trace]\n\n";
  out += setup_block(setup);
  if (!harness_trace) {
    // Nothing of the SDK's is known from such a recording: every event may happen until the story says.
    out += "# Take out of this list the events the story is about, and expect them in the steps.\nignore: [";
    bool first = true;
    for (const auto& [type, fields] : event_types()) {
      if (type == "actionCompleted") continue;
      out += (first ? "" : ", ") + type;
      first = false;
    }
    out += "]\n";
  }
  out += "\nsteps:\n";
  if (steps.empty()) steps = step_block({{"advance", "0ms"}});
  out += steps;
  g.yaml = std::move(out);
  return g;
}

std::vector<Json> comparable_records(const std::vector<Json>& records) {
  std::vector<Json> out;
  for (const auto& r : records) {
    const auto& k = r["kind"];
    if (k == "step" || k == "failure" || k == "end") continue;
    out.push_back(r);
  }
  return out;
}

std::optional<Divergence> first_divergence(const std::vector<Json>& recorded, const std::vector<Json>& observed,
                                           const std::function<Json(const Json&)>& normal) {
  std::size_t n = std::max(recorded.size(), observed.size());
  for (std::size_t i = 0; i < n; ++i) {
    Json a = i < recorded.size() ? recorded[i] : Json(nullptr);
    Json b = i < observed.size() ? observed[i] : Json(nullptr);
    bool same = normal && !a.is_null() && !b.is_null() ? normal(a) == normal(b) : a == b;
    if (!same) return Divergence{i, a, b};
  }
  return std::nullopt;
}

namespace {

/// A recording of another client is compared per participant, on what both sides put on the wire,
/// without times and request ids: its timing and numbering are its own.
std::vector<Json> foreign_view(const std::vector<Json>& records) {
  std::vector<Json> out;
  for (const auto& r : records)
    if (r["kind"] == "wire" || r["kind"] == "server") out.push_back(r);
  std::stable_sort(out.begin(), out.end(),
                   [](const Json& a, const Json& b) { return text_or(a, "participant", "") < text_or(b, "participant", ""); });
  return out;
}

Json foreign_normal(const Json& r) {
  Json x = r;
  x.erase("t");
  if (x.contains("frame") && x["frame"].is_object()) {
    x["frame"].erase("id");
    x["frame"].erase("requestId");
  }
  return x;
}

std::string describe(const Json& record) { return record.is_null() ? "(nothing)" : trace::to_line(record); }

}  // namespace

ReplayResult replay(const trace::ReadResult& t, const std::string& trace_path, const DriverFactory& drivers, const RunOptions& options) {
  ReplayResult result;
  TraceToScenarioOptions to;
  to.trace_path = trace_path;
  to.keep_failure = false;
  GeneratedScenario g = trace_to_scenario(t, to);
  LoadOptions load;
  load.from_trace = true;
  LoadResult loaded = load_scenario_text(g.yaml, trace_path + " (as a scenario)", load);
  if (!loaded.ok()) {
    result.report = "replay of " + trace_path + ": the trace does not make a valid scenario:\n" + render_errors(loaded);
    return result;
  }
  RunOptions run_options = options;
  run_options.trace = true;
  run_options.observe_only = true;
  result.run = run_scenario(loaded.scenarios.front(), drivers, run_options);
  if (result.run.outcome == Outcome::timeout || result.run.outcome == Outcome::unresolved) {
    result.report = "replay of " + trace_path + ": the replay did not run to the end (" +
                    std::string(to_string(result.run.outcome)) + "):\n" + result.run.message;
    return result;
  }
  bool harness_trace = text_or(t.header, "source", "") == "harness";
  std::vector<Json> recorded = harness_trace ? comparable_records(t.records) : foreign_view(t.records);
  std::vector<Json> observed = harness_trace ? comparable_records(result.run.trace) : foreign_view(result.run.trace);
  auto d = first_divergence(recorded, observed, harness_trace ? nullptr : foreign_normal);
  if (!d) {
    result.same = true;
    result.report = "replay of " + trace_path + ": the SDK behaved as recorded (" + std::to_string(recorded.size()) + " records)\n";
    return result;
  }
  const Json& where = d->expected.is_null() ? d->observed : d->expected;
  std::string at = where.contains("t") ? " at +" + clock::format_duration(clock::Duration(where["t"].get<std::int64_t>())) : "";
  std::string who = where.contains("participant") ? " (" + text_or(where, "participant", "") + at + ")" : at;
  std::string head;
  if (d->expected.is_null())
    head = "the SDK did more than was recorded: after the " + std::to_string(recorded.size()) + " recorded records it also did" + who;
  else if (d->observed.is_null())
    head = "the SDK stopped short: it did not repeat record " + std::to_string(d->index + 1) + " of " + std::to_string(recorded.size()) + who;
  else
    head = "the SDK behaved differently at record " + std::to_string(d->index + 1) + " of " + std::to_string(recorded.size()) + who;
  result.report = "replay of " + trace_path + ": " + head + "\n" + "  expected: " + describe(d->expected) + "\n" +
                  "  observed: " + describe(d->observed) + "\n" + "  (the " + std::to_string(d->index) +
                  " record(s) before it are the same)\n";
  return result;
}

}  // namespace breakout::harness
