// harness explore: seeded random stories, played for real against the SDK and the mock server and
// compared with the reference model (breakout/model) and with invariants; a divergence is shrunk
// to a minimal story and written as an ordinary scenario. docs/exploring.md tells the whole of it.
#pragma once

#include <breakout/harness/runner.hpp>
#include <breakout/model/model.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace breakout::explore {

using model::Ms;
using model::Story;

/// How often each kind of step is chosen, relative to the others.
struct Weights {
  int server = 4;    // openRoom, closeRoom, assign, unassign, updateSettings, updateRoom
  int call = 4;      // join, returnToMainMeeting, hold, resume
  int listener = 1;  // subscribe, unsubscribe
  int fault = 1;     // duplicateNext, resendDetails (stale, duplicate)
  int advance = 3;   // virtual time, mostly to just before, at, or just after an SDK timer
};

struct GeneratorOptions {
  int participants = 3;
  int rooms = 2;
  int steps = 40;
  Weights weights;
};

/// The story number `index` of the exploration seeded with `seed`: the same pair, the same story.
Story generate(std::uint64_t seed, std::uint64_t index, const GeneratorOptions& options);

/// Where what the SDK did first parted from what must happen.
struct Divergence {
  /// "model" (the SDK and the model disagree), "invariant" (a property that holds whatever the
  /// model says), "nondeterminism" (two runs of one story differ) or "run" (the run itself failed).
  std::string kind;
  std::string participant;
  Ms at = 0;
  /// One line: what was expected and what was observed.
  std::string summary;
  /// A short name for it, fit for a scenario's `name:`.
  std::string title;
  /// What stays the same while shrinking: the kind, and the event type it is about.
  std::string signature;
};

struct CheckOptions {
  std::chrono::milliseconds wall_timeout{10000};
  bool check_determinism = false;
};

struct Checked {
  std::optional<Divergence> divergence;
  model::Prediction prediction;
  std::uint64_t frames = 0;
};

/// Plays the story against the SDK (observing only) and compares with the model and invariants.
Checked check_story(const Story& story, const harness::DriverFactory& drivers, const CheckOptions& options);

/// The story as a scenario file. With `expectations`, every event the model predicts is expected
/// after the step that causes it (so `harness run` fails where the SDK diverges); without, the
/// calls are made and nothing is checked (what exploring plays).
struct YamlOptions {
  const model::Prediction* expectations = nullptr;
  /// Tightens the expectation where this divergence happened (an event that came too early).
  const Divergence* divergence = nullptr;
  std::string name = "explored story";
  std::string description;
};
std::string to_yaml(const Story& story, const YamlOptions& options);

/// Reduces a story while `still_fails` holds: fewer steps, participants and rooms, shorter
/// advances, simpler values. Deterministic; at most `budget` candidates are tried.
Story shrink(Story story, const std::function<bool(const Story&)>& still_fails, int budget);

struct ExploreOptions {
  std::uint64_t seed = 1;
  std::uint64_t runs = 1000;
  std::optional<std::chrono::milliseconds> time;
  GeneratorOptions generator;
  CheckOptions check;
  int jobs = 1;
  int shrink_budget = 400;
  std::string out_dir = "explored";
  /// How the exploration was started, for the replay command in the written scenario.
  std::string command;
  bool progress = false;
};

struct ExploreResult {
  std::uint64_t stories = 0;
  std::uint64_t steps = 0;
  std::uint64_t transitions = 0;
  std::uint64_t frames = 0;
  std::set<std::string> rules;
  std::chrono::milliseconds wall{0};
  /// The first story (by number) that diverged, shrunk, and where it was written.
  std::optional<std::uint64_t> failing_index;
  std::optional<Divergence> divergence;
  Story shrunk;
  std::string written;
  std::string yaml;
  /// Whether the written scenario fails under `harness run` as it should.
  bool written_fails = false;
  std::string error;
};

ExploreResult run_exploration(const harness::DriverFactory& drivers, const ExploreOptions& options, std::ostream& progress);

}  // namespace breakout::explore
