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
#include <set>
#include <string>
#include <vector>

namespace breakout::scenario {

inline std::vector<std::string> keys_of(const std::map<std::string, std::vector<std::string>>& m) {
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
  bool known_participant(const Scenario& s, const std::string& id) const;
  std::vector<std::string> participant_ids(const Scenario& s, bool clients_only) const;
  void unknown_participant(const YAML::Node& where, const Scenario& s, const std::string& id);
  void read_rooms(const YAML::Node& n, Scenario& s);
  void read_ignore(const YAML::Node& n, Scenario& s);

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
  std::optional<CallbackTrigger> read_trigger(const YAML::Node& n, const std::string& participant);
  /// Whether a listener of the participant by that name is subscribed by an earlier step (or is
  /// the default one); an error at `where` if not.
  bool check_listener(const YAML::Node& where, const std::string& participant, const std::string& name);
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
  /// Listener names each participant's steps have subscribed so far.
  std::map<std::string, std::set<std::string>> listeners_;
};

}  // namespace breakout::scenario
