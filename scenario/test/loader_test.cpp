// Scenario loading: every mistake a diagnostic at file:line:col, all of them at once.
#include <breakout/scenario/scenario.hpp>

#include <catch2/catch.hpp>

using namespace breakout::scenario;

namespace {

const char* kValid = R"(name: ok
participants:
  - id: alice
rooms:
  - id: room1
    participants: [alice]
steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
    data: { state: open }
    within: 3s
)";

std::vector<std::string> messages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.loc.to_string() + ": " + d.message);
  return out;
}

}  // namespace

TEST_CASE("a valid scenario loads with its steps and defaults", "[scenario][loader]") {
  auto r = load_scenario_text(kValid, "s.yaml");
  REQUIRE(r.errors.empty());
  REQUIRE(r.ok());
  CHECK(r.scenarios.front().steps.size() == 2);
  const auto& expect = std::get<ExpectStep>(r.scenarios.front().steps[1].body);
  CHECK(expect.events.at(0).participant == "alice");  // the only client is the default participant
  CHECK(expect.within == std::chrono::seconds(3));
  CHECK(r.scenarios.front().steps[1].loc.line == 10);
}

TEST_CASE("a YAML syntax error is reported at its line and column, not thrown", "[scenario][loader]") {
  auto r = load_scenario_text("name: x\nsteps: [\n  - a: b\n", "broken.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].loc.file == "broken.yaml");
  CHECK(r.errors[0].loc.line > 0);
  CHECK(r.errors[0].message.rfind("YAML syntax error", 0) == 0);
}

TEST_CASE("an unknown key gets a did-you-mean suggestion", "[scenario][loader]") {
  std::string text = kValid;
  text.replace(text.find("participants:\n  - id"), 12, "particpants");
  auto r = load_scenario_text(text, "s.yaml");
  auto m = messages(r);
  CHECK(std::find(m.begin(), m.end(), "s.yaml:2:1: unknown key 'particpants' in the scenario; did you mean 'participants'?") != m.end());
}

TEST_CASE("all the errors of a file are reported at once", "[scenario][loader]") {
  auto r = load_scenario_text(R"(name: many
participants:
  - id: alice
  - id: bob
steps:
  - server: opnRoom
    room: room1
  - expect: asignedBreakoutRooms
    participant: alice
  - expect: join
    participant: carol
  - advance: soon
  - do: join
)", "m.yaml");
  auto m = messages(r);
  REQUIRE(m.size() == 5);
  CHECK(m[0] == "m.yaml:6:13: unknown server action 'opnRoom'; did you mean 'openRoom'?");
  CHECK(m[1] == "m.yaml:8:13: unknown event type 'asignedBreakoutRooms'; did you mean 'assignedBreakoutRooms'?");
  CHECK(m[2] == "m.yaml:11:18: unknown participant 'carol'");
  CHECK(m[3] == "m.yaml:12:14: 'advance' must be a duration such as 250ms, 3s, 1.5s or 5m");
  CHECK(m[4] == "m.yaml:13:5: the step needs 'participant' (the scenario has several clients)");
}

TEST_CASE("server action fields are checked by the mock server's own reader", "[scenario][loader]") {
  auto r = load_scenario_text(R"(name: x
participants: [{id: alice}]
steps:
  - server: createRoom
    room: r2
    autoMove: yes
  - server: closeRoom
    room: r3
)", "a.yaml");
  auto m = messages(r);
  REQUIRE(m.size() == 2);
  CHECK(m[0] == "a.yaml:6:15: expected true or false");
  CHECK(m[1] == "a.yaml:8:11: unknown room 'r3'");
}

TEST_CASE("an event's data fields are checked against the event type", "[scenario][loader]") {
  auto r = load_scenario_text(R"(name: x
participants: [{id: alice}]
steps:
  - expect: callStateChanged
    data: { call: main, stat: Connected }
)", "d.yaml");
  auto m = messages(r);
  REQUIRE(m.size() == 1);
  CHECK(m[0] == "d.yaml:5:25: event 'callStateChanged' has no field 'stat'; did you mean 'state'?");
}

TEST_CASE("a diagnostic renders the source line with a caret under the column", "[scenario][diagnostics]") {
  Diagnostic d{Diagnostic::Severity::error, {"f.yaml", 2, 5}, "bad thing", {}};
  CHECK(render(d, "a: 1\nb:  oops\n") == "f.yaml:2:5: error: bad thing\nb:  oops\n    ^\n");
}

TEST_CASE("did_you_mean suggests only close words", "[scenario][diagnostics]") {
  CHECK(did_you_mean("opnRoom", {"openRoom", "closeRoom"}) == "openRoom");
  CHECK(did_you_mean("zzzzzz", {"openRoom", "closeRoom"}).empty());
}

TEST_CASE("an included fixture's set-up comes first, and its rooms can be used by the steps", "[scenario][loader][include]") {
  auto r = load_scenario_file(BREAKOUT_TEST_DATA "/uses-fixture.yaml");
  INFO(render_errors(r));
  REQUIRE(r.ok());
  const auto& s = r.scenarios.front();
  REQUIRE(s.participants.size() == 2);
  CHECK(s.participants[0].config.id == "alice");
  CHECK(s.participants[1].config.id == "bob");
  CHECK(s.meeting.rooms.at(0).participants == std::vector<std::string>{"alice"});
}

TEST_CASE("mistakes in a fixture are reported in the fixture, with its own source line", "[scenario][loader][include]") {
  auto r = load_scenario_file(BREAKOUT_TEST_DATA "/broken-fixture.yaml");
  REQUIRE_FALSE(r.ok());
  auto m = messages(r);
  REQUIRE(m.size() == 2);
  CHECK(m[0] == std::string(BREAKOUT_TEST_DATA) + "/fixtures/broken.yaml:3:11: unknown role 'Boss'");
  CHECK(m[1].find("cannot include") != std::string::npos);
  CHECK(m[1].find("No such file or directory") != std::string::npos);
  CHECK(render_errors(r).find("    role: Boss\n          ^") != std::string::npos);
}

TEST_CASE("a matrix expands one file into named variants with the values put in", "[scenario][loader][matrix]") {
  auto r = load_scenario_text(R"(name: kinds
matrix:
  kind: [group, room]
  auto: [true, false]
meeting: { kind: ${kind} }
participants: [{id: alice}]
rooms: [{id: r1, autoMove: ${auto}}]
steps: []
)", "x.yaml");
  INFO(render_errors(r));
  REQUIRE(r.ok());
  REQUIRE(r.scenarios.size() == 4);
  CHECK(r.scenarios[0].name == "kinds [kind=group, auto=true]");
  CHECK(r.scenarios[3].name == "kinds [kind=room, auto=false]");
  CHECK(r.scenarios[3].meeting.kind == breakout::mock::CallKind::room);
  CHECK_FALSE(r.scenarios[3].meeting.rooms.at(0).auto_move);
  CHECK(std::find(r.scenarios[1].tags.begin(), r.scenarios[1].tags.end(), "auto=false") != r.scenarios[1].tags.end());
}

TEST_CASE("a matrix value that makes a variant invalid is reported once", "[scenario][loader][matrix]") {
  auto r = load_scenario_text(R"(name: kinds
matrix:
  kind: [group, nope]
meeting: { kind: ${kind} }
participants: [{id: alice}]
steps: []
)", "x.yaml");
  REQUIRE_FALSE(r.ok());
  auto m = messages(r);
  REQUIRE(m.size() == 1);
  CHECK(m[0].find("unknown meeting kind 'nope'") != std::string::npos);
}

TEST_CASE("a file over 1 MiB is refused before it is parsed", "[scenario][loader]") {
  std::string text = "name: large\nparticipants: [{id: a}]\nsteps:\n";
  while (text.size() <= (1 << 20)) text += "  - advance: 1s\n";
  auto loaded = load_scenario_text(text, "large.yaml");
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].message == "the file is " + std::to_string(text.size()) + " bytes; a scenario may have at most 1048576 (1 MiB)");
}

