// Traces: what they hold, trace → scenario → trace round trips over the whole suite, replays, and
// scenarios made from failing runs that fail the same way.
#include <breakout/harness/trace_tools.hpp>
#include <breakout/scenario/tree.hpp>

#include "sdk_driver.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include <filesystem>
#include <functional>

using namespace breakout::harness;
namespace trace = breakout::trace;
namespace fs = std::filesystem;

namespace {

RunOptions tracing() {
  RunOptions o;
  o.trace = true;
  return o;
}

ScenarioResult run_text(const std::string& text, const std::string& path = "t.yaml") {
  auto loaded = load_scenario_text(text, path);
  INFO(render_errors(loaded));
  REQUIRE(loaded.ok());
  return run_scenario(loaded.scenarios.front(), sdk_driver_factory(), tracing());
}

trace::ReadResult reread(const ScenarioResult& r) {
  auto t = trace::parse_trace(trace_text(r), "run.trace.jsonl");
  for (const auto& e : t.errors) INFO(e);
  REQUIRE(t.ok());
  return t;
}

/// The first line of a failure without its file:line:col, which differ between the two files.
std::string what_failed(const std::string& message) {
  std::string first = message.substr(0, message.find('\n'));
  auto pos = first.find(": error: ");
  return pos == std::string::npos ? first : first.substr(pos + 9);
}

/// Calls `f(file, scenario)` for every variant of every scenario of the suite that is not skipped.
void for_each_suite_scenario(const std::function<void(const std::string&, const Scenario&)>& f) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(BREAKOUT_SOURCE_DIR) / "scenarios")) {
    auto p = e.path();
    if (!e.is_regular_file() || p.extension() != ".yaml") continue;
    bool skip = false;
    for (const auto& part : p) skip = skip || part == "fixtures" || part == "invalid";
    if (!skip) files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    LoadResult loaded = load_scenario_file(file);
    REQUIRE(loaded.ok());
    for (const auto& scenario : loaded.scenarios) {
      if (scenario.skip) continue;
#ifdef BREAKOUT_SANITIZED_BUILD
      // Under a sanitizer the thousand-participant story costs minutes per play, and these tests
      // play it three times; its own CTest test still runs it there, and the default build takes
      // it through every trace round trip.
      if (std::find(scenario.tags.begin(), scenario.tags.end(), "scale") != scenario.tags.end()) continue;
#endif
      INFO(scenario.name << " (" << file << ")");
      f(file, scenario);
    }
  }
}

const std::string kBug = R"(name: the app stays in the room after the organizer closed it
participants:
  - id: alice
    displayName: Alice
rooms:
  - id: room1
    name: Room 1
    participants: [alice]
ignore: [assignedBreakoutRooms, callStateChanged]
steps:
  - server: openRoom
    room: room1
  - expect: join
    within: 3s
  - server: closeRoom
    room: room1
  - expect: callStateChanged
    data: { call: room, state: Disconnected }
    within: 1s
)";

}  // namespace

TEST_CASE("a trace holds the wire both ways, calls, events, state changes and server actions, in virtual time", "[harness][trace]") {
  auto r = run_text(R"(name: hold and resume
participants:
  - id: alice
steps:
  - advance: 2s
  - do: hold
  - expect: callStateChanged
    data: { state: LocalHold }
)");
  REQUIRE(r.outcome == Outcome::pass);
  auto t = reread(r);
  CHECK(t.header["version"] == trace::format_version);
  CHECK(t.header["source"] == "harness");
  CHECK(t.header["setup"]["participants"][0]["id"] == "alice");
  auto find = [&](const std::string& kind, const std::string& needle) -> const trace::Json* {
    for (const auto& rec : t.records)
      if (rec["kind"] == kind && rec.dump().find(needle) != std::string::npos) return &rec;
    return nullptr;
  };
  const auto* up = find("wire", "\"method\":\"hold\"");
  REQUIRE(up);
  CHECK((*up)["dir"] == "up");
  CHECK((*up)["t"] == 2000);
  CHECK((*up)["participant"] == "alice");
  const auto* call = find("call", "hold");
  REQUIRE(call);
  CHECK((*call)["t"] == 2000);
  CHECK(find("wire", "\"type\":\"response\""));
  CHECK(find("state", "LocalHold"));
  CHECK(find("result", "\"ok\":true"));
  CHECK(find("connection", "opened"));
  CHECK(t.records.back()["kind"] == "end");
  CHECK(t.records.back()["outcome"] == "PASS");
  CHECK(t.records.back()["t"] == 2000);
}

