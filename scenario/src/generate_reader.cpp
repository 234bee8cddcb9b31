// Meetings written short: participants and rooms generated from a count and patterns, rooms filled
// by an assignment rule, named groups, and the group references (`participants:`) of steps.
#include "loader.hpp"

#include <breakout/protocol/numbers.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace breakout::scenario {

namespace {

const std::vector<std::string> kReservedGroups = {"everyone", "inRooms"};

bool is_group_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

}  // namespace

std::string NamePattern::at(std::size_t n) const {
  std::string out;
  for (const auto& piece : pieces) {
    if (piece.width < 0) {
      out += piece.text;
      continue;
    }
    std::string digits = std::to_string(n);
    if (digits.size() < static_cast<std::size_t>(piece.width)) out.append(static_cast<std::size_t>(piece.width) - digits.size(), '0');
    out += digits;
  }
  return out;
}

std::optional<NamePattern> Loader::pattern(const Entries& e, const std::string& key, bool must_vary) {
  const YAML::Node* v = e.value(key);
  if (!v) return std::nullopt;
  if (!v->IsScalar() || v->Scalar().empty()) {
    error(*v, "'" + key + "' must be a pattern such as att{n} or att{n:03}");
    return std::nullopt;
  }
  const std::string& text = v->Scalar();
  NamePattern p;
  std::string literal;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] != '{') {
      literal += text[i++];
      continue;
    }
    std::size_t close = text.find('}', i);
    std::string inside = close == std::string::npos ? "" : text.substr(i + 1, close - i - 1);
    int width = -1;
    if (inside == "n") {
      width = 0;
    } else if (inside.size() == 4 && inside.compare(0, 3, "n:0") == 0 && inside[3] >= '1' && inside[3] <= '9') {
      width = inside[3] - '0';
    }
    if (width < 0) {
      error(*v, "'" + key + "': '{' starts {n} (the number, from 1) or {n:0W} (padded to W digits, W from 1 to 9), as in att{n:03}");
      return std::nullopt;
    }
    if (!literal.empty()) p.pieces.push_back({std::move(literal), -1});
    literal.clear();
    p.pieces.push_back({"", width});
    i = close + 1;
  }
  if (!literal.empty()) p.pieces.push_back({std::move(literal), -1});
  bool varies = std::any_of(p.pieces.begin(), p.pieces.end(), [](const auto& piece) { return piece.width >= 0; });
  if (must_vary && !varies) {
    error(*v, "'" + key + "' must contain {n}, so that each generated one is told apart (as in att{n})");
    return std::nullopt;
  }
  return p;
}

/// `count` of a generator: an integer from 1 to `most`.
std::optional<std::size_t> Loader::count(const YAML::Node& item, const Entries& e, std::size_t most, const std::string& what) {
  const YAML::Node* v = e.value("generate");
  auto n = v && v->IsScalar() && most >= 1 ? numbers::parse_integer(v->Scalar(), 1, static_cast<std::int64_t>(most)) : std::nullopt;
  if (!n) {
    error(v ? *v : item, "'generate' is how many " + what + " to make, from 1 to " + std::to_string(most));
    return std::nullopt;
  }
  return static_cast<std::size_t>(*n);
}

/// `key:` as one string or a list of strings, each checked by `valid`; a list is used in turn.
std::vector<std::string> Loader::cycle(const Entries& e, const std::string& key,
                                       const std::function<bool(const YAML::Node&, const std::string&)>& valid) {
  std::vector<std::string> out;
  const YAML::Node* v = e.value(key);
  if (!v) return out;
  if (v->IsScalar()) {
    if (valid(*v, v->Scalar())) out.push_back(v->Scalar());
    return out;
  }
  if (!v->IsSequence() || v->size() == 0) {
    error(*v, "'" + key + "' is one value or a non-empty list of values, used in turn");
    return out;
  }
  for (const auto& item : *v) {
    if (!item.IsScalar()) error(item, "each entry of '" + key + "' must be a string");
    else if (valid(item, item.Scalar())) out.push_back(item.Scalar());
  }
  return out;
}

std::vector<std::string> Loader::read_group_names(const Entries& e) {
  std::vector<std::string> names;
  const YAML::Node* v = e.value("group");
  if (!v) return names;
  auto check = [&](const YAML::Node& n) {
    if (!n.IsScalar() || !is_group_name(n.Scalar())) {
      error(n, "a group name is letters, digits, '-' and '_' (at most 64)");
    } else if (std::find(kReservedGroups.begin(), kReservedGroups.end(), n.Scalar()) != kReservedGroups.end()) {
      error(n, "'" + n.Scalar() + "' is a group every scenario has; give yours another name");
    } else {
      names.push_back(n.Scalar());
    }
  };
  if (v->IsSequence()) {
    for (const auto& item : *v) check(item);
  } else {
    check(*v);
  }
  return names;
}

