// The BreakoutRooms feature's rules (docs/conformance.md), against the in-memory fake service.
#include "fake_service.hpp"

using namespace breakout;
using namespace breakout::sdk;
using namespace breakout::sdk::testing;
using namespace std::chrono_literals;

TEST_CASE("BR-FEAT-1: feature() on a call that is not a Teams meeting fails with 400/46250", "[sdk][feature]") {
  ClientFixture f;
  f.service.call_kind = "group";
  f.connect();
  auto call = f.agent->join({"https://teams.microsoft.com/l/meetup-join/x/0"});
  f.settle();
  auto feature = call->feature(Features::BreakoutRooms);
  REQUIRE_FALSE(feature);
  CHECK(feature.error().code == 400);
  CHECK(feature.error().sub_code == 46250);
  CHECK(feature.error().category == ResultCategory::expected_error);
}

TEST_CASE("BR-FEAT-2: feature() when the service turned the feature off fails with 405/46251", "[sdk][feature]") {
  ClientFixture f;
  f.service.breakout_enabled = false;
  f.connect();
  auto call = f.agent->join({"https://teams.microsoft.com/l/meetup-join/x/0"});
  f.settle();
  auto feature = call->feature(Features::BreakoutRooms);
  REQUIRE_FALSE(feature);
  CHECK(feature.error().code == 405);
  CHECK(feature.error().sub_code == 46251);
  // Breakout details sent to such a call change nothing.
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, true)));
  f.clock.fire_next(clock::TimePoint(std::chrono::hours(1)));
  f.settle();
  CHECK(f.service.count("joinBreakoutRoom") == 0);
}

TEST_CASE("BR-EVT-5: on() and off() with an unknown event name fail with 422/46252 and 422/46253", "[sdk][events]") {
  ClientFixture f;
  f.join_meeting();
  auto on = f.feature->on("breakoutRoomUpdated", [](const BreakoutRoomsEventData&) {});
  REQUIRE_FALSE(on);
  CHECK(on.error().code == 422);
  CHECK(on.error().sub_code == 46252);
  auto off = f.feature->off("breakoutRoomUpdated", 1);
  REQUIRE_FALSE(off);
  CHECK(off.error().sub_code == 46253);
}

TEST_CASE("BR-EVT-6: after off() that listener gets nothing more, other listeners still do", "[sdk][events]") {
  ClientFixture f;
  f.join_meeting();
  int second = 0;
  auto id = f.feature->on("breakoutRoomsUpdated", [&](const BreakoutRoomsEventData&) { ++second; });
  REQUIRE(id);
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.settle();
  REQUIRE(f.feature->off("breakoutRoomsUpdated", *id));
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r2", false, false)));
  f.settle();
  CHECK(second == 1);
  CHECK(f.events.size() == 2);
}

TEST_CASE("BR-EVT-7: a listener removed during a delivery still gets that event, one added gets only later ones",
          "[sdk][events]") {
  ClientFixture f;
  f.join_meeting();
  std::vector<std::string> calls;
  std::optional<ListenerId> second, third;
  // The first listener, on the first event, removes the second and adds a third.
  auto first = f.feature->on("breakoutRoomsUpdated", [&](const BreakoutRoomsEventData&) {
    calls.push_back("first");
    if (second) {
      REQUIRE(f.feature->off("breakoutRoomsUpdated", *second));
      second.reset();
      third = *f.feature->on("breakoutRoomsUpdated", [&](const BreakoutRoomsEventData&) { calls.push_back("third"); });
    }
  });
  REQUIRE(first);
  second = *f.feature->on("breakoutRoomsUpdated", [&](const BreakoutRoomsEventData&) { calls.push_back("second"); });
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.settle();
  // The set was fixed when the event's delivery began: second still gets it, third does not.
  CHECK(calls == std::vector<std::string>{"first", "second"});
  calls.clear();
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r2", false, false)));
  f.settle();
  CHECK(calls == std::vector<std::string>{"first", "third"});
}

TEST_CASE("BR-EVT-8: a listener that removes itself gets the event it is handling and nothing after", "[sdk][events]") {
  ClientFixture f;
  f.join_meeting();
  int calls = 0;
  std::optional<ListenerId> self;
  self = *f.feature->on("breakoutRoomsUpdated", [&](const BreakoutRoomsEventData&) {
    ++calls;
    REQUIRE(f.feature->off("breakoutRoomsUpdated", *self));
  });
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r2", false, false)));
  f.settle();
  CHECK(calls == 1);
  CHECK(f.events.size() == 2);  // the fixture's own listener is unaffected
}

