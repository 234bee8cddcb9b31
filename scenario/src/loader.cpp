// Reading and checking scenario files: every mistake becomes a file:line:col diagnostic, and all
// of a file's mistakes are reported at once.
#include <breakout/scenario/scenario.hpp>
#include <breakout/scenario/tree.hpp>
#include <breakout/protocol/files.hpp>
#include <breakout/protocol/text.hpp>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>

namespace breakout::scenario {

const std::map<std::string, std::vector<std::string>>& event_types() {
  static const std::map<std::string, std::vector<std::string>> types = {
      {"assignedBreakoutRooms", {"displayName", "threadId", "state", "autoMoveParticipantToBreakoutRoom", "invitees", "call"}},
      {"breakoutRooms", {}},
      {"breakoutRoomsSettings", {"disableReturnToMainMeeting", "roomEndTime"}},
      {"join", {"call", "callId", "threadId"}},
      {"callStateChanged", {"call", "callId", "state", "oldState"}},
      {"connectionStateChanged", {"newValue", "oldValue", "reason"}},
      {"automaticActionFailed", {"action", "code", "subCode", "category", "message"}},
  };
  return types;
}

const std::map<std::string, std::vector<std::string>>& client_actions() {
  static const std::map<std::string, std::vector<std::string>> actions = {
      {"connect", {"token"}},
      {"join", {"room"}},
      {"returnToMainMeeting", {}},
      {"hold", {"call"}},
      {"resume", {"call"}},
      {"hangUp", {"call"}},
      {"subscribe", {"event"}},
      {"unsubscribe", {"event"}},
      {"getFeature", {}},
      {"dispose", {}},
  };
  return actions;
}

namespace {

std::vector<std::string> keys_of(const std::map<std::string, std::vector<std::string>>& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

/// The entries of a YAML mapping, keyed by name, keeping the key nodes for their positions.
struct Entries {
  std::vector<std::pair<YAML::Node, YAML::Node>> items;
  const YAML::Node* key(const std::string& name) const {
    for (const auto& [k, v] : items)
      if (k.Scalar() == name) return &k;
    return nullptr;
  }
  const YAML::Node* value(const std::string& name) const {
    for (const auto& [k, v] : items)
      if (k.Scalar() == name) return &v;
    return nullptr;
  }
};

/// What the loads of one scenario file share: the tree, each fixture's text (read once however
/// often it is included), and the budgets every variant and fixture draws on.
struct LoadContext {
  explicit LoadContext(const std::string& root) : tree(root) {}
  ScenarioTree tree;
  std::map<std::string, Expected<std::string, std::string>> fixtures;
  std::size_t includes = 0;
};

class Loader {
 public:
  Loader(std::string file, std::string source, std::shared_ptr<LoadContext> context, int depth = 0)
      : file_(std::move(file)), source_(std::move(source)), context_(std::move(context)), depth_(depth) {}

  LoadResult load() {
    LoadResult result;
    result.sources[file_] = source_;
    // The matrix is read from the file with every ${...} blanked out: unfilled, they need not be valid YAML.
    auto root = parse(std::regex_replace(source_, std::regex(R"(\$\{[A-Za-z0-9_]+\})"), "matrix_value"));
    if (root && !root->IsMap()) error(*root, "a scenario must be a mapping with at least 'name', 'participants' and 'steps'");
    if (!root || !root->IsMap()) {
      result.errors = std::move(errors_);
      return result;
    }
    auto variants = read_matrix(*root);
    if (!variants) {
      result.errors = std::move(errors_);
      return result;
    }
    for (const auto& [suffix, values] : *variants) {
      // Each variant is the file with the matrix values put in, read afresh (lines stay where they are).
      Loader variant(file_, substitute(source_, values), context_, depth_);
      auto vroot = variant.parse(variant.source_);
      if (!vroot) {
        merge(variant, result);
        continue;
      }
      Scenario s;
      s.file = file_;
      s.source = source_;
      s.loc = {file_, 1, 1};
      variant.read_scenario(*vroot, s);
      if (!suffix.empty()) s.name += " [" + suffix + "]";
      for (const auto& [k, v] : values) s.tags.push_back(k + "=" + v);
      bool clean = variant.errors_.empty();
      merge(variant, result);
      if (clean) result.scenarios.push_back(std::move(s));
    }
    if (!result.errors.empty()) result.scenarios.clear();
    return result;
  }

 private:
  using Values = std::vector<std::pair<std::string, std::string>>;

  std::optional<YAML::Node> parse(const std::string& text) {
    if (text.size() > LoadLimits::file_bytes) {
      error_at(0, 0, "the file is " + std::to_string(text.size()) + " bytes; a scenario may have at most " +
                         std::to_string(LoadLimits::file_bytes) + " (1 MiB)");
      return std::nullopt;
    }
    // A scenario is text: a control character (a NUL byte, say) means the file is something else.
    int line = 1, column = 1;
    for (unsigned char c : text) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", c);
        error_at(line, column, std::string("the file holds the control character ") + hex + "; a scenario is UTF-8 text");
        return std::nullopt;
      }
      if (c == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    if (auto bad = text::invalid_utf8_at(text)) {
      auto at = text::position_of(text, *bad);
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[*bad]));
      error_at(at.line, at.column, std::string("the file is not valid UTF-8 here (byte ") + hex + "); a scenario is UTF-8 text");
      return std::nullopt;
    }
    try {
      YAML::Node root = YAML::Load(text);
      // Anchors and aliases can make a small file stand for a huge tree: count before reading it.
      std::size_t budget = LoadLimits::yaml_nodes;
      if (!within_budget(root, budget)) {
        error_at(1, 1, "the file stands for more than " + std::to_string(LoadLimits::yaml_nodes) +
                           " YAML values once its aliases (*name) are expanded; a scenario needs far fewer");
        return std::nullopt;
      }
      return root;
    } catch (const YAML::DeepRecursion& e) {
      error_at(e.mark.line + 1, e.mark.column + 1, "the YAML is nested too deeply to read (" + std::to_string(e.depth()) + " levels)");
    } catch (const YAML::ParserException& e) {
      error_at(e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
    } catch (const YAML::Exception& e) {
      error_at(0, 0, std::string("cannot read the file as YAML: ") + e.what());
    }
    return std::nullopt;
  }

  /// Whether the tree, aliases expanded, has no more nodes than `budget` (which it uses up).
  static bool within_budget(const YAML::Node& n, std::size_t& budget) {
    if (budget == 0) return false;
    --budget;
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it)
        if (!within_budget(it->first, budget) || !within_budget(it->second, budget)) return false;
    } else if (n.IsSequence()) {
      for (const auto& item : n)
        if (!within_budget(item, budget)) return false;
    }
    return true;
  }

