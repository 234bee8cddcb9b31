// Reading a scenario's set-up: meeting, client options, participants (and their tokens), rooms,
// ignore rules.
#include "loader.hpp"

#include <breakout/scenario/rules.hpp>

#include <algorithm>

namespace breakout::scenario {

void Loader::read_scenario(const YAML::Node& root, Scenario& s) {
  auto e = mapping(root, "the scenario",
                   {"name", "description", "rules", "tags", "xfail", "skip", "timeout", "include", "matrix", "meeting", "clientOptions",
                    "participants", "rooms", "ignore", "steps"});
  if (!e) return;
  s.name = string(*e, "name", "the scenario", true).value_or("");
  s.description = string(*e, "description", "the scenario", false).value_or("");
  s.rules = string_list(*e, "rules");
  check_rules(*e);
  s.tags = string_list(*e, "tags");
  s.xfail = string(*e, "xfail", "the scenario", false);
  s.skip = string(*e, "skip", "the scenario", false);
  if (const auto* t = e->value("timeout")) {
    if (auto d = duration(*t, "timeout")) {
      if (d->count() <= 0 || *d > kMaxTimeout) error(*t, "'timeout' must be more than 0 and at most 1h (real time the scenario may take)");
      else s.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
    }
  }
  if (const auto* inc = e->value("include")) read_include(*inc, s);
  if (!e->value("participants") && s.participants.empty()) missing_.push_back({"the scenario", "participants"});
  if (!e->value("steps")) missing_.push_back({"the scenario", "steps"});
  flush_missing(root);
  read_setup(root, s, false);
  check_tokens(s);
  if (const auto* st = e->value("steps")) read_steps(*st, s);
}

/// The set-up keys, from a scenario or (fixture = true) a fixture file.
void Loader::check_rules(const Entries& e) {
  const YAML::Node* list = e.value("rules");
  if (!list || !list->IsSequence()) return;
  const auto& known = context_->options.known_rules;
  for (const auto& item : *list) {
    if (!item.IsScalar()) continue;
    const std::string& id = item.Scalar();
    if (!is_rule_id(id)) {
      error(item, "'" + id + "' is not a rule id (BR-AREA-N, like BR-MOVE-2)");
    } else if (!known.empty() && std::find(known.begin(), known.end(), id) == known.end()) {
      std::string hint = did_you_mean(id, known);
      error(item, "unknown rule '" + id + "'" + (hint.empty() ? "; docs/conformance.md defines the rules" : "; did you mean '" + hint + "'?"));
    }
  }
}

void Loader::read_setup(const YAML::Node& root, Scenario& s, bool fixture) {
  std::optional<Entries> e;
  if (fixture) {
    e = mapping(root, "a fixture", {"include", "meeting", "clientOptions", "participants", "rooms", "ignore"});
    if (!e) return;
    if (const auto* inc = e->value("include")) read_include(*inc, s);
  } else {
    e = Entries{};
    for (auto it = root.begin(); it != root.end(); ++it) e->items.emplace_back(it->first, it->second);
  }
  if (const auto* m = e->value("meeting")) read_meeting(*m, s);
  if (const auto* c = e->value("clientOptions")) read_client_options(*c, s);
  if (const auto* p = e->value("participants")) read_participants(*p, s);
  if (const auto* r = e->value("rooms")) read_rooms(*r, s);
  if (const auto* i = e->value("ignore")) read_ignore(*i, s);
}

void Loader::read_meeting(const YAML::Node& n, Scenario& s) {
  auto e = mapping(n, "'meeting'", {"kind", "threadId", "disableReturnToMainMeeting", "breakoutRoomsEnabled", "rosterUpdates"});
  if (!e) return;
  if (auto kind = string(*e, "kind", "'meeting'", false)) {
    if (auto k = mock::call_kind_from_string(*kind)) {
      s.meeting.kind = *k;
    } else {
      std::vector<std::string> kinds = {"teamsMeeting", "room", "oneToOne", "group", "oneToOneTeamsInterop", "groupTeamsInterop"};
      std::string hint = did_you_mean(*kind, kinds);
      error(*e->value("kind"), "unknown meeting kind '" + *kind + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  if (auto t = string(*e, "threadId", "'meeting'", false)) s.meeting.thread_id = *t;
  if (auto d = boolean(*e, "disableReturnToMainMeeting")) s.meeting.disable_return_to_main_meeting = *d;
  if (auto b = boolean(*e, "breakoutRoomsEnabled")) s.meeting.breakout_rooms_enabled = *b;
  if (auto b = boolean(*e, "rosterUpdates")) s.meeting.roster_updates = *b;
}

void Loader::read_client_options(const YAML::Node& n, Scenario& s) {
  auto e = mapping(n, "'clientOptions'", {"autoMoveDelay", "hangUpDelay", "requestTimeout"});
  if (!e) return;
  for (const auto& [k, v] : e->items)
    if (auto d = duration(v, k.Scalar())) s.client_options[k.Scalar()] = d->count();
}

void Loader::read_participants(const YAML::Node& n, Scenario& s) {
  if (!n.IsSequence() || n.size() == 0) return error(n, "'participants' must be a non-empty list");
  for (const auto& item : n) {
    if (item.IsMap() && item["generate"]) {
      read_generated_participants(item, s);
      continue;
    }
    if (s.participants.size() >= LoadLimits::participants)
      return error(item, "a scenario has at most " + std::to_string(LoadLimits::participants) + " participants, fixtures included");
    auto e = mapping(item, "a participant",
                     {"id", "displayName", "identity", "role", "token", "breakoutRoomManager", "client", "joinMeeting", "connect", "group"});
    if (!e) continue;
    ParticipantSetup p;
    p.loc = at(item);
    p.config.id = string(*e, "id", "a participant", true).value_or("");
    flush_missing(item);
    if (p.config.id.empty()) continue;
    if (known_participant(s, p.config.id)) error(*e->value("id"), "participant '" + p.config.id + "' is defined twice");
    p.config.display_name = string(*e, "displayName", "a participant", false).value_or(p.config.id);
    if (auto identity = string(*e, "identity", "a participant", false))
      if (auto kind = identity_of(*e->value("identity"), *identity)) p.config.identity = *kind;
    if (auto role = string(*e, "role", "a participant", false))
      if (role_known(*e->value("role"), *role)) p.config.role = *role;
    p.config.token = string(*e, "token", "a participant", false).value_or("");
    p.config.breakout_room_manager = boolean(*e, "breakoutRoomManager").value_or(false);
    p.client = boolean(*e, "client").value_or(true);
    p.join_meeting = boolean(*e, "joinMeeting").value_or(true);
    p.connect = boolean(*e, "connect").value_or(true);
    add_participant(s, p, read_group_names(*e));
  }
}

std::optional<mock::IdentityKind> Loader::identity_of(const YAML::Node& where, const std::string& identity) {
  if (identity == "microsoft365") return mock::IdentityKind::microsoft_365;
  if (identity == "communicationUser") return mock::IdentityKind::communication_user;
  std::string hint = did_you_mean(identity, {"microsoft365", "communicationUser"});
  error(where, "unknown identity '" + identity + "' (communicationUser or microsoft365)" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  return std::nullopt;
}

bool Loader::role_known(const YAML::Node& where, const std::string& role) {
  const auto& roles = mock::role_names();
  if (std::find(roles.begin(), roles.end(), role) != roles.end()) return true;
  std::vector<std::string> names(roles.begin(), roles.end());
  std::string hint = did_you_mean(role, names);
  error(where, "unknown role '" + role + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  return false;
}

/// A token names one participant: two sharing one would make the server's choice between them
/// an accident. A participant without a token has "token-<id>".
void Loader::check_tokens(const Scenario& s) {
  std::map<std::string, const ParticipantSetup*> by_token;
  for (const auto& p : s.participants) {
    std::string token = p.config.token.empty() ? "token-" + p.config.id : p.config.token;
    auto [it, fresh] = by_token.emplace(token, &p);
    if (!fresh && it->second->config.id != p.config.id)  // a participant defined twice is reported as such
      errors_.push_back({Diagnostic::Severity::error, p.loc,
                         "participant '" + p.config.id + "' has the same token as '" + it->second->config.id +
                             "' (" + (p.config.token.empty() ? "token-<id> when none is given" : "'token'") +
                             "); each participant needs a token of its own",
                         {}});
  }
}

bool Loader::known_participant(const Scenario& s, const std::string& id) {
  // Participants come from this file and from fixtures read by loaders of their own: index what is new.
  for (; indexed_ < s.participants.size(); ++indexed_) participant_index_.emplace(s.participants[indexed_].config.id, indexed_);
  return participant_index_.count(id) > 0;
}

bool Loader::is_client(const Scenario& s, const std::string& id) {
  if (!known_participant(s, id)) return false;
  return s.participants[participant_index_.at(id)].client;
}

std::vector<std::string> Loader::participant_ids(const Scenario& s, bool clients_only) const {
  std::vector<std::string> out;
  for (const auto& p : s.participants)
    if (!clients_only || p.client) out.push_back(p.config.id);
  return out;
}

void Loader::unknown_participant(const YAML::Node& where, const Scenario& s, const std::string& id) {
  std::string hint = did_you_mean(id, participant_ids(s, false));
  error(where, "unknown participant '" + id + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

void Loader::read_rooms(const YAML::Node& n, Scenario& s) {
  if (!n.IsSequence()) return error(n, "'rooms' must be a list");
  for (const auto& item : n) {
    if (item.IsMap() && item["generate"]) {
      read_generated_rooms(item, s);
      continue;
    }
    if (s.meeting.rooms.size() >= LoadLimits::rooms)
      return error(item, "a scenario has at most " + std::to_string(LoadLimits::rooms) + " rooms, fixtures included");
    auto e = mapping(item, "a room", {"id", "name", "autoMove", "open", "participants"});
    if (!e) continue;
    mock::RoomConfig r;
    r.id = string(*e, "id", "a room", true).value_or("");
    flush_missing(item);
    if (r.id.empty()) continue;
    if (rooms_.count(r.id)) error(*e->value("id"), "room '" + r.id + "' is defined twice");
    rooms_.insert(r.id);
    r.name = string(*e, "name", "a room", false).value_or(r.id);
    r.auto_move = boolean(*e, "autoMove").value_or(true);
    r.open = boolean(*e, "open").value_or(false);
    r.participants = string_list(*e, "participants");
    if (const auto* list = e->value("participants"); list && list->IsSequence())
      for (std::size_t i = 0; i < list->size(); ++i)
        if ((*list)[i].IsScalar() && !known_participant(s, (*list)[i].Scalar())) unknown_participant((*list)[i], s, (*list)[i].Scalar());
    s.meeting.rooms.push_back(r);
  }
}

void Loader::read_ignore(const YAML::Node& n, Scenario& s) {
  if (!n.IsSequence()) return error(n, "'ignore' must be a list of event types");
  for (const auto& item : n) {
    IgnoreRule rule;
    const YAML::Node* type_node = &item;
    if (item.IsMap()) {
      auto e = mapping(item, "an ignore rule", {"event", "participant"});
      if (!e) continue;
      rule.type = string(*e, "event", "an ignore rule", true).value_or("");
      flush_missing(item);
      rule.participant = string(*e, "participant", "an ignore rule", false);
      if (rule.participant && !known_participant(s, *rule.participant)) unknown_participant(*e->value("participant"), s, *rule.participant);
      if (e->value("event")) type_node = e->value("event");
    } else if (item.IsScalar()) {
      rule.type = item.Scalar();
    } else {
      error(item, "an ignore rule is an event type or {event, participant}");
      continue;
    }
    if (!rule.type.empty() && check_event_type(*type_node, rule.type)) s.ignore.push_back(rule);
  }
}

}  // namespace breakout::scenario
