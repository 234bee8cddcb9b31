// Steps about several participants at once: every member in turn, captures of their own,
// ${member.*}, groups read from the Teams side when the step runs, and failures that name the member.
#include <breakout/harness/runner.hpp>

#include "sdk_driver.hpp"

#include <catch2/catch.hpp>

using namespace breakout::harness;

namespace {

const std::string kSetup = R"(name: groups
clientOptions: { autoMoveDelay: 1s }
participants:
  - { id: olivia, identity: microsoft365, role: Organizer }
  - { generate: 4, id: 'p{n}', displayName: 'P {n}', group: pupils }
rooms:
  - { generate: 2, id: 'room{n}', name: 'Room {n}', autoMove: false, assign: { group: pupils, by: blocks } }
ignore: [breakoutRooms, callStateChanged]
)";

ScenarioResult run_text(const std::string& text) {
  auto loaded = load_scenario_text(text, "g.yaml");
  INFO(render_errors(loaded));
  REQUIRE(loaded.ok());
  return run_scenario(loaded.scenarios.front(), sdk_driver_factory(), RunOptions{});
}

}  // namespace

TEST_CASE("a group step is made for each member, who sees their own room and keeps their own captures", "[harness][groups]") {
  // Every pupil is told of their own room and keeps its thread; room2's members join it.
  const std::string opened = kSetup + R"(steps:
  - server: openAllRooms
  - expect: assignedBreakoutRooms
    participants: { group: pupils }
    data: { displayName: "${member.roomName}", state: open }
    capture: { thread: threadId }
  - do: join
    participants: { room: room2 }
)";
  auto r = run_text(opened + R"(  - expect: join
    participants: [p3, p4]
  - expectState: { roomCallInfo: { threadId: "${thread}" }, roomCall: Connected }
    participants: inRooms
    # p1 and p2 did not join: their check fails
)");
  // inRooms is everyone assigned, p1 and p2 included: p1 is the first to differ, and is named.
  REQUIRE(r.outcome == Outcome::fail);
  CHECK(r.message.find("for p1 (member 1 of 4, everyone in a room): the state of p1 differs at state.roomCall\n") != std::string::npos);

  auto ok = run_text(opened + R"(  - expect: join
    participants: { room: room2 }
  - expectState: { roomCallInfo: { threadId: "${thread}" }, roomCall: Connected }
    participants: [p3, p4]
  - expectState: { roomCall: null }
    participants: { room: room1 }
)");
  INFO(ok.message);
  CHECK(ok.outcome == Outcome::pass);
}

TEST_CASE("an expectation for a group names the member who did not see the event", "[harness][groups]") {
  auto r = run_text(kSetup + R"(steps:
  - server: assign
    participant: p4
    room: room1
  - expect: assignedBreakoutRooms
    participant: p4
    data: { displayName: Room 1 }
  - server: openRoom
    room: room2
  - expect: assignedBreakoutRooms
    participants: { group: pupils }
    data: { state: open }
)");
  REQUIRE(r.outcome == Outcome::fail);
  CHECK(r.message.find("g.yaml:18:5: error: expected assignedBreakoutRooms for p1 (of group pupils) by now") != std::string::npos);
}

TEST_CASE("a room's members are read from the Teams side when the step runs, and a step for no one fails", "[harness][groups]") {
  auto r = run_text(kSetup + R"(steps:
  - server: unassign
    participants: { room: room1 }
  - expect: assignedBreakoutRooms
    participants: [p1, p2]
    data: null
  - do: join
    participants: { room: room1 }
)");
  REQUIRE(r.outcome == Outcome::fail);
  CHECK(r.message.find("g.yaml:15:5: error: the step is for room room1, which has no members now") != std::string::npos);
}

TEST_CASE("a client call that fails for one member stops the step there, naming the member", "[harness][groups]") {
  auto r = run_text(kSetup + R"(steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
    participants: [p1, p2]
    data: { state: open }
  - do: join
    participants: { group: pupils }
)");
  REQUIRE(r.outcome == Outcome::fail);
  CHECK(r.message.find("for p3 (member 3 of 4, group pupils): 'join' failed") != std::string::npos);
}
