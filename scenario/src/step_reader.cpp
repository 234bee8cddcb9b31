// Reading a scenario's steps: server actions, client actions, advances and expectations, each
// checked against what the mock server, the SDK's events and the participants allow.
#include "loader.hpp"

#include <breakout/protocol/text.hpp>

#include <algorithm>

namespace breakout::scenario {

bool Loader::check_event_type(const YAML::Node& where, const std::string& type) {
  if (event_types().count(type)) return true;
  std::string hint = did_you_mean(type, keys_of(event_types()));
  error(where, "unknown event type '" + type + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  return false;
}

std::optional<std::string> Loader::step_participant(const Entries& e, const YAML::Node& step, const Scenario& s) {
  if (auto p = string(e, "participant", "the step", false)) {
    if (!known_participant(s, *p)) {
      unknown_participant(*e.value("participant"), s, *p);
      return std::nullopt;
    }
    return p;
  }
  auto clients = participant_ids(s, true);
  if (clients.size() == 1) return clients.front();
  error(step, "the step needs 'participant' (the scenario has several clients)");
  return std::nullopt;
}

std::optional<EventExpectation> Loader::read_expectation(const YAML::Node& item, const Entries& e, const std::string& type_key,
                                                 const Scenario& s) {
  EventExpectation x;
  x.loc = at(item);
  auto type = string(e, type_key, "the expectation", true);
  flush_missing(item);
  bool who = step_who(e, item, s, true, x.participant, x.group);
  if (!type || !check_event_type(*e.value(type_key), *type) || !who) return std::nullopt;
  x.type = *type;
  if (const auto* listener = e.value("listener")) {
    const auto& via = listener_event_types();
    if (std::find(via.begin(), via.end(), x.type) == via.end()) {
      error(*e.key("listener"), "'" + x.type + "' does not come through a listener; only breakout rooms events do");
      return std::nullopt;
    }
    if (!listener->IsScalar() || !check_listener(*listener, x.participant, x.group, s, listener->Scalar())) return std::nullopt;
    if (listener->Scalar() != "default") x.listener = listener->Scalar();
  }
  if (const auto* data = e.value("data")) {
    x.data = to_json(*data);
    if (const ValueSpec* spec = event_data_spec(x.type)) {
      ValueSpec named = *spec;
      if (named.kind == ValueSpec::Kind::object) named.name = "event '" + x.type + "'";
      check_value(*data, named, "the data of '" + x.type + "'");
    }
  }
  if (const auto* capture = e.value("capture")) {
    if (!capture->IsMap()) {
      error(*capture, "'capture' maps names to paths in the event's data, like {roomCall: callId}");
    } else {
      for (auto it = capture->begin(); it != capture->end(); ++it) {
        if (!it->second.IsScalar()) error(it->second, "a capture path must be a string such as callId or data.threadId");
        else x.capture[it->first.Scalar()] = it->second.Scalar();
      }
    }
  }
  return x;
}

void Loader::read_steps(const YAML::Node& n, Scenario& s) {
  if (!n.IsSequence()) return error(n, "'steps' must be a list");
  static const std::vector<std::string> kinds = {"server", "do", "advance", "expect", "unordered", "expectNo", "expectState"};
  for (const auto& item : n) {
    if (!item.IsMap()) {
      error(item, "a step must be a mapping starting with one of: server, do, advance, expect, unordered, expectNo, expectState");
      continue;
    }
    std::vector<std::string> present;
    for (auto it = item.begin(); it != item.end(); ++it)
      if (std::find(kinds.begin(), kinds.end(), it->first.Scalar()) != kinds.end()) present.push_back(it->first.Scalar());
    if (present.size() != 1) {
      if (present.empty()) {
        std::string first = item.begin()->first.Scalar();
        std::string hint = did_you_mean(first, kinds);
        error(item.begin()->first, "unknown step '" + first + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                       " (a step is one of: server, do, advance, expect, unordered, expectNo, expectState)");
      } else {
        error(item, "a step has exactly one of server, do, advance, expect, unordered, expectNo, expectState; this one has " +
                        present[0] + " and " + present[1]);
      }
      continue;
    }
    Step step;
    step.loc = at(item);
    step.source = to_json(item);
    const std::string& kind = present[0];
    bool ok = false;
    if (kind == "server") ok = read_server_step(item, s, step);
    else if (kind == "do") ok = read_client_step(item, s, step);
    else if (kind == "advance") ok = read_advance_step(item, step);
    else if (kind == "expect") ok = read_expect_step(item, s, step);
    else if (kind == "unordered") ok = read_unordered_step(item, s, step);
    else if (kind == "expectNo") ok = read_expect_no_step(item, s, step);
    else ok = read_expect_state_step(item, s, step);
    if (ok) s.steps.push_back(std::move(step));
  }
}

std::optional<CallbackTrigger> Loader::read_trigger(const YAML::Node& n, const std::string& participant, const std::optional<Group>& group,
                                                   const Scenario& s) {
  auto e = mapping(n, "'inside'", {"listener", "event"});
  if (!e) return std::nullopt;
  CallbackTrigger t;
  auto event = string(*e, "event", "'inside'", true);
  flush_missing(n);
  if (!event) return std::nullopt;
  const auto& via = listener_event_types();
  if (std::find(via.begin(), via.end(), *event) == via.end()) {
    std::string hint = did_you_mean(*event, via);
    error(*e->value("event"), std::string("'inside' waits for an event a listener receives: assignedBreakoutRooms, breakoutRooms, ") +
                                  "breakoutRoomsSettings or join" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    return std::nullopt;
  }
  t.event = *event;
  if (auto listener = string(*e, "listener", "'inside'", false)) {
    if (!check_listener(*e->value("listener"), participant, group, s, *listener)) return std::nullopt;
    t.listener = *listener;
  }
  return t;
}

bool Loader::check_listener(const YAML::Node& where, const std::string& participant, const std::string& name) {
  if (name == "default") return true;
  const auto& known = listeners_[participant];
  if (known.count(name)) return true;
  std::string hint = did_you_mean(name, std::vector<std::string>(known.begin(), known.end()));
  error(where, "no listener '" + name + "' of " + participant + " is subscribed by an earlier step" +
                   (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  return false;
}

bool Loader::check_listener(const YAML::Node& where, const std::string& participant, const std::optional<Group>& group, const Scenario& s,
                            const std::string& name) {
  if (!group) return check_listener(where, participant, name);
  if (group->kind == Group::Kind::fixed) {
    for (const auto& member : group->members)
      if (!check_listener(where, member, name)) return false;
    return true;
  }
  // Who is in a room is known only when the step runs: some client must have subscribed it.
  if (name == "default") return true;
  for (const auto& id : participant_ids(s, true))
    if (listeners_[id].count(name)) return true;
  error(where, "no listener '" + name + "' is subscribed by an earlier step of anyone");
  return false;
}

bool Loader::read_server_step(const YAML::Node& item, Scenario& s, Step& step) {
  const YAML::Node name_node = item["server"];
  if (!name_node.IsScalar()) {
    error(name_node, "'server' names the action, like 'server: openRoom'");
    return false;
  }
  std::string name = name_node.Scalar();
  const auto& names = mock::action_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string hint = did_you_mean(name, names);
    error(name_node, "unknown server action '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    return false;
  }
  std::vector<std::string> allowed = mock::action_fields(name);
  bool per_participant = std::find(allowed.begin(), allowed.end(), "participant") != allowed.end();
  allowed.push_back("server");
  if (per_participant) allowed.push_back("participants");
  auto e = mapping(item, "server action '" + name + "'", allowed);
  if (!e) return false;
  Json action = Json::object();
  action["action"] = name;
  for (const auto& [k, v] : e->items)
    if (k.Scalar() != "server" && k.Scalar() != "participants") action[k.Scalar()] = to_json(v);
  // For a group, the action is made once per member when the step runs; checked here for one.
  std::optional<Group> group;
  if (const YAML::Node* several = e->value("participants")) {
    if (const YAML::Node* one = e->key("participant")) {
      error(*one, "a step has 'participant' or 'participants', not both");
      return false;
    }
    group = read_group(*several, s, false);
    if (!group) return false;
    action["participant"] = group->members.empty() ? s.participants.front().config.id : group->members.front();
  }
  auto parsed = mock::parse_action(action);
  if (!parsed) {
    const YAML::Node* where = e->value(parsed.error().field);
    error(where ? *where : item, parsed.error().message);
    return false;
  }
  // References must name what the scenario defines (rooms may be created by earlier steps).
  bool ok = true;
  if (!group && action.contains("participant") && action["participant"].is_string() &&
      !known_participant(s, action["participant"].get<std::string>())) {
    unknown_participant(*e->value("participant"), s, action["participant"].get<std::string>());
    ok = false;
  }
  if (action.contains("room") && action["room"].is_string()) {
    std::string room = action["room"].get<std::string>();
    if (name == "createRoom") {
      rooms_.insert(room);
    } else if (!rooms_.count(room)) {
      std::string hint = did_you_mean(room, std::vector<std::string>(rooms_.begin(), rooms_.end()));
      error(*e->value("room"), "unknown room '" + room + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      ok = false;
    }
  }
  step.summary = "server " + name;
  for (auto it = action.begin(); it != action.end(); ++it)
    if (it.key() != "action" && (!group || it.key() != "participant"))
      step.summary += " " + it.key() + "=" + (it->is_string() ? it->get<std::string>() : text::dump_json(*it));
  if (group) step.summary += " for " + group->text;
  step.body = ServerStep{action, *parsed, group};
  return ok;
}

bool Loader::read_client_step(const YAML::Node& item, Scenario& s, Step& step) {
  const YAML::Node name_node = item["do"];
  if (!name_node.IsScalar()) {
    error(name_node, "'do' names the client action, like 'do: join'");
    return false;
  }
  std::string name = name_node.Scalar();
  auto action = client_actions().find(name);
  if (action == client_actions().end()) {
    std::string hint = did_you_mean(name, keys_of(client_actions()));
    error(name_node, "unknown client action '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    return false;
  }
  static const std::vector<std::string> in_callbacks = {"subscribe", "unsubscribe", "join", "returnToMainMeeting", "hold", "resume",
                                                       "hangUp"};
  bool may_be_inside = std::find(in_callbacks.begin(), in_callbacks.end(), name) != in_callbacks.end();
  std::vector<std::string> allowed = action->second;
  allowed.insert(allowed.end(), {"do", "participant", "participants", "expectError", "within"});
  if (may_be_inside) allowed.insert(allowed.end(), {"inside", "wait"});
  auto e = mapping(item, "client action '" + name + "'", allowed);
  if (!e) return false;
  ClientStep c;
  if (!step_who(*e, item, s, true, c.participant, c.group)) return false;
  c.action = name;
  for (const auto& [k, v] : e->items) {
    std::string key = k.Scalar();
    if (key == "do" || key == "participant" || key == "participants" || key == "expectError" || key == "within" || key == "inside" ||
        key == "wait")
      continue;
    c.args[key] = to_json(v);
  }
  if (auto wait = boolean(*e, "wait")) c.wait = *wait;
  if (!c.wait || e->value("inside")) {
    for (const char* key : {"within", "expectError"})
      if (const YAML::Node* k = e->key(key)) {
        error(*k, std::string("a call the step does not wait for has no '") + key + "': its result is a callResult event to expect");
        return false;
      }
  }
  if (const auto* inside = e->value("inside")) {
    c.inside = read_trigger(*inside, c.participant, c.group, s);
    if (!c.inside) return false;
  }
  // Listener names: subscribe introduces one; unsubscribe must name one introduced before.
  if (name == "subscribe" || name == "unsubscribe") {
    const YAML::Node* listener = e->value("listener");
    std::string listener_name = listener && listener->IsScalar() ? listener->Scalar() : "default";
    if (listener && (!listener->IsScalar() || listener_name.empty())) {
      error(*listener, "'listener' names a listener, like 'second'");
      return false;
    }
    if (name == "subscribe") {
      std::vector<std::string> who = !c.group ? std::vector<std::string>{c.participant}
                                              : c.group->kind == Group::Kind::fixed ? c.group->members : participant_ids(s, true);
      for (const auto& id : who) listeners_[id].insert(listener_name);
    } else if (!check_listener(listener ? *listener : item, c.participant, c.group, s, listener_name)) {
      return false;
    }
  }
  if (const auto* w = e->value("within")) {
    auto d = duration(*w, "within");
    if (!d) return false;
    c.within = *d;
  }
  if (c.args.contains("call") && c.args["call"] != "main" && c.args["call"] != "room") {
    error(*e->value("call"), "'call' is main or room");
    return false;
  }
  if (const auto* err = e->value("expectError")) {
    std::size_t before = errors_.size();
    check_value(*err, error_spec(), "'expectError'");
    if (errors_.size() != before) return false;
    c.expect_error = to_json(*err);
  }
  step.summary = "do " + name + " (" + who_text(c.participant, c.group) + ")" +
                 (c.inside ? " inside " + c.inside->listener + "'s next " + c.inside->event : std::string()) +
                 (c.wait ? "" : ", not waiting");
  step.body = std::move(c);
  return true;
}

bool Loader::read_advance_step(const YAML::Node& item, Step& step) {
  auto e = mapping(item, "'advance'", {"advance"});
  if (!e) return false;
  auto d = duration(*e->value("advance"), "advance");
  if (!d) return false;
  step.summary = "advance " + clock::format_duration(*d);
  step.body = AdvanceStep{*d};
  return true;
}

bool Loader::read_expect_step(const YAML::Node& item, Scenario& s, Step& step) {
  auto e = mapping(item, "'expect'", {"expect", "participant", "participants", "data", "within", "capture", "listener"});
  if (!e) return false;
  bool ok = true;
  auto within = optional_duration(*e, "within", ok);
  auto x = read_expectation(item, *e, "expect", s);
  if (!x || !ok) return false;
  step.summary = "expect " + x->type + " (" + who_text(x->participant, x->group) + ")";
  step.body = ExpectStep{{*x}, within.value_or(clock::Duration(0))};
  return true;
}

bool Loader::read_unordered_step(const YAML::Node& item, Scenario& s, Step& step) {
  auto e = mapping(item, "'unordered'", {"unordered", "within"});
  if (!e) return false;
  bool ok = true;
  auto within = optional_duration(*e, "within", ok);
  const YAML::Node* list = e->value("unordered");
  if (!list->IsSequence() || list->size() == 0) {
    error(*list, "'unordered' is a list of expectations that may be met in any order");
    return false;
  }
  ExpectStep group{{}, within.value_or(clock::Duration(0))};
  for (const auto& x_node : *list) {
    auto xe = mapping(x_node, "an expectation", {"expect", "participant", "participants", "data", "capture", "listener"});
    if (!xe) { ok = false; continue; }
    auto x = read_expectation(x_node, *xe, "expect", s);
    if (!x) { ok = false; continue; }
    group.events.push_back(*x);
  }
  step.summary = "unordered (" + std::to_string(group.events.size()) + " events)";
  step.body = std::move(group);
  return ok;
}

bool Loader::read_expect_no_step(const YAML::Node& item, Scenario& s, Step& step) {
  auto e = mapping(item, "'expectNo'", {"expectNo", "participant", "participants", "data", "for", "listener"});
  if (!e) return false;
  bool ok = true;
  auto d = optional_duration(*e, "for", ok);
  if (!e->value("for")) {
    error(item, "'expectNo' needs 'for': how long nothing may happen (0ms checks only what has happened so far)");
    ok = false;
  }
  auto x = read_expectation(item, *e, "expectNo", s);
  if (!x || !ok) return false;
  step.summary = "expectNo " + x->type + " (" + who_text(x->participant, x->group) + ")";
  step.body = ExpectNoStep{*x, d.value_or(clock::Duration(0))};
  return true;
}

bool Loader::read_expect_state_step(const YAML::Node& item, Scenario& s, Step& step) {
  auto e = mapping(item, "'expectState'", {"expectState", "participant", "participants"});
  if (!e) return false;
  const YAML::Node* state = e->value("expectState");
  // The participant may be written beside the state or inside it; a group beside it.
  std::optional<std::string> participant;
  std::optional<Group> group;
  YAML::Node checks = YAML::Clone(*state);
  if (e->value("participants")) {
    std::string none;
    if (!step_who(*e, item, s, true, none, group)) return false;
    if (state->IsMap() && (*state)["participant"]) {
      error((*state)["participant"], "a step has 'participant' or 'participants', not both");
      return false;
    }
    participant = "";
  } else if (state->IsMap() && (*state)["participant"]) {
    auto inner = mapping(*state, "'expectState'", {});
    if (!inner) return false;
    participant = string(*inner, "participant", "'expectState'", false);
    if (participant && !known_participant(s, *participant)) {
      unknown_participant(*inner->value("participant"), s, *participant);
      return false;
    }
    checks.remove("participant");
  } else {
    participant = step_participant(*e, item, s);
  }
  if (!participant) return false;
  if (!state->IsMap()) {
    error(*state, "'expectState' maps fields of the participant's state to what they must be");
    return false;
  }
  std::size_t before = errors_.size();
  check_value(*state, state_spec(), "the state", "participant");
  if (errors_.size() != before) return false;
  step.summary = "expectState (" + who_text(*participant, group) + ")";
  step.body = ExpectStateStep{*participant, to_json(checks), group};
  return true;
}

}  // namespace breakout::scenario