TEST_CASE("BR-EVT-2: a repeated identical update raises nothing", "[sdk][events]") {
  ClientFixture f;
  f.join_meeting();
  auto props = ClientFixture::assigned(ClientFixture::room("r1", false, false));
  f.service.details(1, props);
  f.service.details(2, props);
  f.settle();
  CHECK(f.event_types() == std::vector<std::string>{"assignedBreakoutRooms"});
}

TEST_CASE("BR-EVT-3: an update older than the one applied changes nothing and raises nothing", "[sdk][events]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(5, ClientFixture::assigned(ClientFixture::room("new", false, false)));
  f.service.details(4, ClientFixture::assigned(ClientFixture::room("old", false, false)));
  f.settle();
  CHECK(f.events.size() == 1);
  CHECK(f.feature->assigned_breakout_rooms()->display_name() == "Room new");
}

TEST_CASE("BR-EVT-4: unreadable details report 46258, keep the last good state and raise nothing", "[sdk][events]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.settle();
  f.service.send(protocol::LocalParticipantUpdate{"main-1", 2, Json{{"mainMeetingProperties", {{"assignedBreakoutRooms", 7}}}}});
  auto bad_url = ClientFixture::room("r2", true, true);
  bad_url.meeting_join_url = "https://example.com/not-a-join-url";
  f.service.details(3, ClientFixture::assigned(bad_url));
  f.settle();
  CHECK(f.events.size() == 1);
  REQUIRE(f.failures.size() == 2);
  CHECK(f.failures[0].error.code == 412);
  CHECK(f.failures[0].error.sub_code == 46258);
  CHECK(f.failures[1].error.sub_code == 46258);
  CHECK(f.feature->assigned_breakout_rooms()->display_name() == "Room r1");
}

TEST_CASE("BR-ROOM-2: threadId is decoded from the join URL", "[sdk][room]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.settle();
  CHECK(f.feature->assigned_breakout_rooms()->thread_id() == "19:breakout_r1@thread.v2");
}

TEST_CASE("BR-MOVE-1: with auto-move on, the client joins the open room after 3000 ms", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, true)));
  f.advance(2999ms);
  CHECK(f.service.count("joinBreakoutRoom") == 0);
  f.advance(1ms);
  CHECK(f.service.count("hold") == 1);
  CHECK(f.service.count("joinBreakoutRoom") == 1);
  CHECK(f.main->state() == CallState::LocalHold);
  CHECK(f.event_types() == std::vector<std::string>{"assignedBreakoutRooms", "join"});
  REQUIRE(f.feature->assigned_breakout_rooms()->call());
  CHECK(f.feature->assigned_breakout_rooms()->call()->state() == CallState::Connected);
}

TEST_CASE("BR-MOVE-8: re-assigned to another open room during the auto-move delay, the delay starts again", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, true)));
  f.advance(2999ms);
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r2", true, true)));
  f.advance(1ms);
  CHECK(f.service.count("joinBreakoutRoom") == 0);
  f.advance(2998ms);
  CHECK(f.service.count("joinBreakoutRoom") == 0);
  f.advance(1ms);
  CHECK(f.service.count("joinBreakoutRoom") == 1);
  REQUIRE(f.feature->assigned_breakout_rooms()->call());
  CHECK(f.feature->assigned_breakout_rooms()->call()->info().thread_id == "19:breakout_r2@thread.v2");
}

TEST_CASE("BR-MOVE-2: with auto-move off, nothing moves the client but join()", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.advance(1h);
  CHECK(f.service.count("joinBreakoutRoom") == 0);
  auto call = f.join_assigned();
  REQUIRE(call);
  CHECK((*call)->state() == CallState::Connected);
  CHECK((*call)->info().thread_id == "19:breakout_r1@thread.v2");
}

TEST_CASE("BR-JOIN-5: a second join() makes no second room call", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  std::vector<std::shared_ptr<Call>> calls;
  f.feature->assigned_breakout_rooms()->join([&](auto r) { calls.push_back(*r); });
  f.feature->assigned_breakout_rooms()->join([&](auto r) { calls.push_back(*r); });
  f.settle();
  auto again = f.join_assigned();
  CHECK(f.service.count("joinBreakoutRoom") == 1);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0] == calls[1]);
  CHECK(*again == calls[0]);
}