TEST_CASE("every scenario of the suite survives trace → scenario → trace with the same records", "[harness][trace][suite]") {
  for_each_suite_scenario([&](const std::string& file, const Scenario& scenario) {
    ScenarioResult first = run_scenario(scenario, sdk_driver_factory(), tracing());
    auto t = reread(first);
    GeneratedScenario g = trace_to_scenario(t, {file + ".trace.jsonl", true, true});
    ReplayResult replayed = replay(t, file, sdk_driver_factory(), RunOptions{});
    INFO(replayed.report);
    CHECK(replayed.same);
    if (g.yaml.size() > breakout::scenario::LoadLimits::file_bytes) {
      // A meeting of a thousand: one expectation per event each participant saw is more than a
      // scenario file may hold, and the loader says so (the trace still replays, above).
      CHECK(scenario.participants.size() >= 1000);
      CHECK(render_errors(load_scenario_text(g.yaml, "generated.yaml")).find("a scenario may have at most") != std::string::npos);
      return;
    }
    INFO(g.yaml);
    ScenarioResult second = run_text(g.yaml, "generated.yaml");
    // A scenario expected to fail still fails, the same way; one that passed passes.
    bool failed = first.outcome == Outcome::fail || first.outcome == Outcome::xfail;
    CHECK(second.outcome == (failed ? Outcome::fail : Outcome::pass));
    if (failed) CHECK(what_failed(second.message) == what_failed(first.message));
    else INFO(second.message);
    CHECK(comparable_records(second.trace) == comparable_records(first.trace));
  });
}

TEST_CASE("a scenario made from a failing run fails the same way, and passes once the expectation is true", "[harness][trace]") {
  // Expecting the room call to end within 1 s is wrong: the SDK waits the hang-up delay (5 s).
  ScenarioResult failing = run_text(kBug, "bug.yaml");
  REQUIRE(failing.outcome == Outcome::fail);
  auto t = reread(failing);
  CHECK(t.records.back()["outcome"] == "FAIL");
  GeneratedScenario g = trace_to_scenario(t, {"bug.trace.jsonl", true, true});
  ScenarioResult again = run_text(g.yaml, "regression.yaml");
  CHECK(again.outcome == Outcome::fail);
  CHECK(what_failed(again.message) == what_failed(failing.message));
  CHECK(what_failed(again.message) == "expected callStateChanged for alice within 1s, but it was not observed");

  // Without the failed step it is what was observed, and passes.
  GeneratedScenario observed = trace_to_scenario(t, {"bug.trace.jsonl", true, false});
  CHECK(run_text(observed.yaml, "observed.yaml").outcome == Outcome::pass);
}

TEST_CASE("an event the scenario did not allow stays unexpected in the scenario made from the trace", "[harness][trace]") {
  ScenarioResult failing = run_text(R"(name: forgets the settings event
participants:
  - id: alice
steps:
  - server: updateSettings
    disableReturnToMainMeeting: true
)");
  REQUIRE(failing.outcome == Outcome::fail);
  GeneratedScenario g = trace_to_scenario(reread(failing), {"t.trace.jsonl", true, true});
  ScenarioResult again = run_text(g.yaml, "regression.yaml");
  CHECK(again.outcome == Outcome::fail);
  CHECK(what_failed(again.message) == what_failed(failing.message));
}

TEST_CASE("a replay shows the first record where the SDK now behaves differently", "[harness][trace]") {
  ScenarioResult r = run_text(kBug);
  auto t = reread(r);
  // Pretend the recorded SDK joined the room 1 s later than this one does.
  for (auto& rec : t.records)
    if (rec["kind"] == "wire" && rec.dump().find("joinBreakoutRoom") != std::string::npos) {
      rec["frame"]["params"]["joinUrl"] = "https://teams.microsoft.com/l/meetup-join/19%3aother%40thread.v2/0";
      break;
    }
  ReplayResult replayed = replay(t, "edited.trace.jsonl", sdk_driver_factory(), RunOptions{});
  CHECK_FALSE(replayed.same);
  CHECK(replayed.report.find("the SDK behaved differently at record") != std::string::npos);
  CHECK(replayed.report.find(" (alice at +3s)\n") != std::string::npos);
  CHECK(replayed.report.find("expected: {\"t\":3000,\"kind\":\"wire\",\"participant\":\"alice\",\"dir\":\"up\"") != std::string::npos);
  CHECK(replayed.report.find("19%3aother%40thread.v2") != std::string::npos);
  CHECK(replayed.report.find("19%3abreakout_room1%40thread.v2") != std::string::npos);
}

