// The scenario reader, private to the library: one class whose parts live in three files —
// loader.cpp (files, YAML, matrix, includes, field helpers), setup_reader.cpp (the set-up keys)
// and step_reader.cpp (the steps and their expectations).
#pragma once

#include <breakout/scenario/scenario.hpp>
#include <breakout/scenario/tree.hpp>
#include <breakout/scenario/values.hpp>
#include <breakout/protocol/expected.hpp>

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <functional>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

namespace breakout::scenario {

inline std::vector<std::string> keys_of(const std::map<std::string, std::vector<std::string>>& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

/// An id or name pattern of a generator: text with {n} (the number, from 1) or {n:0W} (padded
/// to W digits) in it.
struct NamePattern {
  struct Piece {
    std::string text;
    /// -1: the text as written; 0: the number; W: the number padded to W digits.
    int width = -1;
  };
  std::vector<Piece> pieces;
  std::string at(std::size_t n) const;
};

/// "group attendees", "room room3", or the participant: who a step is about, for summaries.
std::string who_text(const std::string& participant, const std::optional<Group>& group);

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
  explicit LoadContext(LoadOptions options_) : tree(options_.root), options(std::move(options_)) {}
  ScenarioTree tree;
  LoadOptions options;
  std::map<std::string, Expected<std::string, std::string>> fixtures;
  std::size_t includes = 0;
};

/// Reads one file (or one matrix variant of it, or one fixture) into a Scenario, collecting every
/// mistake as a diagnostic.
class Loader {
 public:
  Loader(std::string file, std::string source, std::shared_ptr<LoadContext> context, int depth = 0);
  LoadResult load();

 private:
  using Values = std::vector<std::pair<std::string, std::string>>;

  // ---- files, YAML, matrix, includes, fields (loader.cpp) ----
  std::optional<YAML::Node> parse(const std::string& text);
  /// Whether the tree, aliases expanded, has no more nodes than `budget` (which it uses up).
  static bool within_budget(const YAML::Node& n, std::size_t& budget);
  /// The variants of a file: one unnamed one without 'matrix:', else one per combination of the
  /// matrix's values, in the order written (the first key varies slowest).
  std::optional<std::vector<std::pair<std::string, Values>>> read_matrix(const YAML::Node& root);
  static std::string substitute(std::string text, const Values& values);
  void merge(Loader& other, LoadResult& result);
  /// Reads the set-up keys of a fixture file into the scenario.
  void read_include(const YAML::Node& list, Scenario& s);
  SourceLoc at(const YAML::Node& n) const;
  void error_at(int line, int column, std::string message);
  void error(const YAML::Node& n, std::string message, std::vector<Diagnostic> notes = {});
  std::optional<Entries> mapping(const YAML::Node& n, const std::string& what, const std::vector<std::string>& allowed);
  std::optional<std::string> string(const Entries& e, const std::string& key, const std::string& what, bool required);
  std::optional<bool> boolean(const Entries& e, const std::string& key);
  std::optional<clock::Duration> duration(const YAML::Node& v, const std::string& key);
  std::vector<std::string> string_list(const Entries& e, const std::string& key);
  /// A YAML value as JSON: plain scalars become booleans, null, integers or numbers when they
  /// read as such; quoted scalars stay strings.
  static Json to_json(const YAML::Node& n);
  void flush_missing(const YAML::Node& where);
  std::optional<clock::Duration> optional_duration(const Entries& e, const std::string& key, bool& ok);

  // ---- set-up (setup_reader.cpp) ----
  void read_scenario(const YAML::Node& root, Scenario& s);
  /// Every entry of `rules:` is a rule id, and one the catalogue defines when there is one.
  void check_rules(const Entries& e);
  /// The set-up keys, from a scenario or (fixture = true) a fixture file.
  void read_setup(const YAML::Node& root, Scenario& s, bool fixture);
  void read_meeting(const YAML::Node& n, Scenario& s);
  void read_client_options(const YAML::Node& n, Scenario& s);
  void read_participants(const YAML::Node& n, Scenario& s);
  /// A token names one participant: two sharing one would make the server's choice between them
  /// an accident. A participant without a token has "token-<id>".
  void check_tokens(const Scenario& s);
  /// A participant as read (single or generated): into the scenario, the meeting and its groups.
  void add_participant(Scenario& s, const ParticipantSetup& p, const std::vector<std::string>& groups);
  std::optional<mock::IdentityKind> identity_of(const YAML::Node& where, const std::string& text);
  bool role_known(const YAML::Node& where, const std::string& text);
  /// Whether the scenario defines the participant (fixtures included), in constant time.
  bool known_participant(const Scenario& s, const std::string& id);
  bool is_client(const Scenario& s, const std::string& id);
  std::vector<std::string> participant_ids(const Scenario& s, bool clients_only) const;
  void unknown_participant(const YAML::Node& where, const Scenario& s, const std::string& id);
  void read_rooms(const YAML::Node& n, Scenario& s);
  void read_ignore(const YAML::Node& n, Scenario& s);