void Loader::read_generated_participants(const YAML::Node& item, Scenario& s) {
  auto e = mapping(item, "a participant generator",
                   {"generate", "id", "displayName", "identity", "role", "token", "breakoutRoomManager", "client", "joinMeeting",
                    "connect", "group"});
  if (!e) return;
  std::size_t room_left = LoadLimits::participants - std::min(LoadLimits::participants, s.participants.size());
  auto n = count(item, *e, room_left, "participants (a scenario has at most " + std::to_string(LoadLimits::participants) + ")");
  if (!e->value("id")) missing_.push_back({"a participant generator", "id"});
  flush_missing(item);
  auto id = pattern(*e, "id", true);
  auto name = pattern(*e, "displayName", false);
  auto token = pattern(*e, "token", true);
  auto identities = cycle(*e, "identity", [&](const YAML::Node& where, const std::string& text) { return identity_of(where, text).has_value(); });
  auto roles = cycle(*e, "role", [&](const YAML::Node& where, const std::string& text) { return role_known(where, text); });
  auto groups = read_group_names(*e);
  ParticipantSetup base;
  base.loc = at(item);
  base.config.breakout_room_manager = boolean(*e, "breakoutRoomManager").value_or(false);
  base.client = boolean(*e, "client").value_or(true);
  base.join_meeting = boolean(*e, "joinMeeting").value_or(true);
  base.connect = boolean(*e, "connect").value_or(true);
  if (!n || !id) return;
  for (std::size_t i = 1; i <= *n; ++i) {
    ParticipantSetup p = base;
    p.config.id = id->at(i);
    if (known_participant(s, p.config.id)) {
      error(*e->value("id"), "generated participant '" + p.config.id + "' is defined twice");
      return;
    }
    p.config.display_name = name ? name->at(i) : p.config.id;
    if (token) p.config.token = token->at(i);
    if (!identities.empty()) p.config.identity = *identity_of(item, identities[(i - 1) % identities.size()]);
    if (!roles.empty()) p.config.role = roles[(i - 1) % roles.size()];
    add_participant(s, p, groups);
  }
}

void Loader::add_participant(Scenario& s, const ParticipantSetup& p, const std::vector<std::string>& groups) {
  s.participants.push_back(p);
  s.meeting.participants.push_back(p.config);
  for (const auto& g : groups) s.groups[g].push_back(p.config.id);
}