TEST_CASE("BR-JOIN-7: join() during the auto-move delay joins now and cancels the scheduled move", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, true)));
  f.advance(1000ms);
  REQUIRE(f.join_assigned());
  f.advance(10s);
  CHECK(f.service.count("joinBreakoutRoom") == 1);
}

TEST_CASE("BR-JOIN-6: join() on a closed room fails with 412/46256 and sends nothing", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.settle();
  auto r = f.join_assigned();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == 412);
  CHECK(r.error().sub_code == 46256);
  CHECK(f.service.count("hold") == 0);
  CHECK(f.main->state() == CallState::Connected);
}

TEST_CASE("BR-JOIN-8: join() with an empty join URL fails with 412/46260", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  auto room = ClientFixture::room("r1", true, false);
  room.meeting_join_url = "";
  f.service.details(1, ClientFixture::assigned(room));
  f.settle();
  auto r = f.join_assigned();
  REQUIRE_FALSE(r);
  CHECK(r.error().sub_code == 46260);
  CHECK(r.error().category == ResultCategory::unexpected_client_error);
}

TEST_CASE("BR-JOIN-2: when the main meeting cannot be held, join() fails with 500/46255 and no room call is made", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  f.service.failures["hold"].push_back({500, 0, "hold failed"});
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  auto r = f.join_assigned();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == 500);
  CHECK(r.error().sub_code == 46255);
  CHECK(f.service.count("joinBreakoutRoom") == 0);
  CHECK_FALSE(f.feature->assigned_breakout_rooms()->call());
}

TEST_CASE("BR-JOIN-4: when the room call fails, join() fails with 500/46254 and the main meeting is resumed", "[sdk][join]") {
  ClientFixture f;
  f.join_meeting();
  f.service.failures["joinBreakoutRoom"].push_back({503, 7, "busy"});
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  auto r = f.join_assigned();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == 500);
  CHECK(r.error().sub_code == 46254);
  REQUIRE(r.error().inner);
  CHECK(r.error().inner->sub_code == 7);
  CHECK(f.main->state() == CallState::Connected);
}

TEST_CASE("BR-MOVE-3: an automatic move that fails is reported on the automatic-action channel", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  f.service.failures["joinBreakoutRoom"].push_back({500, 0, "down"});
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, true)));
  f.advance(3s);
  REQUIRE(f.failures.size() == 1);
  CHECK(f.failures[0].action == "autoMove");
  CHECK(f.failures[0].error.sub_code == 46254);
}

TEST_CASE("BR-MOVE-4: when the room closes, the client hangs up after 5000 ms and resumes the main meeting", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  auto room_call = f.auto_move_into("r1");
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r1", false, true)));
  f.advance(4999ms);
  CHECK(room_call->state() == CallState::Connected);
  f.advance(1ms);
  CHECK(room_call->state() == CallState::Disconnected);
  CHECK(f.main->state() == CallState::Connected);
  CHECK_FALSE(f.feature->assigned_breakout_rooms()->call());
}

TEST_CASE("BR-MOVE-5: a failed automatic hang-up reports 500/46259 and the participant stays", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  f.auto_move_into("r1");
  f.service.failures["hangUp"].push_back({500, 0, "no"});
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r1", false, true)));
  f.advance(5s);
  REQUIRE(f.failures.size() == 1);
  CHECK(f.failures[0].action == "returnOnClose");
  CHECK(f.failures[0].error.sub_code == 46259);
  CHECK(f.main->state() == CallState::LocalHold);
}

TEST_CASE("BR-RET-1: returnToMainMeeting() hangs up the room call and resumes the same main call", "[sdk][return]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  auto room_call = *f.join_assigned();
  std::optional<Result<std::shared_ptr<Call>>> back;
  f.feature->assigned_breakout_rooms()->return_to_main_meeting([&](auto r) { back = r; });
  f.settle();
  REQUIRE(back);
  REQUIRE(*back);
  CHECK(**back == f.main);
  CHECK(room_call->state() == CallState::Disconnected);
  CHECK(f.main->state() == CallState::Connected);
}

