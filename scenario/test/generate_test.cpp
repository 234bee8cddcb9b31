// Generated participants and rooms, assignment rules, named groups and the group references of
// steps: what they make, and a file:line:col diagnostic for each way to get them wrong.
#include <breakout/scenario/scenario.hpp>

#include <catch2/catch.hpp>

using namespace breakout::scenario;

namespace {

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += d.loc.to_string() + ": " + d.message + "\n";
  return out;
}

/// The first error, as "line:col: message".
std::string first_error(const std::string& text) {
  auto r = load_scenario_text(text, "g.yaml");
  if (r.errors.empty()) return "(no error)";
  const auto& d = r.errors.front();
  return std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + ": " + d.message;
}

const char* kMeeting = R"(name: generated
participants:
  - { id: olivia, identity: microsoft365, role: Organizer }
  - generate: 7
    id: att{n:02}
    displayName: Attendee {n}
    identity: [communicationUser, microsoft365]
    role: [Attendee, Attendee, Presenter]
    group: [attendees, everyoneButOlivia]
rooms:
  - generate: 3
    id: room{n}
    name: Room {n}
    autoMove: false
    assign: { group: attendees, by: BY }
steps:
  - server: openAllRooms
  - expect: assignedBreakoutRooms
    participants: { group: attendees }
    data: { displayName: "${member.roomName}", state: open }
    capture: { room: threadId }
  - do: join
    participants: { room: room2 }
  - expectState: { roomCall: Connected }
    participants: inRooms
  - server: dropConnection
    participants: [att01, att02]
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("a generator makes participants from a count and patterns, mixing identities and roles in turn", "[scenario][generate]") {
  auto r = load_scenario_text(with(kMeeting, "BY", "roundRobin"), "g.yaml");
  INFO(all_errors(r));
  REQUIRE(r.ok());
  const Scenario& s = r.scenarios.front();
  REQUIRE(s.participants.size() == 8);
  CHECK(s.participants[1].config.id == "att01");
  CHECK(s.participants[7].config.id == "att07");
  CHECK(s.participants[7].config.display_name == "Attendee 7");
  CHECK(s.participants[1].config.identity == breakout::mock::IdentityKind::communication_user);
  CHECK(s.participants[2].config.identity == breakout::mock::IdentityKind::microsoft_365);
  CHECK(s.participants[3].config.role == "Presenter");
  CHECK(s.participants[4].config.role == "Attendee");
  CHECK(s.meeting.participants.size() == 8);
  CHECK(s.groups.at("attendees") == std::vector<std::string>{"att01", "att02", "att03", "att04", "att05", "att06", "att07"});
  CHECK(s.groups.at("everyoneButOlivia").size() == 7);
  REQUIRE(s.meeting.rooms.size() == 3);
  CHECK(s.meeting.rooms[2].name == "Room 3");
  CHECK_FALSE(s.meeting.rooms[2].auto_move);
}

TEST_CASE("rooms are filled round-robin or in blocks", "[scenario][generate]") {
  auto rr = load_scenario_text(with(kMeeting, "BY", "roundRobin"), "g.yaml");
  REQUIRE(rr.ok());
  const auto& rooms = rr.scenarios.front().meeting.rooms;
  CHECK(rooms[0].participants == std::vector<std::string>{"att01", "att04", "att07"});
  CHECK(rooms[1].participants == std::vector<std::string>{"att02", "att05"});
  CHECK(rooms[2].participants == std::vector<std::string>{"att03", "att06"});
  auto blocks = load_scenario_text(with(kMeeting, "BY", "blocks"), "g.yaml");
  REQUIRE(blocks.ok());
  const auto& b = blocks.scenarios.front().meeting.rooms;
  CHECK(b[0].participants == std::vector<std::string>{"att01", "att02", "att03"});
  CHECK(b[1].participants == std::vector<std::string>{"att04", "att05"});
  CHECK(b[2].participants == std::vector<std::string>{"att06", "att07"});
}

TEST_CASE("steps name groups: a named group, a room's members, everyone in a room, a list", "[scenario][generate]") {
  auto r = load_scenario_text(with(kMeeting, "BY", "roundRobin"), "g.yaml");
  REQUIRE(r.ok());
  const auto& steps = r.scenarios.front().steps;
  const auto& expect = std::get<ExpectStep>(steps[1].body);
  REQUIRE(expect.events.at(0).group);
  CHECK(expect.events[0].participant.empty());
  CHECK(expect.events[0].group->members.size() == 7);
  CHECK(steps[1].summary == "expect assignedBreakoutRooms (group attendees)");
  const auto& join = std::get<ClientStep>(steps[2].body);
  REQUIRE(join.group);
  CHECK(join.group->kind == Group::Kind::room);
  CHECK(join.group->room == "room2");
  const auto& state = std::get<ExpectStateStep>(steps[3].body);
  REQUIRE(state.group);
  CHECK(state.group->kind == Group::Kind::in_rooms);
  const auto& drop = std::get<ServerStep>(steps[4].body);
  REQUIRE(drop.group);
  CHECK(drop.group->members == std::vector<std::string>{"att01", "att02"});
  CHECK(steps[4].summary == "server dropConnection for [att01, ...]");
}