  /// The variants of a file: one unnamed one without 'matrix:', else one per combination of the
  /// matrix's values, in the order written (the first key varies slowest).
  std::optional<std::vector<std::pair<std::string, Values>>> read_matrix(const YAML::Node& root) {
    std::vector<std::pair<std::string, Values>> variants{{"", {}}};
    const YAML::Node m = root["matrix"];
    if (!m) return variants;
    if (!m.IsMap() || m.size() == 0) {
      error(m, "'matrix' maps variable names to lists of values, like {kind: [group, room]}");
      return std::nullopt;
    }
    for (auto it = m.begin(); it != m.end(); ++it) {
      // Copies: what it-> points into lives only as long as the expression.
      const YAML::Node key = it->first;
      const YAML::Node list = it->second;
      std::string name = key.Scalar();
      bool identifier = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
      if (!identifier) {
        error(key, "a matrix variable is a name of letters, digits and '_'");
        return std::nullopt;
      }
      if (!list.IsSequence() || list.size() == 0) {
        error(list, "matrix variable '" + name + "' needs a non-empty list of values");
        return std::nullopt;
      }
      // Counted before they are made: a few short lists can stand for billions of variants.
      if (variants.size() * list.size() > LoadLimits::matrix_variants) {
        error(key, "the matrix has more than " + std::to_string(LoadLimits::matrix_variants) +
                       " variants (the product of its lists' lengths); split the file");
        return std::nullopt;
      }
      if (variants.size() * list.size() * source_.size() > LoadLimits::expanded_bytes) {
        error(key, "the matrix expands this file to more than " + std::to_string(LoadLimits::expanded_bytes >> 20) +
                       " MiB of scenarios; use fewer variants or a shorter file");
        return std::nullopt;
      }
      std::vector<std::pair<std::string, Values>> next;
      for (const auto& [suffix, values] : variants) {
        for (const auto& v : list) {
          if (!v.IsScalar()) {
            error(v, "matrix values must be plain values");
            return std::nullopt;
          }
          Values more = values;
          more.emplace_back(name, v.Scalar());
          next.emplace_back((suffix.empty() ? "" : suffix + ", ") + name + "=" + v.Scalar(), std::move(more));
        }
      }
      variants = std::move(next);
    }
    return variants;
  }