TEST_CASE("rules: names rule ids the catalogue defines, with did-you-mean", "[scenario][loader][rules]") {
  LoadOptions options;
  options.known_rules = {"BR-MOVE-1", "BR-MOVE-2"};
  auto r = load_scenario_text("name: x\nrules: [BR-MOVE-2, BR-MOVE-3, move-1]\nparticipants: [{id: alice}]\nsteps: []\n", "r.yaml", options);
  auto m = messages(r);
  REQUIRE(m.size() == 2);
  CHECK(m[0] == "r.yaml:2:20: unknown rule 'BR-MOVE-3'; did you mean 'BR-MOVE-1'?");
  CHECK(m[1] == "r.yaml:2:31: 'move-1' is not a rule id (BR-AREA-N, like BR-MOVE-2)");
  // Without a catalogue only the form is checked.
  CHECK(messages(load_scenario_text("name: x\nrules: [BR-MOVE-3]\nparticipants: [{id: alice}]\nsteps: []\n", "r.yaml")).empty());
}

TEST_CASE("a scenario's timeout is read, and one of nothing or over an hour is a diagnostic", "[scenario][loader]") {
  auto r = load_scenario_text(std::string("timeout: 90s\n") + kValid, "s.yaml");
  REQUIRE(r.ok());
  CHECK(r.scenarios.front().timeout == std::chrono::seconds(90));
  CHECK_FALSE(load_scenario_text(kValid, "s.yaml").scenarios.front().timeout.has_value());
  for (const char* bad : {"0ms", "2h", "soon"}) {
    auto b = load_scenario_text(std::string("timeout: ") + bad + "\n" + kValid, "s.yaml");
    REQUIRE_FALSE(b.ok());
    INFO(bad);
    CHECK(messages(b).front().rfind("s.yaml:1:10: 'timeout' must be", 0) == 0);
  }
}