void Loader::read_generated_rooms(const YAML::Node& item, Scenario& s) {
  auto e = mapping(item, "a room generator", {"generate", "id", "name", "autoMove", "open", "assign"});
  if (!e) return;
  std::size_t room_left = LoadLimits::rooms - std::min(LoadLimits::rooms, s.meeting.rooms.size());
  auto n = count(item, *e, room_left, "rooms (a scenario has at most " + std::to_string(LoadLimits::rooms) + ")");
  if (!e->value("id")) missing_.push_back({"a room generator", "id"});
  flush_missing(item);
  auto id = pattern(*e, "id", true);
  auto name = pattern(*e, "name", false);
  bool auto_move = boolean(*e, "autoMove").value_or(true);
  bool open = boolean(*e, "open").value_or(false);
  // `assign: {group, by}`: the group's members shared out over the generated rooms.
  std::vector<std::string> members;
  std::string rule = "roundRobin";
  // A mistake here is reported, and the rooms are still made (so that steps naming them do not
  // add errors of their own).
  if (const YAML::Node* a = e->value("assign")) {
    if (auto ae = mapping(*a, "'assign'", {"group", "by"})) {
      auto group = string(*ae, "group", "'assign'", true);
      flush_missing(*a);
      bool rule_ok = true;
      if (auto by = string(*ae, "by", "'assign'", false)) {
        if (*by != "roundRobin" && *by != "blocks") {
          std::string hint = did_you_mean(*by, {"roundRobin", "blocks"});
          error(*ae->value("by"), "'by' is roundRobin (member i to room i mod rooms) or blocks (members in order, an equal run per room)" +
                                      (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
          rule_ok = false;
        }
        rule = *by;
      }
      if (group)
        if (auto g = group_members(*ae->value("group"), s, *group, false); g && rule_ok) members = std::move(*g);
    }
  }
  if (!n || !id) return;
  std::size_t first = s.meeting.rooms.size();
  for (std::size_t i = 1; i <= *n; ++i) {
    mock::RoomConfig r;
    r.id = id->at(i);
    if (rooms_.count(r.id)) {
      error(*e->value("id"), "generated room '" + r.id + "' is defined twice");
      return;
    }
    rooms_.insert(r.id);
    r.name = name ? name->at(i) : r.id;
    r.auto_move = auto_move;
    r.open = open;
    s.meeting.rooms.push_back(r);
  }
  // A participant is in one room at most: one already placed is an error, not a silent second place.
  std::set<std::string> placed;
  for (const auto& r : s.meeting.rooms) placed.insert(r.participants.begin(), r.participants.end());
  for (std::size_t k = 0; k < members.size(); ++k) {
    if (!placed.insert(members[k]).second) {
      error(*e->value("assign"), "participant '" + members[k] + "' is already in a room; a participant is assigned to one room at most");
      return;
    }
    std::size_t room = rule == "roundRobin" ? k % *n : k * *n / members.size();
    s.meeting.rooms[first + room].participants.push_back(members[k]);
  }
}

std::optional<std::vector<std::string>> Loader::group_members(const YAML::Node& where, const Scenario& s, const std::string& name,
                                                             bool clients_only) {
  auto it = s.groups.find(name);
  if (it == s.groups.end()) {
    std::vector<std::string> names;
    for (const auto& [g, members] : s.groups) names.push_back(g);
    std::string hint = did_you_mean(name, names);
    error(where, "no group '" + name + "' (groups are named with 'group:' in the set-up)" +
                     (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    return std::nullopt;
  }
  if (clients_only)
    for (const auto& id : it->second)
      if (!is_client(s, id)) {
        error(where, "group '" + name + "' has " + id + ", who has no client (client: false) to do or see anything");
        return std::nullopt;
      }
  return it->second;
}

std::optional<Group> Loader::read_group(const YAML::Node& n, const Scenario& s, bool clients_only) {
  Group g;
  const std::string usage = "'participants' names several participants: everyone, inRooms, a list of ids, {group: name} or {room: id}";
  if (n.IsScalar() && n.Scalar() == "everyone") {
    g.members = participant_ids(s, clients_only);
    g.text = "everyone";
  } else if (n.IsScalar() && n.Scalar() == "inRooms") {
    g.kind = Group::Kind::in_rooms;
    g.text = "everyone in a room";
  } else if (n.IsSequence() && n.size() > 0) {
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        error(item, usage);
        return std::nullopt;
      }
      if (!known_participant(s, item.Scalar())) {
        unknown_participant(item, s, item.Scalar());
        return std::nullopt;
      }
      if (clients_only && !is_client(s, item.Scalar())) {
        error(item, item.Scalar() + " has no client (client: false) to do or see anything");
        return std::nullopt;
      }
      if (std::find(g.members.begin(), g.members.end(), item.Scalar()) != g.members.end()) {
        error(item, item.Scalar() + " is listed twice");
        return std::nullopt;
      }
      g.members.push_back(item.Scalar());
    }
    g.text = "[" + g.members.front() + (g.members.size() > 1 ? ", ..." : "") + "]";
  } else if (n.IsMap() && n.size() == 1 && n["group"]) {
    if (!n["group"].IsScalar()) {
      error(n["group"], usage);
      return std::nullopt;
    }
    auto members = group_members(n["group"], s, n["group"].Scalar(), clients_only);
    if (!members) return std::nullopt;
    g.members = std::move(*members);
    g.text = "group " + n["group"].Scalar();
  } else if (n.IsMap() && n.size() == 1 && n["room"]) {
    const YAML::Node room = n["room"];
    if (!room.IsScalar() || !rooms_.count(room.Scalar())) {
      std::string name = room.IsScalar() ? room.Scalar() : "";
      std::string hint = did_you_mean(name, std::vector<std::string>(rooms_.begin(), rooms_.end()));
      error(room, "unknown room '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      return std::nullopt;
    }
    g.kind = Group::Kind::room;
    g.room = room.Scalar();
    g.text = "room " + g.room;
  } else {
    error(n, usage);
    return std::nullopt;
  }
  if (g.kind == Group::Kind::fixed && g.members.empty()) {
    error(n, "'participants' names no one here");
    return std::nullopt;
  }
  return g;
}

bool Loader::step_who(const Entries& e, const YAML::Node& step, const Scenario& s, bool clients_only, std::string& participant,
                      std::optional<Group>& group) {
  if (const YAML::Node* several = e.value("participants")) {
    if (const YAML::Node* one = e.key("participant")) {
      error(*one, "a step has 'participant' or 'participants', not both");
      return false;
    }
    group = read_group(*several, s, clients_only);
    return group.has_value();
  }
  auto p = step_participant(e, step, s);
  if (!p) return false;
  participant = *p;
  return true;
}

std::string who_text(const std::string& participant, const std::optional<Group>& group) {
  return group ? group->text : participant;
}

}  // namespace breakout::scenario