  static std::string substitute(std::string text, const Values& values) {
    for (const auto& [name, value] : values) {
      std::string token = "${" + name + "}";
      for (auto pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos + value.size()))
        text.replace(pos, token.size(), value);
    }
    return text;
  }

  void merge(Loader& other, LoadResult& result) {
    for (auto& d : other.errors_) {
      bool seen = std::any_of(result.errors.begin(), result.errors.end(), [&](const Diagnostic& e) {
        return e.loc.to_string() == d.loc.to_string() && e.message == d.message;
      });
      if (!seen) result.errors.push_back(std::move(d));
    }
    other.errors_.clear();
    for (auto& [path, text] : other.included_) result.sources[path] = text;
  }

  /// Reads the set-up keys of a fixture file into the scenario.
  void read_include(const YAML::Node& list, Scenario& s) {
    if (!list.IsSequence()) return error(list, "'include' is a list of fixture files");
    for (const auto& item : list) {
      if (!item.IsScalar()) {
        error(item, "an include is the path of a fixture file, relative to this file");
        continue;
      }
      if (depth_ >= LoadLimits::include_depth) {
        error(item, "fixtures include each other more than " + std::to_string(LoadLimits::include_depth) + " deep (an include cycle?)");
        continue;
      }
      if (++context_->includes > LoadLimits::includes) {
        if (context_->includes == LoadLimits::includes + 1)
          error(item, "more than " + std::to_string(LoadLimits::includes) + " includes while loading this file");
        continue;
      }
      auto resolved = context_->tree.resolve_include(file_, item.Scalar());
      if (!resolved) {
        error(item, "cannot include '" + item.Scalar() + "': " + resolved.error());
        continue;
      }
      // Read by its real path, shown by the path as written from this file.
      auto cached = context_->fixtures.find(*resolved);
      if (cached == context_->fixtures.end())
        cached = context_->fixtures.emplace(*resolved, files::read_regular_file(*resolved, LoadLimits::file_bytes)).first;
      std::string path = (std::filesystem::path(file_).parent_path() / item.Scalar()).lexically_normal().string();
      if (!cached->second) {
        std::string why = cached->second.error();
        if (auto at = why.find(*resolved); at != std::string::npos) why.replace(at, resolved->size(), path);
        error(item, "cannot include '" + item.Scalar() + "': " + why);
        continue;
      }
      Loader fixture(path, *cached->second, context_, depth_ + 1);
      fixture.rooms_ = rooms_;
      included_[path] = fixture.source_;
      if (auto root = fixture.parse(fixture.source_)) {
        if (!root->IsMap()) fixture.error(*root, "a fixture is a mapping of set-up keys");
        else fixture.read_setup(*root, s, true);
      }
      rooms_ = fixture.rooms_;
      for (auto& [p, t] : fixture.included_) included_[p] = t;
      for (auto& d : fixture.errors_) errors_.push_back(std::move(d));
    }
  }

  SourceLoc at(const YAML::Node& n) const {
    auto m = n.Mark();
    if (m.line < 0) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }
  void error_at(int line, int column, std::string message) {
    errors_.push_back({Diagnostic::Severity::error, {file_, line, column}, std::move(message), {}});
  }
  void error(const YAML::Node& n, std::string message, std::vector<Diagnostic> notes = {}) {
    errors_.push_back({Diagnostic::Severity::error, at(n), std::move(message), std::move(notes)});
  }

  std::optional<Entries> mapping(const YAML::Node& n, const std::string& what, const std::vector<std::string>& allowed) {
    if (!n.IsMap()) {
      error(n, what + " must be a mapping");
      return std::nullopt;
    }
    Entries e;
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) {
        error(key, "keys must be plain names");
        continue;
      }
      std::string name = key.Scalar();
      if (!seen.insert(name).second) {
        error(key, "duplicate key '" + name + "'");
        continue;
      }
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string hint = did_you_mean(name, allowed);
        error(key, "unknown key '" + name + "' in " + what + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
        continue;
      }
      e.items.emplace_back(key, it->second);
    }
    return e;
  }

  std::optional<std::string> string(const Entries& e, const std::string& key, const std::string& what, bool required) {
    const YAML::Node* v = e.value(key);
    if (!v) {
      if (required) missing_.push_back({what, key});
      return std::nullopt;
    }
    if (!v->IsScalar() || v->Scalar().empty()) {
      error(*v, "'" + key + "' must be a non-empty string");
      return std::nullopt;
    }
    return v->Scalar();
  }

  std::optional<bool> boolean(const Entries& e, const std::string& key) {
    const YAML::Node* v = e.value(key);
    if (!v) return std::nullopt;
    if (v->IsScalar() && (v->Scalar() == "true" || v->Scalar() == "false")) return v->Scalar() == "true";
    error(*v, "'" + key + "' must be true or false");
    return std::nullopt;
  }

  std::optional<clock::Duration> duration(const YAML::Node& v, const std::string& key) {
    if (v.IsScalar())
      if (auto d = clock::parse_duration(v.Scalar())) return d;
    error(v, "'" + key + "' must be a duration such as 250ms, 3s, 1.5s or 5m");
    return std::nullopt;
  }

  std::vector<std::string> string_list(const Entries& e, const std::string& key) {
    std::vector<std::string> out;
    const YAML::Node* v = e.value(key);
    if (!v) return out;
    if (!v->IsSequence()) {
      error(*v, "'" + key + "' must be a list");
      return out;
    }
    for (const auto& item : *v) {
      if (!item.IsScalar() || item.Scalar().empty()) error(item, "each entry of '" + key + "' must be a string");
      else out.push_back(item.Scalar());
    }
    return out;
  }

  /// A YAML value as JSON: plain scalars become booleans, null, integers or numbers when they
  /// read as such; quoted scalars stay strings.
  static Json to_json(const YAML::Node& n) { return yaml_to_json(n); }

  void flush_missing(const YAML::Node& where) {
    for (const auto& [what, key] : missing_) error(where, what + " is missing '" + key + "'");
    missing_.clear();
  }

  void read_scenario(const YAML::Node& root, Scenario& s) {
    auto e = mapping(root, "the scenario",
                     {"name", "description", "rules", "tags", "xfail", "skip", "include", "matrix", "meeting", "clientOptions",
                      "participants", "rooms", "ignore", "steps"});
    if (!e) return;
    s.name = string(*e, "name", "the scenario", true).value_or("");
    s.description = string(*e, "description", "the scenario", false).value_or("");
    s.rules = string_list(*e, "rules");
    s.tags = string_list(*e, "tags");
    s.xfail = string(*e, "xfail", "the scenario", false);
    s.skip = string(*e, "skip", "the scenario", false);
    if (const auto* inc = e->value("include")) read_include(*inc, s);
    if (!e->value("participants") && s.participants.empty()) missing_.push_back({"the scenario", "participants"});
    if (!e->value("steps")) missing_.push_back({"the scenario", "steps"});
    flush_missing(root);
    read_setup(root, s, false);
    check_tokens(s);
    if (const auto* st = e->value("steps")) read_steps(*st, s);
  }

  /// The set-up keys, from a scenario or (fixture = true) a fixture file.
  void read_setup(const YAML::Node& root, Scenario& s, bool fixture) {
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

  void read_meeting(const YAML::Node& n, Scenario& s) {
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

  void read_client_options(const YAML::Node& n, Scenario& s) {
    auto e = mapping(n, "'clientOptions'", {"autoMoveDelay", "hangUpDelay", "requestTimeout"});
    if (!e) return;
    for (const auto& [k, v] : e->items)
      if (auto d = duration(v, k.Scalar())) s.client_options[k.Scalar()] = d->count();
  }

  void read_participants(const YAML::Node& n, Scenario& s) {
    if (!n.IsSequence() || n.size() == 0) return error(n, "'participants' must be a non-empty list");
    if (s.participants.size() + n.size() > LoadLimits::participants)
      return error(n, "a scenario has at most " + std::to_string(LoadLimits::participants) + " participants, fixtures included");
    for (const auto& item : n) {
      auto e = mapping(item, "a participant",
                       {"id", "displayName", "identity", "role", "token", "breakoutRoomManager", "client", "joinMeeting", "connect"});
      if (!e) continue;
      ParticipantSetup p;
      p.loc = at(item);
      p.config.id = string(*e, "id", "a participant", true).value_or("");
      flush_missing(item);
      if (p.config.id.empty()) continue;
      if (std::any_of(s.participants.begin(), s.participants.end(), [&](const auto& q) { return q.config.id == p.config.id; }))
        error(*e->value("id"), "participant '" + p.config.id + "' is defined twice");
      p.config.display_name = string(*e, "displayName", "a participant", false).value_or(p.config.id);
      if (auto identity = string(*e, "identity", "a participant", false)) {
        if (*identity == "microsoft365") p.config.identity = mock::IdentityKind::microsoft_365;
        else if (*identity == "communicationUser") p.config.identity = mock::IdentityKind::communication_user;
        else {
          std::string hint = did_you_mean(*identity, {"microsoft365", "communicationUser"});
          error(*e->value("identity"), "unknown identity '" + *identity + "' (communicationUser or microsoft365)" +
                                           (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
        }
      }
      if (auto role = string(*e, "role", "a participant", false)) {
        const auto& roles = mock::role_names();
        if (std::find(roles.begin(), roles.end(), *role) == roles.end()) {
          std::vector<std::string> names(roles.begin(), roles.end());
          std::string hint = did_you_mean(*role, names);
          error(*e->value("role"), "unknown role '" + *role + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
        } else {
          p.config.role = *role;
        }
      }
      p.config.token = string(*e, "token", "a participant", false).value_or("");
      p.config.breakout_room_manager = boolean(*e, "breakoutRoomManager").value_or(false);
      p.client = boolean(*e, "client").value_or(true);
      p.join_meeting = boolean(*e, "joinMeeting").value_or(true);
      p.connect = boolean(*e, "connect").value_or(true);
      s.participants.push_back(p);
      s.meeting.participants.push_back(p.config);
    }
  }

  /// A token names one participant: two sharing one would make the server's choice between them
  /// an accident. A participant without a token has "token-<id>".
  void check_tokens(const Scenario& s) {
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

  bool known_participant(const Scenario& s, const std::string& id) const {
    return std::any_of(s.participants.begin(), s.participants.end(), [&](const auto& p) { return p.config.id == id; });
  }
  std::vector<std::string> participant_ids(const Scenario& s, bool clients_only) const {
    std::vector<std::string> out;
    for (const auto& p : s.participants)
      if (!clients_only || p.client) out.push_back(p.config.id);
    return out;
  }

  void unknown_participant(const YAML::Node& where, const Scenario& s, const std::string& id) {
    std::string hint = did_you_mean(id, participant_ids(s, false));
    error(where, "unknown participant '" + id + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }

  void read_rooms(const YAML::Node& n, Scenario& s) {
    if (!n.IsSequence()) return error(n, "'rooms' must be a list");
    if (s.meeting.rooms.size() + n.size() > LoadLimits::rooms)
      return error(n, "a scenario has at most " + std::to_string(LoadLimits::rooms) + " rooms, fixtures included");
    for (const auto& item : n) {
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

  void read_ignore(const YAML::Node& n, Scenario& s) {
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

  bool check_event_type(const YAML::Node& where, const std::string& type) {
    if (event_types().count(type)) return true;
    std::string hint = did_you_mean(type, keys_of(event_types()));
    error(where, "unknown event type '" + type + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    return false;
  }

  std::optional<std::string> step_participant(const Entries& e, const YAML::Node& step, const Scenario& s) {
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

  std::optional<EventExpectation> read_expectation(const YAML::Node& item, const Entries& e, const std::string& type_key,
                                                   const Scenario& s) {
    EventExpectation x;
    x.loc = at(item);
    auto type = string(e, type_key, "the expectation", true);
    flush_missing(item);
    auto participant = step_participant(e, item, s);
    if (!type || !check_event_type(*e.value(type_key), *type) || !participant) return std::nullopt;
    x.type = *type;
    x.participant = *participant;
    if (const auto* data = e.value("data")) {
      x.data = to_json(*data);
      const auto& fields = event_types().at(x.type);
      if (data->IsMap() && !fields.empty()) {
        for (auto it = data->begin(); it != data->end(); ++it) {
          std::string field = it->first.Scalar();
          if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
            std::string hint = did_you_mean(field, fields);
            error(it->first, "event '" + x.type + "' has no field '" + field + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
          }
        }
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

  void read_steps(const YAML::Node& n, Scenario& s) {
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

  bool read_server_step(const YAML::Node& item, Scenario& s, Step& step) {
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
    allowed.push_back("server");
    auto e = mapping(item, "server action '" + name + "'", allowed);
    if (!e) return false;
    Json action = Json::object();
    action["action"] = name;
    for (const auto& [k, v] : e->items)
      if (k.Scalar() != "server") action[k.Scalar()] = to_json(v);
    auto parsed = mock::parse_action(action);
    if (!parsed) {
      const YAML::Node* where = e->value(parsed.error().field);
      error(where ? *where : item, parsed.error().message);
      return false;
    }
    // References must name what the scenario defines (rooms may be created by earlier steps).
    bool ok = true;
    if (action.contains("participant") && action["participant"].is_string() &&
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
      if (it.key() != "action") step.summary += " " + it.key() + "=" + (it->is_string() ? it->get<std::string>() : text::dump_json(*it));
    step.body = ServerStep{action, *parsed};
    return ok;
  }

  bool read_client_step(const YAML::Node& item, Scenario& s, Step& step) {
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
    std::vector<std::string> allowed = action->second;
    allowed.insert(allowed.end(), {"do", "participant", "expectError", "within"});
    auto e = mapping(item, "client action '" + name + "'", allowed);
    if (!e) return false;
    auto participant = step_participant(*e, item, s);
    if (!participant) return false;
    ClientStep c;
    c.participant = *participant;
    c.action = name;
    for (const auto& [k, v] : e->items) {
      std::string key = k.Scalar();
      if (key == "do" || key == "participant" || key == "expectError" || key == "within") continue;
      c.args[key] = to_json(v);
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
      auto ee = mapping(*err, "'expectError'", {"code", "subCode", "category"});
      if (!ee) return false;
      c.expect_error = to_json(*err);
    }
    step.summary = "do " + name + " (" + c.participant + ")";
    step.body = std::move(c);
    return true;
  }

  bool read_advance_step(const YAML::Node& item, Step& step) {
    auto e = mapping(item, "'advance'", {"advance"});
    if (!e) return false;
    auto d = duration(*e->value("advance"), "advance");
    if (!d) return false;
    step.summary = "advance " + clock::format_duration(*d);
    step.body = AdvanceStep{*d};
    return true;
  }

  std::optional<clock::Duration> optional_duration(const Entries& e, const std::string& key, bool& ok) {
    const YAML::Node* v = e.value(key);
    if (!v) return std::nullopt;
    auto d = duration(*v, key);
    if (!d) ok = false;
    return d;
  }

  bool read_expect_step(const YAML::Node& item, Scenario& s, Step& step) {
    auto e = mapping(item, "'expect'", {"expect", "participant", "data", "within", "capture"});
    if (!e) return false;
    bool ok = true;
    auto within = optional_duration(*e, "within", ok);
    auto x = read_expectation(item, *e, "expect", s);
    if (!x || !ok) return false;
    step.summary = "expect " + x->type + " (" + x->participant + ")";
    step.body = ExpectStep{{*x}, within.value_or(clock::Duration(0))};
    return true;
  }

  bool read_unordered_step(const YAML::Node& item, Scenario& s, Step& step) {
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
      auto xe = mapping(x_node, "an expectation", {"expect", "participant", "data", "capture"});
      if (!xe) { ok = false; continue; }
      auto x = read_expectation(x_node, *xe, "expect", s);
      if (!x) { ok = false; continue; }
      group.events.push_back(*x);
    }
    step.summary = "unordered (" + std::to_string(group.events.size()) + " events)";
    step.body = std::move(group);
    return ok;
  }

  bool read_expect_no_step(const YAML::Node& item, Scenario& s, Step& step) {
    auto e = mapping(item, "'expectNo'", {"expectNo", "participant", "data", "for"});
    if (!e) return false;
    bool ok = true;
    auto d = optional_duration(*e, "for", ok);
    auto x = read_expectation(item, *e, "expectNo", s);
    if (!x || !ok) return false;
    step.summary = "expectNo " + x->type + " (" + x->participant + ")";
    step.body = ExpectNoStep{*x, d.value_or(clock::Duration(0))};
    return true;
  }

  bool read_expect_state_step(const YAML::Node& item, Scenario& s, Step& step) {
    auto e = mapping(item, "'expectState'", {"expectState", "participant"});
    if (!e) return false;
    const YAML::Node* state = e->value("expectState");
    // The participant may be written beside the state or inside it.
    std::optional<std::string> participant;
    YAML::Node checks = YAML::Clone(*state);
    if (state->IsMap() && (*state)["participant"]) {
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
    static const std::vector<std::string> fields = {"connectionState", "mainCall", "roomCall", "mainCallInfo", "roomCallInfo",
                                                    "assignedBreakoutRooms",
                                                    "breakoutRooms", "breakoutRoomsSettings", "mainCallRemoteParticipants",
                                                    "roomCallRemoteParticipants"};
    std::vector<std::string> allowed = fields;
    allowed.push_back("participant");
    auto se = mapping(*state, "'expectState'", allowed);
    if (!se) return false;
    step.summary = "expectState (" + *participant + ")";
    step.body = ExpectStateStep{*participant, to_json(checks)};
    return true;
  }

  std::string file_;
  std::string source_;
  std::shared_ptr<LoadContext> context_;
  int depth_ = 0;
  std::map<std::string, std::string> included_;
  std::vector<Diagnostic> errors_;
  std::vector<std::pair<std::string, std::string>> missing_;
  std::set<std::string> rooms_;
};

}  // namespace

Json yaml_to_json(const YAML::Node& n) {
  if (n.IsNull()) return nullptr;
  if (n.IsMap()) {
    Json j = Json::object();
    for (auto it = n.begin(); it != n.end(); ++it) j[it->first.Scalar()] = yaml_to_json(it->second);
    return j;
  }
  if (n.IsSequence()) {
    Json j = Json::array();
    for (const auto& item : n) j.push_back(yaml_to_json(item));
    return j;
  }
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted
  if (s == "true") return true;
  if (s == "false") return false;
  if (s == "null" || s == "~") return nullptr;
  // A number too large for its type stays text, so the field that reads it says what it expected.
  if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-')) {
    char* end = nullptr;
    errno = 0;
    long long i = std::strtoll(s.c_str(), &end, 10);
    if (end && *end == '\0') return errno == ERANGE ? Json(s) : Json(i);
    errno = 0;
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0' && errno != ERANGE) return d;
  }
  return s;
}

LoadResult load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& options) {
  auto context = std::make_shared<LoadContext>(options.root.empty() ? ScenarioTree::find_root(path) : options.root);
  return Loader(path, text, std::move(context)).load();
}

LoadResult load_scenario_file(const std::string& path, const LoadOptions& options) {
  auto text = files::read_regular_file(path, LoadLimits::file_bytes);
  if (!text) {
    LoadResult r;
    r.errors.push_back({Diagnostic::Severity::error, {path, 0, 0}, text.error(), {}});
    return r;
  }
  return load_scenario_text(*text, path, options);
}

std::string render_errors(const LoadResult& result) {
  std::string out;
  for (const auto& d : result.errors) {
    auto it = result.sources.find(d.loc.file);
    out += render(d, it == result.sources.end() ? std::string() : it->second);
  }
  return out;
}

}  // namespace breakout::scenario