TEST_CASE("a broken trace is refused with the file and line of each problem", "[harness][trace]") {
  auto check = [](const std::string& text, const std::string& expected) {
    auto t = trace::parse_trace(text, "x.trace.jsonl");
    REQUIRE_FALSE(t.ok());
    CHECK(t.errors.front() == expected);
  };
  check("", "x.trace.jsonl:1: empty trace: no header");
  check("{\"t\":0,\"kind\":\"wire\"}\n", "x.trace.jsonl:1: the first record must be the header ({\"kind\":\"trace\",...}), not \"wire\"");
  check("{\"kind\":\"trace\",\"version\":2,\"setup\":{}}\n", "x.trace.jsonl:1: this trace is format version 2; this build reads version 1");
  const std::string h = "{\"kind\":\"trace\",\"version\":1,\"setup\":{}}\n";
  check(h + "{\"t\":5,\"kind\":\"end\"}\n{\"t\":4,\"kind\":\"end\"}\n", "x.trace.jsonl:3: time goes backwards (t 4 after 5)");
  check(h + "{\"t\":0,\"kind\":\"wyre\"}\n", "x.trace.jsonl:2: unknown record kind \"wyre\"");
  check(h + "{\"t\":0,\"kind\":\"end\"\n", "x.trace.jsonl:2: not a JSON record: " +
                                              breakout::protocol::parse_json("{\"t\":0,\"kind\":\"end\"").error().message);
  check(h + "{\"kind\":\"end\"}\n", "x.trace.jsonl:2: the record has no integer time \"t\"");
  // Found by the trace fuzzer: a wire record without its direction.
  check(h + "{\"t\":0,\"kind\":\"wire\",\"participant\":\"a\",\"frame\":{}}\n",
        "x.trace.jsonl:2: a wire record needs \"dir\": \"up\" or \"down\"");
  check("{\"kind\":\"trace\",\"version\":1,\"setup\":{\"participants\":[{\"name\":\"a\"}]}}\n",
        "x.trace.jsonl:1: each participant of the set-up needs a string \"id\"");
}

namespace {

/// What the standalone mock server records of the same run: its side only, of a client it does not know.
trace::ReadResult as_server_recording(const trace::ReadResult& t) {
  trace::ReadResult out;
  out.header = t.header;
  out.header["source"] = "mock_server";
  for (const auto& r : t.records)
    if (r["kind"] == "wire" || r["kind"] == "server" || r["kind"] == "connection" || r["kind"] == "end") out.records.push_back(r);
  return out;
}

}  // namespace

TEST_CASE("a server-side recording of a client reads as that client's calls, passes as a scenario, and replays the same", "[harness][trace][suite]") {
  int replayed_same = 0, total = 0;
  std::vector<std::string> different;
  for_each_suite_scenario([&](const std::string& file, const Scenario& scenario) {
    auto recording = as_server_recording(reread(run_scenario(scenario, sdk_driver_factory(), tracing())));
    GeneratedScenario g = trace_to_scenario(recording, {"session.trace.jsonl", true, true});
    INFO(g.yaml);
    LoadResult generated = load_scenario_text(g.yaml, "generated.yaml");
    INFO(render_errors(generated));
    REQUIRE(generated.ok());
    ScenarioResult played = run_scenario(generated.scenarios.front(), sdk_driver_factory(), RunOptions{});
    INFO(played.message);
    ReplayResult r = replay(recording, file, sdk_driver_factory(), RunOptions{});
    // Known limit (XFAIL): a server recording shows a client's request and, before its answer, a
    // change on the Teams side; the scenario made from it, and replay, make the call as one they
    // wait for, so the change comes after the answer instead of before. The in-flight races (tag
    // "race") are such stories.
    bool race = std::find(scenario.tags.begin(), scenario.tags.end(), "race") != scenario.tags.end();
    if (race && !(r.same && played.outcome == Outcome::pass)) {
      WARN("XFAIL " << file << ": a server recording's in-flight call is read back as one the story waits for (known limit)");
      return;
    }
    if (played.outcome != Outcome::pass) different.push_back(file + ": " + played.message);
    ++total;
    if (r.same) ++replayed_same;
    else different.push_back(file + ": " + r.report + "\n" + g.yaml);
  });
  for (const auto& d : different) UNSCOPED_INFO(d);
  CHECK(different.empty());
  CHECK(replayed_same == total);
}