TEST_CASE("BR-RET-2: with disableReturnToMainMeeting the return is refused with 412/46261 and the participant stays", "[sdk][return]") {
  ClientFixture f;
  f.join_meeting();
  protocol::MeetingBreakoutSettings s;
  s.allow_join_back_to_main_meeting = false;
  f.service.settings(1, s);
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  auto room_call = *f.join_assigned();
  std::optional<Result<std::shared_ptr<Call>>> back;
  f.feature->assigned_breakout_rooms()->return_to_main_meeting([&](auto r) { back = r; });
  std::optional<Result<void>> hang_up, resume;
  room_call->hang_up([&](Result<void> r) { hang_up = r; });
  f.main->resume([&](Result<void> r) { resume = r; });
  f.settle();
  REQUIRE((back && hang_up && resume));
  CHECK(back->error().sub_code == 46261);
  CHECK(hang_up->error().sub_code == 46261);
  CHECK(resume->error().sub_code == 46261);
  CHECK(room_call->state() == CallState::Connected);
  CHECK(f.service.count("hangUp") == 0);
}

TEST_CASE("BR-RET-3: returnToMainMeeting() from the main meeting fails with 412/46262", "[sdk][return]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  std::optional<Result<std::shared_ptr<Call>>> back;
  f.feature->assigned_breakout_rooms()->return_to_main_meeting([&](auto r) { back = r; });
  f.settle();
  REQUIRE(back);
  CHECK(back->error().sub_code == 46262);
  CHECK(back->error().category == ResultCategory::expected_error);
}

TEST_CASE("BR-MOVE-6: being unassigned while in a room brings the participant back", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  f.service.details(1, ClientFixture::assigned(ClientFixture::room("r1", true, false)));
  f.settle();
  auto room_call = *f.join_assigned();
  f.service.details(2, {});
  f.settle();
  CHECK(room_call->state() == CallState::Disconnected);
  CHECK(f.main->state() == CallState::Connected);
  CHECK_FALSE(f.feature->assigned_breakout_rooms());
}

TEST_CASE("BR-MOVE-7: re-assigned while in a room, the old call is hung up and the new room joined by auto-move", "[sdk][move]") {
  ClientFixture f;
  f.join_meeting();
  auto first = f.auto_move_into("r1");
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r2", true, true)));
  f.settle();
  CHECK(first->state() == CallState::Disconnected);
  f.advance(3s);
  auto second = f.feature->assigned_breakout_rooms()->call();
  REQUIRE(second);
  CHECK(second != first);
  CHECK(second->info().thread_id == "19:breakout_r2@thread.v2");
}

TEST_CASE("BR-CONN-1: a refused token fails create_call_agent with 401", "[sdk][connection]") {
  ClientFixture f;
  f.service.reject_token = true;
  std::optional<Result<std::shared_ptr<CallAgent>>> result;
  f.client.create_call_agent("bad", {"A"}, [&](auto r) { result = r; });
  f.settle();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().code == 401);
}

TEST_CASE("BR-CONN-2: a token closed by the service disconnects the agent with invalidToken", "[sdk][connection]") {
  ClientFixture f;
  f.join_meeting();
  std::vector<ConnectionStateChangedEvent> changes;
  f.agent->on_connection_state_changed([&](const auto& e) { changes.push_back(e); });
  f.service.close_with(close_token_expired);
  f.settle();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].new_value == ConnectionState::Disconnected);
  CHECK(changes[0].old_value == ConnectionState::Connected);
  CHECK(changes[0].reason == ConnectionStateReason::invalid_token);
  CHECK(f.main->state() == CallState::Disconnected);
}

TEST_CASE("BR-CONN-3: a lost connection is retried with back-off, then reported as connectionIssue", "[sdk][connection]") {
  ClientFixture f;
  f.join_meeting();
  std::vector<ConnectionStateChangedEvent> changes;
  f.agent->on_connection_state_changed([&](const auto& e) { changes.push_back(e); });
  f.service.refuse_connections = true;
  f.service.drop();
  f.settle();
  CHECK(changes.empty());
  f.advance(1s + 2s + 4s + 8s - 1ms);  // back-off 1 s, 2 s, 4 s, 8 s: the last retry is still due
  CHECK(changes.empty());
  CHECK(f.agent->connection_state() == ConnectionState::Connected);
  f.advance(1ms);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].reason == ConnectionStateReason::connection_issue);
  CHECK(f.service.tokens.size() == 5);
}

TEST_CASE("BR-CONN-4: after a reconnect an unchanged breakout state raises nothing", "[sdk][connection]") {
  ClientFixture f;
  f.join_meeting();
  auto props = ClientFixture::assigned(ClientFixture::room("r1", false, false));
  f.service.details(1, props);
  f.settle();
  f.service.drop();
  f.advance(1s);
  REQUIRE(f.agent->connection_state() == ConnectionState::Connected);
  f.service.details(2, props);  // the service re-sends the whole view after a reconnect
  f.settle();
  CHECK(f.events.size() == 1);
}