  // ---- generated participants and rooms, groups (generate_reader.cpp) ----
  std::optional<NamePattern> pattern(const Entries& e, const std::string& key, bool must_vary);
  std::optional<std::size_t> count(const YAML::Node& item, const Entries& e, std::size_t most, const std::string& what);
  std::vector<std::string> cycle(const Entries& e, const std::string& key,
                                 const std::function<bool(const YAML::Node&, const std::string&)>& valid);
  std::vector<std::string> read_group_names(const Entries& e);
  void read_generated_participants(const YAML::Node& item, Scenario& s);
  void read_generated_rooms(const YAML::Node& item, Scenario& s);
  std::optional<std::vector<std::string>> group_members(const YAML::Node& where, const Scenario& s, const std::string& name,
                                                        bool clients_only);
  /// The `participants:` of a step; clients_only for what clients do and see (not server actions).
  std::optional<Group> read_group(const YAML::Node& n, const Scenario& s, bool clients_only);
  /// Who a step is about: `participant:` (or the only client), or a group from `participants:`.
  bool step_who(const Entries& e, const YAML::Node& step, const Scenario& s, bool clients_only, std::string& participant,
                std::optional<Group>& group);

  // ---- expected values (value_reader.cpp) ----
  /// Checks an expected value against what the language allows there; `what` names it in messages
  /// ("'state'"); a key named `skip_key` in a mapping is left to the caller.
  void check_value(const YAML::Node& n, const ValueSpec& spec, const std::string& what, const std::string& skip_key = "");
  void check_matcher(const YAML::Node& n, const ValueSpec& spec, const std::string& what);

  // ---- steps (step_reader.cpp) ----
  bool check_event_type(const YAML::Node& where, const std::string& type);
  std::optional<std::string> step_participant(const Entries& e, const YAML::Node& step, const Scenario& s);
  std::optional<EventExpectation> read_expectation(const YAML::Node& item, const Entries& e, const std::string& type_key,
                                                   const Scenario& s);
  void read_steps(const YAML::Node& n, Scenario& s);
  bool read_server_step(const YAML::Node& item, Scenario& s, Step& step);
  bool read_client_step(const YAML::Node& item, Scenario& s, Step& step);
  /// `inside: {listener, event}` of a client step.
  std::optional<CallbackTrigger> read_trigger(const YAML::Node& n, const std::string& participant, const std::optional<Group>& group,
                                              const Scenario& s);
  /// Whether a listener of the participant by that name is subscribed by an earlier step (or is
  /// the default one); an error at `where` if not.
  bool check_listener(const YAML::Node& where, const std::string& participant, const std::string& name);
  /// The same for a step's participant or each member of its group.
  bool check_listener(const YAML::Node& where, const std::string& participant, const std::optional<Group>& group, const Scenario& s,
                      const std::string& name);
  bool read_advance_step(const YAML::Node& item, Step& step);
  bool read_expect_step(const YAML::Node& item, Scenario& s, Step& step);
  bool read_unordered_step(const YAML::Node& item, Scenario& s, Step& step);
  bool read_expect_no_step(const YAML::Node& item, Scenario& s, Step& step);
  bool read_expect_state_step(const YAML::Node& item, Scenario& s, Step& step);

  std::string file_;
  std::string source_;
  std::shared_ptr<LoadContext> context_;
  int depth_ = 0;
  std::map<std::string, std::string> included_;
  std::vector<Diagnostic> errors_;
  std::vector<std::pair<std::string, std::string>> missing_;
  std::set<std::string> rooms_;
  /// The participants' ids by id, for known_participant(); `indexed_` of the scenario's are in it.
  std::unordered_map<std::string, std::size_t> participant_index_;
  std::size_t indexed_ = 0;
  /// Listener names each participant's steps have subscribed so far.
  std::map<std::string, std::set<std::string>> listeners_;
};

}  // namespace breakout::scenario