TEST_CASE("generators and groups written wrong are diagnosed where they are written", "[scenario][generate]") {
  const std::string base = with(kMeeting, "BY", "roundRobin");
  CHECK(first_error(with(base, "id: att{n:02}", "id: attendee")) ==
        "5:9: 'id' must contain {n}, so that each generated one is told apart (as in att{n})");
  CHECK(first_error(with(base, "id: att{n:02}", "id: att{m}")).starts_with("5:9: 'id': '{' starts {n}"));
  CHECK(first_error(with(base, "generate: 7", "generate: 0")) ==
        "4:15: 'generate' is how many participants (a scenario has at most 10000) to make, from 1 to 9999");
  CHECK(first_error(with(base, "generate: 7", "generate: 99999999999999999999")).starts_with("4:15: 'generate' is how many"));
  CHECK(first_error(with(base, "[communicationUser, microsoft365]", "[communicationUser, microsoft356]")) ==
        "7:35: unknown identity 'microsoft356' (communicationUser or microsoft365); did you mean 'microsoft365'?");
  CHECK(first_error(with(base, "group: [attendees, everyoneButOlivia]", "group: everyone")) ==
        "9:12: 'everyone' is a group every scenario has; give yours another name");
  CHECK(first_error(with(base, "by: roundRobin", "by: roundrobin")).starts_with("15:37: 'by' is roundRobin"));
  CHECK(first_error(with(base, "assign: { group: attendees", "assign: { group: atendees")) ==
        "15:22: no group 'atendees' (groups are named with 'group:' in the set-up); did you mean 'attendees'?");
  CHECK(first_error(with(base, "participants: { room: room2 }", "participants: { room: room9 }")) ==
        "23:27: unknown room 'room9'; did you mean 'room1'?");
  CHECK(first_error(with(base, "participants: inRooms", "participants: inroom")).starts_with("25:19: 'participants' names several participants"));
  CHECK(first_error(with(base, "participants: [att01, att02]", "participants: [att01, att01]")) == "27:27: att01 is listed twice");
  CHECK(first_error(with(base, "participants: [att01, att02]", "participants: [att01, att99]"))== "27:27: unknown participant 'att99'; did you mean 'att01'?");
  CHECK(first_error(with(base, "  - do: join\n    participants: { room: room2 }", "  - do: join\n    participant: olivia\n    participants: { room: room2 }")) ==
        "23:5: a step has 'participant' or 'participants', not both");
  // Two generators making the same ids.
  CHECK(first_error(with(base, "rooms:", "  - { generate: 2, id: 'att{n:02}' }\nrooms:")) ==
        "10:24: generated participant 'att01' is defined twice");
  // Assigned twice: once by hand, once by a rule.
  CHECK(first_error(with(base, "rooms:\n", "rooms:\n  - { id: extra, participants: [att03] }\n")) ==
        "16:13: participant 'att03' is already in a room; a participant is assigned to one room at most");
}

TEST_CASE("a group step's participants must have clients, a server action's need not", "[scenario][generate]") {
  std::string text = R"(name: phones
participants:
  - id: alice
  - { generate: 2, id: 'phone{n}', client: false, group: phones }
rooms:
  - { generate: 1, id: 'room{n}', assign: { group: phones } }
steps:
  - server: assign
    participants: { group: phones }
    room: room1
  - expect: join
    participants: { group: phones }
)";
  CHECK(first_error(text) == "12:28: group 'phones' has phone1, who has no client (client: false) to do or see anything");
}

TEST_CASE("a meeting of a thousand is a few lines: 1,000 participants, 200 rooms of four or five", "[scenario][generate]") {
  auto r = load_scenario_file(std::string(BREAKOUT_SOURCE_DIR) + "/scenarios/scale/thousand-in-200-rooms.yaml");
  INFO(all_errors(r));
  REQUIRE(r.ok());
  const Scenario& s = r.scenarios.front();
  CHECK(s.participants.size() == 1000);
  CHECK(s.meeting.rooms.size() == 200);
  std::size_t assigned = 0;
  for (const auto& room : s.meeting.rooms) {
    CHECK(room.participants.size() >= 4);
    CHECK(room.participants.size() <= 5);
    assigned += room.participants.size();
  }
  CHECK(assigned == 999);
}