TEST_CASE("BR-CONN-5: a request the service never answers fails with 408 after the request timeout", "[sdk][connection]") {
  ClientFixture f;
  f.join_meeting();
  f.service.unanswered.insert("hold");
  std::optional<Result<void>> held;
  f.main->hold([&](Result<void> r) { held = r; });
  f.advance(30s - 1ms);
  CHECK_FALSE(held);
  f.advance(1ms);
  REQUIRE(held);
  REQUIRE_FALSE(*held);
  CHECK(held->error().code == 408);
  CHECK(held->error().message == "the service did not answer within 30s");
  CHECK(f.main->state() == CallState::Connected);  // the state it knew; it does not guess
  f.service.unanswered.clear();
  held.reset();
  f.main->hold([&](Result<void> r) { held = r; });
  f.settle();
  REQUIRE(held);
  CHECK(*held);
  CHECK(f.main->state() == CallState::LocalHold);
}

TEST_CASE("BR-CONN-6: replies to nothing and messages that cannot be read are ignored", "[sdk][connection]") {
  ClientFixture f;
  f.join_meeting();
  std::vector<ConnectionStateChangedEvent> changes;
  f.agent->on_connection_state_changed([&](const auto& e) { changes.push_back(e); });
  auto states = f.main_states.size();
  f.service.send_text(R"({"type":"response","id":999,"result":{"callId":"x"}})");
  f.service.send_text(R"({"type":"protocolError","code":400,"message":"about nothing","requestId":12345})");
  f.service.send_text("not json at all");
  f.service.send_text(R"({"type":"somethingNew","callId":"main-1"})");
  f.settle();
  CHECK(changes.empty());
  CHECK(f.events.empty());
  CHECK(f.main_states.size() == states);
  CHECK(f.agent->connection_state() == ConnectionState::Connected);
  std::optional<Result<void>> held;
  f.main->hold([&](Result<void> r) { held = r; });
  f.settle();
  REQUIRE(held);
  CHECK(*held);
}

TEST_CASE("BR-CONN-7: a connection lost while on hold keeps the call on hold, and resume works after the reconnect", "[sdk][connection]") {
  ClientFixture f;
  f.join_meeting();
  std::optional<Result<void>> done;
  f.main->hold([&](Result<void> r) { done = r; });
  f.settle();
  REQUIRE(f.main->state() == CallState::LocalHold);
  auto states = f.main_states.size();
  f.service.drop();
  f.advance(1s);
  CHECK(f.service.tokens.size() == 2);  // reconnected once
  CHECK(f.main->state() == CallState::LocalHold);
  CHECK(f.main_states.size() == states);
  done.reset();
  f.main->resume([&](Result<void> r) { done = r; });
  f.settle();
  REQUIRE(done);
  CHECK(*done);
  CHECK(f.main->state() == CallState::Connected);
}

TEST_CASE("BR-RACE-1: a call that ends while its hold is in flight stays ended, and the hold fails with 410", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  f.service.held = {"hold"};
  std::optional<Result<void>> result;
  f.main->hold([&](Result<void> r) { result = r; });
  f.settle();
  f.service.send(protocol::CallStateUpdate{"main-1", "Disconnected", protocol::ErrorBody{0, 0, "the meeting has ended"}});
  f.settle();
  REQUIRE(f.main->state() == CallState::Disconnected);
  f.service.release();
  f.settle();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().code == 410);
  CHECK(f.main->state() == CallState::Disconnected);
}

TEST_CASE("BR-RACE-2: a room that closes while its call connects: join() completes, the hang-up delay counts from then",
          "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.join_in_flight("joinBreakoutRoom");
  auto& result = *result_slot;
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r1", false, false)));
  f.advance(std::chrono::seconds(10));  // the close's own hang-up delay passes while the call connects
  CHECK(f.service.count("hangUp") == 0);
  f.service.release();
  f.settle();
  REQUIRE(result);
  REQUIRE(*result);
  f.advance(std::chrono::milliseconds(4999));
  CHECK(f.service.count("hangUp") == 0);
  f.advance(std::chrono::milliseconds(1));
  CHECK(f.service.count("hangUp") == 1);
}

