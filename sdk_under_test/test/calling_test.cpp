// Calls, rooms and the order of a move, against the in-memory fake service.
#include "fake_service.hpp"

using namespace breakout;
using namespace breakout::sdk;
using namespace breakout::sdk::testing;
using namespace std::chrono_literals;

TEST_CASE("BR-CALL-1: every call state transition is raised with the old and new state", "[sdk][call]") {
  ClientFixture f;
  f.connect();
  auto call = f.agent->join({"https://teams.microsoft.com/l/meetup-join/x/0"});
  CHECK(call->state() == CallState::Connecting);
  std::vector<std::pair<CallState, CallState>> changes;
  call->on_state_changed([&](CallState o, CallState n) { changes.emplace_back(o, n); });
  f.settle();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0] == std::pair{CallState::Connecting, CallState::Connected});
}

TEST_CASE("BR-CALL-2: hold(), resume() and hangUp() move the call through LocalHold and Disconnected", "[sdk][call]") {
  ClientFixture f;
  f.join_meeting();
  std::vector<Result<void>> results;
  f.main->hold([&](Result<void> r) { results.push_back(r); });
  f.settle();
  CHECK(f.main->state() == CallState::LocalHold);
  f.main->resume([&](Result<void> r) { results.push_back(r); });
  f.settle();
  CHECK(f.main->state() == CallState::Connected);
  f.main->resume([&](Result<void> r) { results.push_back(r); });  // not on hold
  f.main->hang_up([&](Result<void> r) { results.push_back(r); });
  f.settle();
  REQUIRE(results.size() == 4);
  CHECK(results[0]);
  CHECK(results[1]);
  CHECK_FALSE(results[2]);
  CHECK(results[3]);
  CHECK(f.main_states == std::vector<std::string>{"Connected", "LocalHold", "Connected", "Disconnecting", "Disconnected"});
}

TEST_CASE("BR-CALL-3: remote participants follow the service's participant list", "[sdk][call]") {
  ClientFixture f;
  f.join_meeting();
  int updates = 0;
  f.main->on_remote_participants_updated([&] { ++updates; });
  f.service.send(protocol::ParticipantsUpdate{"main-1", {{"8:orgid:bob", "Bob"}}, {}});
  f.settle();
  REQUIRE(f.main->remote_participants().size() == 1);
  CHECK(f.main->remote_participants()[0].display_name == "Bob");
  CHECK(f.main->remote_participants()[0].identifier.is_microsoft_teams_user());
  CHECK(updates == 1);
}

TEST_CASE("BR-CALL-3: participant changes keep the list in arrival order", "[sdk][call]") {
  ClientFixture f;
  f.join_meeting();
  auto ids = [&] {
    std::vector<std::string> out;
    for (const auto& p : f.main->remote_participants()) out.push_back(p.identifier.raw_id + "=" + p.display_name);
    return out;
  };
  f.service.send(protocol::ParticipantsUpdate{"main-1", {{"8:acs:a", "A"}, {"8:acs:b", "B"}, {"8:acs:c", "C"}, {"8:acs:d", "D"}}, {}});
  f.settle();
  CHECK(ids() == std::vector<std::string>{"8:acs:a=A", "8:acs:b=B", "8:acs:c=C", "8:acs:d=D"});
  // Two leave at once, one is renamed, one comes: the rest keep their places.
  f.service.send(protocol::ParticipantsUpdate{"main-1", {{"8:acs:d", "Dee"}, {"8:acs:e", "E"}}, {"8:acs:a", "8:acs:c", "8:acs:nobody"}});
  f.settle();
  CHECK(ids() == std::vector<std::string>{"8:acs:b=B", "8:acs:d=Dee", "8:acs:e=E"});
  // Someone who left and comes back goes to the end; a rename after removals finds the right one.
  f.service.send(protocol::ParticipantsUpdate{"main-1", {{"8:acs:a", "A again"}}, {"8:acs:b"}});
  f.service.send(protocol::ParticipantsUpdate{"main-1", {{"8:acs:e", "Eve"}}, {}});
  f.settle();
  CHECK(ids() == std::vector<std::string>{"8:acs:d=Dee", "8:acs:e=Eve", "8:acs:a=A again"});
}

TEST_CASE("BR-CALL-4: a call carries its id, thread id, kind and role once joined", "[sdk][call]") {
  ClientFixture f;
  f.join_meeting();
  CHECK(f.main->id() == "main-1");
  CHECK(f.main->info().thread_id == "19:meeting_main@thread.v2");
  CHECK(f.main->kind() == CallKind::teams_meeting);
  CHECK(f.main->role() == "Attendee");
  CHECK(f.agent->display_name() == "Alice");
  CHECK(f.agent->identifier().raw_id == "8:acs:alice");
}

