// A scenario: set-up, steps and expectations, each with the place in the file it came from.
#pragma once

#include <breakout/scenario/diagnostics.hpp>
#include <breakout/mock_server/actions.hpp>
#include <breakout/mock_server/meeting.hpp>
#include <breakout/protocol/clock.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace YAML {
class Node;
}

namespace breakout::scenario {

using Json = nlohmann::json;

struct ParticipantSetup {
  mock::ParticipantConfig config;
  /// Whether an SDK client plays this participant (false: it exists only on the server).
  bool client = true;
  /// Whether the client joins the main meeting during set-up.
  bool join_meeting = true;
  /// Whether the client connects during set-up (false: a "connect" action does it).
  bool connect = true;
  SourceLoc loc;
};

/// Several participants named at once in a step (`participants:`, docs/scenarios.md "Groups"): the
/// step is made for each member, in the order the scenario lists participants.
struct Group {
  enum class Kind {
    /// Named when the file loads: a list of ids, a named group, or everyone.
    fixed,
    /// The participants assigned to `room` on the Teams side when the step runs.
    room,
    /// The participants assigned to any room when the step runs.
    in_rooms,
  };
  Kind kind = Kind::fixed;
  std::vector<std::string> members;
  std::string room;
  /// How the scenario wrote it, for messages ("group attendees", "everyone", "room room3").
  std::string text;
};

/// A server action of the scenario language (docs/scenarios.md), as sent to the mock server.
struct ServerStep {
  Json action;
  mock::Action parsed;
  /// Set: the action is applied once per member, with the member as its `participant`.
  std::optional<Group> group;
};

/// When an action runs inside a listener's callback: the next time that listener receives an event
/// of that type (docs/scenarios.md, "Listeners and callbacks").
struct CallbackTrigger {
  std::string listener = "default";
  std::string event;
};

/// A call the participant's SDK client makes.
struct ClientStep {
  std::string participant;
  /// Set: every member makes the call, one after the other (`participant` is empty).
  std::optional<Group> group;
  std::string action;
  Json args = Json::object();
  /// Set: the call is made inside a listener's callback, later; its result is a `callResult`
  /// event. Unset: the call is made now.
  std::optional<CallbackTrigger> inside;
  /// Whether the step waits for the call's result (false: `wait: false`; the result is a
  /// `callResult` event, and later steps run while the call is in flight).
  bool wait = true;
  /// When set, the action must fail with these fields (code, subCode, category).
  std::optional<Json> expect_error;
  /// Virtual time the action may take to complete (0: it completes at once, as most do).
  clock::Duration within{0};
};

struct AdvanceStep {
  clock::Duration by{0};
};

/// One expected event: by type, for a participant, with partial matching of its data.
struct EventExpectation {
  std::string participant;
  /// Set: every member must see the event, in any order among them (`participant` is empty).
  std::optional<Group> group;
  std::string type;
  /// The listener that must have received it: "" for the default one (and for events that do not
  /// come through listeners).
  std::string listener;
  std::optional<Json> data;
  /// Values to remember from the matched event: name → dotted path into its data. Captured for a
  /// group, each member keeps their own value.
  std::map<std::string, std::string> capture;
  SourceLoc loc;
};

struct ExpectStep {
  /// Several expectations that may be met in any order (an "unordered" group) or just one.
  std::vector<EventExpectation> events;
  clock::Duration within{0};
};

/// No matching event for a while (virtual time advances by `duration`).
struct ExpectNoStep {
  EventExpectation event;
  clock::Duration duration{0};
};

/// The participant's state, compared partially.
struct ExpectStateStep {
  std::string participant;
  Json state;
  std::optional<Group> group;
};

using StepBody = std::variant<ServerStep, ClientStep, AdvanceStep, ExpectStep, ExpectNoStep, ExpectStateStep>;

struct Step {
  StepBody body;
  SourceLoc loc;
  /// The step's one-line rendering for logs ("server: openRoom room=room1").
  std::string summary;
  /// The step as written, as JSON (scalars typed as YAML reads them): what a trace keeps of a
  /// failing step, so that a scenario made from the trace can fail the same way.
  Json source;
};

/// Events of these types (optionally of one participant) may happen without being expected.
struct IgnoreRule {
  std::string type;
  std::optional<std::string> participant;
};

/// The longest `timeout:` a scenario may ask for: a file from a pull request cannot hold a CI job
/// for longer.
constexpr std::chrono::milliseconds kMaxTimeout{3'600'000};

struct Scenario {
  std::string file;
  /// The file's text, for showing source lines in diagnostics.
  std::string source;
  std::string name;
  std::string description;
  std::vector<std::string> rules;
  std::vector<std::string> tags;
  /// When set, the scenario is expected to fail, for this reason (XFAIL).
  std::optional<std::string> xfail;
  std::optional<std::string> skip;
  /// Real (wall-clock) time the scenario may take before it is a TIMEOUT: its `timeout:`, which
  /// takes the place of the runner's default (`--timeout-ms`). At most kMaxTimeout.
  std::optional<std::chrono::milliseconds> timeout;
  mock::MeetingConfig meeting;
  std::vector<ParticipantSetup> participants;
  /// Named groups of participants (`group:` in the set-up), members in the scenario's order.
  std::map<std::string, std::vector<std::string>> groups;
  std::vector<IgnoreRule> ignore;
  /// Options of every participant's SDK client: {"autoMoveDelay": ms, "hangUpDelay": ms}.
  Json client_options = Json::object();
  std::vector<Step> steps;
  SourceLoc loc;
};

/// The result of loading a file: its scenarios (one, or one per matrix variant), or every error
/// found in it and in the fixtures it includes.
struct LoadResult {
  std::vector<Scenario> scenarios;
  std::vector<Diagnostic> errors;
  /// The text of the file and of each fixture it includes, by path, for showing source lines.
  std::map<std::string, std::string> sources;
  /// The scenario's `name:` when the file read as YAML far enough to have one, even if it does not
  /// validate: what reports call a file that is UNRESOLVED.
  std::string name;
  bool ok() const { return errors.empty() && !scenarios.empty(); }
};

/// A YAML node as JSON: plain scalars become booleans, null, integers or numbers where they read
/// as such, quoted ones stay strings.
Json yaml_to_json(const YAML::Node& node);

/// Every error of a load, rendered with its source line and caret.
std::string render_errors(const LoadResult& result);

struct LoadOptions {
  /// The scenario tree (docs/scenarios.md) that includes must stay inside; empty: found from the
  /// path (ScenarioTree::find_root).
  std::string root;
  /// The rule ids `rules:` may name (read_rule_catalogue); empty: any id of the right form.
  std::vector<std::string> known_rules;
  /// The text was written by the harness from a trace (a replay): the size limits are those
  /// of LoadLimits::from_trace_*, not those of a file an author writes.
  bool from_trace = false;
};

/// Reads a scenario file (a regular file of at most LoadLimits::file_bytes) and checks it.
LoadResult load_scenario_file(const std::string& path, const LoadOptions& options = {});
LoadResult load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& options = {});

/// The set-up of a scenario in the scenario language (timeout, meeting, clientOptions, participants,
/// rooms), as JSON with defaults left out: a trace's header keeps it, trace-to-scenario writes it back.
Json setup_json(const Scenario& scenario);

/// The event types that come through the breakout rooms feature's listeners.
const std::vector<std::string>& listener_event_types();

/// The event types a scenario can expect, and the data fields each has.
const std::map<std::string, std::vector<std::string>>& event_types();
/// The client actions a scenario can perform, and the arguments each takes.
const std::map<std::string, std::vector<std::string>>& client_actions();

}  // namespace breakout::scenario