TEST_CASE("BR-RACE-3: unassigned while a return is in flight, the SDK hangs up once and reports nothing", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.return_in_flight();
  auto& result = *result_slot;
  f.service.details(2, protocol::MainMeetingProperties{});
  f.settle();
  CHECK(f.service.count("hangUp") == 1);
  f.release_held();
  REQUIRE(result);
  CHECK(*result);
  CHECK(f.main->state() == CallState::Connected);
  CHECK(f.failures.empty());
}

TEST_CASE("BR-RACE-4: a room deleted while the main meeting is held for its join is not joined", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.join_in_flight("hold");
  auto& result = *result_slot;
  f.service.details(2, protocol::MainMeetingProperties{});
  f.settle();
  f.release_held();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().sub_code == 46256);
  CHECK(f.main->state() == CallState::Connected);
  CHECK(f.service.count("joinBreakoutRoom") == 0);
}

TEST_CASE("BR-RACE-5: a meeting that ends while the room call connects: join() fails with 410 and the call ends", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.join_in_flight("joinBreakoutRoom");
  auto& result = *result_slot;
  f.service.send(protocol::CallStateUpdate{"main-1", "Disconnected", protocol::ErrorBody{0, 0, "the meeting has ended"}});
  f.settle();
  f.release_held();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().code == 410);
  CHECK(f.service.count("hangUp") == 1);
  CHECK_FALSE(f.feature->assigned_breakout_rooms()->call());
}

TEST_CASE("BR-RACE-6: a token revoked while a return is in flight fails the return, then ends every call", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.return_in_flight();
  auto& result = *result_slot;
  auto room = f.feature->assigned_breakout_rooms()->call();
  REQUIRE(room);
  f.service.close_with(4003);
  f.settle();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().sub_code == 46261);
  CHECK(f.agent->connection_state() == ConnectionState::Disconnected);
  CHECK(room->state() == CallState::Disconnected);
  CHECK(f.main->state() == CallState::Disconnected);
}

TEST_CASE("BR-RACE-7: a return already in flight completes when returning is disabled meanwhile", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.return_in_flight();
  auto& result = *result_slot;
  protocol::MeetingBreakoutSettings s;
  s.main_meeting_join_url = protocol::join_url_for_thread("19:meeting_main@thread.v2");
  s.allow_join_back_to_main_meeting = false;
  f.service.settings(2, s);
  f.settle();
  f.release_held();
  REQUIRE(result);
  CHECK(*result);
  CHECK(f.main->state() == CallState::Connected);
}

TEST_CASE("BR-RACE-8: re-assigned while the room call connects, the move is acted on when the join completes", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.join_in_flight("joinBreakoutRoom");
  auto& result = *result_slot;
  f.service.details(2, ClientFixture::assigned(ClientFixture::room("r2", true, true)));
  f.advance(std::chrono::seconds(10));  // longer than the auto-move delay: nothing moves while the join is in flight
  CHECK(f.service.count("hangUp") == 0);
  f.release_held();
  REQUIRE(result);
  CHECK(*result);
  CHECK(f.service.count("hangUp") == 1);
  CHECK(f.main->state() == CallState::Connected);
  f.advance(std::chrono::milliseconds(2999));
  CHECK(f.service.count("joinBreakoutRoom") == 1);
  f.advance(std::chrono::milliseconds(1));
  CHECK(f.service.count("joinBreakoutRoom") == 2);
}

TEST_CASE("BR-RACE-9: a token revoked while the main meeting is held for a join fails the join with 46255", "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.join_in_flight("hold");
  auto& result = *result_slot;
  f.service.close_with(4003);
  f.settle();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().sub_code == 46255);
  CHECK(f.agent->connection_state() == ConnectionState::Disconnected);
  CHECK(f.main->state() == CallState::Disconnected);
}

TEST_CASE("BR-RACE-10: a room join the service refuses after the feature was turned off fails with 46254 and resumes the main meeting",
          "[sdk][race]") {
  ClientFixture f;
  f.join_meeting();
  auto result_slot = f.join_in_flight("hold");
  auto& result = *result_slot;
  // Meanwhile breakout rooms are turned off: the service will refuse the room join.
  f.service.failures["joinBreakoutRoom"].push_back(protocol::ErrorBody{405, 0, "breakout rooms are turned off for this meeting"});
  f.release_held();
  REQUIRE(result);
  REQUIRE_FALSE(*result);
  CHECK(result->error().sub_code == 46254);
  CHECK(f.main->state() == CallState::Connected);
  CHECK(f.feature->assigned_breakout_rooms()->state() == BreakoutRoomState::open);
}