TEST_CASE("BR-FEAT-1: every call kind but a Teams meeting refuses the feature with 400/46250", "[sdk][feature]") {
  for (std::string kind : {"room", "oneToOne", "group", "oneToOneTeamsInterop", "groupTeamsInterop"}) {
    ClientFixture f;
    f.service.call_kind = kind;
    f.connect();
    auto call = f.agent->join({"https://teams.microsoft.com/l/meetup-join/x/0"});
    f.settle();
    INFO(kind);
    auto feature = call->feature(Features::BreakoutRooms);
    REQUIRE_FALSE(feature);
    CHECK(feature.error().sub_code == 46250);
  }
}

TEST_CASE("BR-EVT-1: the four event variants carry the shipped names", "[sdk][events]") {
  CHECK(event_type(BreakoutRoomsEvent{}) == "breakoutRooms");
  CHECK(event_type(AssignedBreakoutRoomsEvent{}) == "assignedBreakoutRooms");
  CHECK(event_type(BreakoutRoomsSettingsEvent{}) == "breakoutRoomsSettings");
  CHECK(event_type(JoinBreakoutRoomsEvent{}) == "join");
}

TEST_CASE("BR-ROOM-1: a room maps the service's fields, with invitees for managers", "[sdk][room]") {
  ClientFixture f;
  f.join_meeting();
  protocol::MainMeetingProperties p;
  p.assigned_breakout_rooms.push_back(ClientFixture::room("r1", true, false));
  auto listed = ClientFixture::room("r1", true, false);
  listed.invitees = {"8:acs:alice"};
  p.all_breakout_rooms = std::vector<protocol::WireRoom>{listed};
  f.service.details(1, p);
  f.settle();
  const auto& room = *f.feature->assigned_breakout_rooms();
  CHECK(room.display_name() == "Room r1");
  CHECK(room.state() == BreakoutRoomState::open);
  CHECK_FALSE(room.auto_move_participant_to_breakout_room());
  CHECK_FALSE(room.call());
  REQUIRE(f.feature->breakout_rooms());
  REQUIRE(f.feature->breakout_rooms()->size() == 1);
  CHECK(f.feature->breakout_rooms()->at(0).invitees() == std::vector<Invitee>{Invitee{{"8:acs:alice"}}});
  CHECK(f.event_types() == std::vector<std::string>{"assignedBreakoutRooms", "breakoutRooms"});
}

TEST_CASE("BR-FEAT-3: breakoutRooms is unset for someone the service sends no room list", "[sdk][feature]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  CHECK_FALSE(f.feature->breakout_rooms());
  CHECK(f.event_types() == std::vector<std::string>{"assignedBreakoutRooms"});
}

TEST_CASE("BR-JOIN-1 and BR-JOIN-3: join() holds the main meeting, raises join, then connects the room call", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  std::vector<std::string> order;
  f.main->on_state_changed([&](CallState, CallState s) { order.push_back("main " + std::string(to_string(s))); });
  REQUIRE(f.feature->on("breakoutRoomsUpdated", [&](const BreakoutRoomsEventData& e) {
    if (auto* j = std::get_if<JoinBreakoutRoomsEvent>(&e)) {
      order.push_back("join");
      j->data->on_state_changed([&](CallState, CallState s) { order.push_back("room " + std::string(to_string(s))); });
    }
  }));
  auto call = f.join_assigned();
  REQUIRE(call);
  CHECK(order == std::vector<std::string>{"main LocalHold", "join", "room Connecting", "room Connected"});
  CHECK(f.feature->assigned_breakout_rooms()->call() == *call);
  CHECK(f.service.count("hold") == 1);
}

TEST_CASE("BR-EVT-9: join() called inside the listener's callback works as it does outside", "[sdk][join][events]") {
  ClientFixture f;
  f.join_meeting();
  std::vector<std::string> order;
  std::optional<Result<std::shared_ptr<Call>>> result;
  bool in_callback = false;
  f.main->on_state_changed([&](CallState, CallState s) {
    order.push_back(std::string(in_callback ? "(inside) " : "") + "main " + std::string(to_string(s)));
  });
  REQUIRE(f.feature->on("breakoutRoomsUpdated", [&](const BreakoutRoomsEventData& e) {
    in_callback = true;
    if (auto* a = std::get_if<AssignedBreakoutRoomsEvent>(&e); a && a->data && a->data->state() == BreakoutRoomState::open) {
      order.push_back("open");
      a->data->join([&](Result<std::shared_ptr<Call>> r) { result = std::move(r); });
      CHECK_FALSE(result);  // the result comes later, never from inside the call
    }
    if (std::get_if<JoinBreakoutRoomsEvent>(&e)) order.push_back("join");
    in_callback = false;
  }));
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  REQUIRE(result);
  REQUIRE(*result);
  CHECK(order == std::vector<std::string>{"open", "main LocalHold", "join"});
  CHECK((*result).value()->state() == CallState::Connected);
  CHECK(f.service.count("hold") == 1);
}

TEST_CASE("BR-EVT-9: returnToMainMeeting() called inside a callback raises what it causes after the callback has returned", "[sdk][return][events]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  REQUIRE(f.join_assigned());
  std::vector<std::string> order;
  bool in_callback = false;
  auto room = f.feature->assigned_breakout_rooms()->call();
  room->on_state_changed([&](CallState, CallState s) {
    order.push_back(std::string(in_callback ? "(inside) " : "") + "room " + std::string(to_string(s)));
  });
  std::optional<Result<std::shared_ptr<Call>>> result;
  auto listen = [&](const std::string& name) {
    return f.feature->on("breakoutRoomsUpdated", [&, name](const BreakoutRoomsEventData& e) {
      in_callback = true;
      if (auto* a = std::get_if<AssignedBreakoutRoomsEvent>(&e); a && a->data && a->data->state() == BreakoutRoomState::closed) {
        order.push_back(name + " closed");
        if (name == "first") a->data->return_to_main_meeting([&](Result<std::shared_ptr<Call>> r) { result = std::move(r); });
      }
      in_callback = false;
    });
  };
  REQUIRE(listen("first"));
  REQUIRE(listen("second"));
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.settle();
  REQUIRE(result);
  CHECK(*result);
  // Every listener has the event before the room call changes; nothing is raised inside a callback.
  CHECK(order == std::vector<std::string>{"first closed", "second closed", "room Disconnecting", "room Disconnected"});
}

TEST_CASE("BR-MOVE-1: the auto-move delay is configurable", "[sdk][move]") {
  boost::asio::io_context io;
  clock::VirtualClock clock;
  FakeService service{io};
  CallClientOptions options{service.factory(), {}, {}};
  options.breakout_rooms.auto_move_delay = 250ms;
  CallClient client{io, clock, options};
  std::shared_ptr<CallAgent> agent;
  client.create_call_agent("t", {"A"}, [&](auto r) { agent = *r; });
  auto run = [&](clock::TimePoint until) {
    for (;;) {
      io.restart();
      io.poll();
      if (!clock.fire_next(until)) break;
    }
    io.restart();
    io.poll();
  };
  run(clock.now());
  auto main = agent->join({"https://teams.microsoft.com/l/meetup-join/x/0"});
  run(clock.now());
  service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, true)));
  run(clock::TimePoint(249ms));
  CHECK(service.count("joinBreakoutRoom") == 0);
  run(clock::TimePoint(250ms));
  CHECK(service.count("joinBreakoutRoom") == 1);
}

TEST_CASE("BR-JOIN-9: a room that closes while the main meeting is being held is not joined", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  std::optional<Result<std::shared_ptr<Call>>> result;
  f.feature->assigned_breakout_rooms()->join([&](auto r) { result = r; });
  // The hold request is out; the close arrives before its answer.
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.settle();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().sub_code == 46256);
  CHECK(f.service.count("joinBreakoutRoom") == 0);
  CHECK(f.main->state() == CallState::Connected);
  CHECK_FALSE(f.feature->assigned_breakout_rooms()->call());
}

TEST_CASE("BR-CALL-5: when the service ends the meeting every call ends and nothing automatic follows", "[sdk][call]") {
  ClientFixture f;
  f.join_meeting();
  auto room_call = f.auto_move_into("r1");
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r1", false, true)));  // return scheduled
  f.service.send(protocol::CallStateUpdate{room_call->id(), "Disconnected", protocol::ErrorBody{0, 0, "ended"}});
  f.service.send(protocol::CallStateUpdate{"main-1", "Disconnected", protocol::ErrorBody{0, 0, "ended"}});
  f.advance(1min);
  CHECK(room_call->state() == CallState::Disconnected);
  CHECK(f.main->state() == CallState::Disconnected);
  CHECK(f.service.count("hangUp") == 0);
  CHECK(f.service.count("resume") == 0);
  CHECK(f.failures.empty());
}
