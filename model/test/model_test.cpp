// The reference model, rule by rule: each test is named after the rule it checks.
#include <breakout/model/model.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace breakout::model;

namespace {

Story alice_in(bool auto_move, bool open) {
  Story s;
  s.participants.push_back(Participant{"alice", false, "Attendee"});
  s.rooms = {Room{"room1", "Room 1", auto_move, open}, Room{"room2", "Room 2", auto_move, open}};
  s.assigned["alice"] = "room1";
  return s;
}

Step server(Kind k, std::string room = "", std::string participant = "") {
  Step s;
  s.kind = k;
  s.room = std::move(room);
  s.participant = std::move(participant);
  return s;
}
Step call(Kind k, std::string listener = "") {
  Step s;
  s.kind = k;
  s.participant = "alice";
  s.listener = std::move(listener);
  return s;
}
Step advance(Ms by) {
  Step s;
  s.by = by;
  return s;
}

/// "at type call:state" lines, as short as the tests need them.
std::vector<std::string> lines(const Prediction& p) {
  std::vector<std::string> out;
  for (const auto& e : p.events) {
    std::string l = std::to_string(e.at) + " " + e.type;
    if (e.data.is_object() && e.data.contains("state") && e.data.contains("call") && e.type == "callStateChanged")
      l += " " + e.data["call"].get<std::string>() + ":" + e.data["state"].get<std::string>();
    else if (e.type == "assignedBreakoutRooms") l += e.data.is_null() ? " null" : " " + e.data["state"].get<std::string>();
    else if (e.type == "callResult") l += " " + e.data["action"].get<std::string>() + (e.data["ok"] == true ? " ok" : " " + e.data["subCode"].dump());
    if (!e.listener.empty()) l += " @" + e.listener;
    out.push_back(l);
  }
  return out;
}

}  // namespace

TEST_CASE("BR-MOVE-1: an open auto-move room is joined after the auto-move delay, not before") {
  Story s = alice_in(true, false);
  s.steps = {server(Kind::open_room, "room1"), advance(2999), advance(1)};
  auto p = predict(s);
  CHECK(lines(p) == std::vector<std::string>{"0 assignedBreakoutRooms open", "3000 callStateChanged main:LocalHold", "3000 join",
                                             "3000 callStateChanged room:Connecting", "3000 callStateChanged room:Connected"});
  CHECK(p.events[1].step == 2);
}

TEST_CASE("BR-MOVE-2: with auto-move off nothing moves the participant") {
  Story s = alice_in(false, false);
  s.steps = {server(Kind::open_room, "room1"), advance(60000)};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 assignedBreakoutRooms open"});
}

TEST_CASE("BR-MOVE-4: a room closed while the participant is in it is left after the hang-up delay, re-opened before, it is not") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::join), server(Kind::close_room, "room1"), advance(5000)};
  auto l = lines(predict(s));
  REQUIRE(l.size() == 9);
  CHECK(l[5] == "0 assignedBreakoutRooms closed");
  CHECK(l[6] == "5000 callStateChanged room:Disconnecting");
  CHECK(l[8] == "5000 callStateChanged main:Connected");

  s.steps = {call(Kind::join), server(Kind::close_room, "room1"), advance(4000), server(Kind::open_room, "room1"), advance(10000)};
  l = lines(predict(s));
  CHECK(l.back() == "4000 assignedBreakoutRooms open");
}

TEST_CASE("BR-MOVE-6: unassigned while in a room, the participant is brought back at once") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::join), server(Kind::unassign, "", "alice")};
  auto l = lines(predict(s));
  CHECK(std::vector<std::string>(l.end() - 4, l.end()) ==
        std::vector<std::string>{"0 assignedBreakoutRooms null", "0 callStateChanged room:Disconnecting", "0 callStateChanged room:Disconnected",
                                 "0 callStateChanged main:Connected"});
}

TEST_CASE("BR-MOVE-7: re-assigned while in a room, the old room is left at once and the new one joined after the delay") {
  Story s = alice_in(true, true);
  s.steps = {advance(3000), server(Kind::assign, "room2", "alice"), advance(3000)};
  auto p = predict(s);
  auto l = lines(p);
  REQUIRE(l.size() == 12);
  CHECK(l[4] == "3000 assignedBreakoutRooms open");
  CHECK(l[7] == "3000 callStateChanged main:Connected");
  CHECK(l[8] == "6000 callStateChanged main:LocalHold");
}

TEST_CASE("BR-JOIN-6: join() on a closed room fails with 412/46256 and changes nothing") {
  Story s = alice_in(false, false);
  s.steps = {call(Kind::join)};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 callResult join 46256"});
}

TEST_CASE("BR-JOIN-7: join() during the auto-move delay joins now and cancels the move") {
  Story s = alice_in(true, true);
  s.steps = {advance(1000), call(Kind::join), advance(5000)};
  auto l = lines(predict(s));
  REQUIRE(l.size() == 5);
  CHECK(l[0] == "1000 callStateChanged main:LocalHold");
}

TEST_CASE("BR-RET-2: with return disabled and the room open, returnToMainMeeting() fails with 412/46261") {
  Story s = alice_in(false, true);
  s.return_disabled = true;
  s.steps = {call(Kind::join), call(Kind::return_to_main)};
  CHECK(lines(predict(s)).back() == "0 callResult returnToMainMeeting 46261");
}

TEST_CASE("BR-RET-3: returnToMainMeeting() from the main meeting fails with 412/46262") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::return_to_main)};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 callResult returnToMainMeeting 46262"});
}

TEST_CASE("BR-EVT-2 and BR-EVT-3: a repeated or stale update raises nothing") {
  Story s = alice_in(false, false);
  s.steps = {server(Kind::open_room, "room1"), server(Kind::resend_stale, "", "alice"), server(Kind::resend_latest, "", "alice"),
             server(Kind::open_room, "room1")};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 assignedBreakoutRooms open"});
}

TEST_CASE("BR-EVT-6 and BR-EVT-7: each listener gets the event in the order they subscribed, after off(), nothing") {
  Story s = alice_in(false, false);
  s.steps = {call(Kind::subscribe, "second"), server(Kind::open_room, "room1"), call(Kind::unsubscribe, ""), server(Kind::close_room, "room1")};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 callResult subscribe ok", "0 assignedBreakoutRooms open",
                                                      "0 assignedBreakoutRooms open @second", "0 callResult unsubscribe ok",
                                                      "0 assignedBreakoutRooms closed @second"});
}

TEST_CASE("the model says when no rule decides a case") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::hold_main), call(Kind::hold_main)};
  auto p = predict(s);
  CHECK(p.undecided_step == 1);
  CHECK_FALSE(p.undecided.empty());
}

TEST_CASE("BR-MOVE-8: re-assigned to another open room during the auto-move delay, the delay starts again") {
  Story s = alice_in(true, true);
  Step reassign = server(Kind::assign, "room2", "alice");
  s.steps = {advance(2999), reassign, advance(2999), advance(1)};
  auto p = predict(s);
  auto l = lines(p);
  REQUIRE(l.size() == 5);
  CHECK(l[0] == "2999 assignedBreakoutRooms open");
  CHECK(l[1] == "5999 callStateChanged main:LocalHold");
  CHECK(p.events[1].step == 3);
}

TEST_CASE("BR-CALL-5: when the meeting ends every call ends, room calls first, and nothing automatic follows") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::join), server(Kind::end_meeting), advance(60000)};
  auto l = lines(predict(s));
  CHECK(std::vector<std::string>(l.end() - 2, l.end()) ==
        std::vector<std::string>{"0 callStateChanged room:Disconnected", "0 callStateChanged main:Disconnected"});
  s.steps.push_back(server(Kind::open_room, "room1"));
  CHECK(predict(s).undecided_step == 3);
}

TEST_CASE("BR-CONN-2: an expired token disconnects the agent (invalidToken) and ends every call") {
  Story s = alice_in(false, true);
  s.steps = {server(Kind::expire_token, "", "alice"), server(Kind::close_room, "room1")};
  auto p = predict(s);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].type == "connectionStateChanged");
  CHECK(p.events[0].data["reason"] == "invalidToken");
  CHECK(lines(p)[1] == "0 callStateChanged main:Disconnected");
}

TEST_CASE("BR-EVT-4: unreadable details are reported as 412/46258 and change nothing") {
  Story s = alice_in(false, false);
  s.steps = {server(Kind::unreadable, "", "alice"), server(Kind::open_room, "room1")};
  auto p = predict(s);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].type == "automaticActionFailed");
  CHECK(p.events[0].data["subCode"] == 46258);
  CHECK(lines(p)[1] == "0 assignedBreakoutRooms open");
}

TEST_CASE("BR-FEAT-3: Microsoft 365 organizers see every room with its invitees, others never") {
  Story s = alice_in(false, false);
  s.participants.push_back(Participant{"olivia", true, "Organizer"});
  s.participants.push_back(Participant{"ali", false, "Organizer"});
  s.steps = {server(Kind::assign, "room2", "ali")};
  auto p = predict(s);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].participant == "olivia");
  CHECK(p.events[0].type == "breakoutRooms");
  CHECK(p.events[0].data[1]["invitees"] == Json::array({"8:acs:ali"}));
  CHECK(p.events[0].data[0]["invitees"] == Json::array({"8:acs:alice"}));
  // Ali, an organizer but a Communication Services user, learns only of the room assigned to him.
  CHECK(p.events[1].participant == "ali");
  CHECK(p.events[1].type == "assignedBreakoutRooms");
}

TEST_CASE("BR-EVT-7 and BR-EVT-8: changes made inside a callback take effect from the next event on") {
  Story s = alice_in(false, false);
  Step add = call(Kind::subscribe, "second");
  add.inside = true;
  add.inside_event = "assignedBreakoutRooms";
  Step self = call(Kind::unsubscribe, "");
  self.inside = true;
  self.inside_event = "assignedBreakoutRooms";
  s.steps = {add, self, server(Kind::open_room, "room1"), server(Kind::close_room, "room1")};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 assignedBreakoutRooms open", "0 callResult subscribe ok", "0 callResult unsubscribe ok",
                                                      "0 assignedBreakoutRooms closed @second"});
}

TEST_CASE("BR-CALL-2 and BR-RET-2: hanging up the room call leaves the main meeting on hold, refused while return is disabled") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::join), call(Kind::hang_up_room), call(Kind::resume_main)};
  auto l = lines(predict(s));
  CHECK(std::vector<std::string>(l.end() - 5, l.end()) ==
        std::vector<std::string>{"0 callStateChanged room:Disconnecting", "0 callStateChanged room:Disconnected", "0 callResult hangUp ok",
                                 "0 callStateChanged main:Connected", "0 callResult resume ok"});
  s.return_disabled = true;
  s.steps = {call(Kind::join), call(Kind::hang_up_room)};
  CHECK(lines(predict(s)).back() == "0 callResult hangUp 46261");
}

namespace {
Step refuse(const char* method) {
  Step s;
  s.kind = Kind::fail_next;
  s.participant = "alice";
  s.method = method;
  return s;
}
}  // namespace

TEST_CASE("BR-JOIN-2: a main meeting that cannot be held fails join() with 500/46255 and makes no room call") {
  Story s = alice_in(false, true);
  s.steps = {refuse("hold"), call(Kind::join)};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 callResult join 46255"});
}

TEST_CASE("BR-JOIN-4: a room call that fails fails join() with 500/46254, then the main meeting is resumed") {
  Story s = alice_in(false, true);
  s.steps = {refuse("joinBreakoutRoom"), call(Kind::join)};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 callStateChanged main:LocalHold", "0 join", "0 callStateChanged room:Connecting",
                                                      "0 callStateChanged room:Disconnected", "0 callResult join 46254",
                                                      "0 callStateChanged main:Connected"});
}

TEST_CASE("BR-MOVE-5: a refused hang-up on close leaves the participant in the room (46259), a refused resume leaves the main meeting on hold (46257)") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::join), refuse("hangUp"), server(Kind::close_room, "room1"), advance(5000)};
  auto p = predict(s);
  CHECK(p.events.back().type == "automaticActionFailed");
  CHECK(p.events.back().data["subCode"] == 46259);
  CHECK(lines(p)[p.events.size() - 2] == "5000 callStateChanged room:Connected");

  s.steps = {call(Kind::join), refuse("resume"), server(Kind::close_room, "room1"), advance(5000)};
  p = predict(s);
  CHECK(p.events.back().data["subCode"] == 46257);
  CHECK(lines(p)[p.events.size() - 2] == "5000 callStateChanged room:Disconnected");
}

TEST_CASE("BR-MOVE-7: a refused hang-up on re-assignment is 412/46263 and the participant stays where they are") {
  Story s = alice_in(false, true);
  s.steps = {call(Kind::join), refuse("hangUp"), server(Kind::assign, "room2", "alice")};
  auto p = predict(s);
  CHECK(p.events.back().data["action"] == "reassignment");
  CHECK(p.events.back().data["subCode"] == 46263);
  // What the app does then, still in the old room, no rule decides.
  s.steps.push_back(call(Kind::join));
  CHECK(predict(s).undecided_step == 3);
}

TEST_CASE("BR-RACE-10: with the feature off, nothing about rooms arrives, a join fails with 46254, turned on, what changed is raised") {
  Story s = alice_in(false, true);
  Step off = server(Kind::set_feature);
  Step on = server(Kind::set_feature);
  on.flag = true;
  s.steps = {off, server(Kind::close_room, "room2"), server(Kind::close_room, "room1"), call(Kind::join)};
  auto l = lines(predict(s));
  CHECK(l.front() == "0 callStateChanged main:LocalHold");
  CHECK(std::find(l.begin(), l.end(), "0 callResult join 46254") != l.end());
  s.steps.push_back(on);
  CHECK(lines(predict(s)).back() == "0 assignedBreakoutRooms closed");
}

TEST_CASE("BR-CONN-3, BR-CONN-4, BR-CONN-7: a lost connection keeps the calls, reconnected, only what changed meanwhile is raised") {
  Story s = alice_in(false, true);
  Step drop = server(Kind::drop_connection, "", "alice");
  s.steps = {call(Kind::join), drop, server(Kind::close_room, "room2"), server(Kind::close_room, "room1"), advance(999), advance(1)};
  auto p = predict(s);
  auto l = lines(p);
  CHECK(l.back() == "1000 assignedBreakoutRooms closed");
  CHECK(p.events.back().step == 5);
  // Nothing may be asked of the SDK while it is offline that no rule decides.
  s.steps = {drop, call(Kind::join)};
  CHECK(predict(s).undecided_step == 1);
}

TEST_CASE("BR-EVT-9: a join made inside a callback starts after the delivery, with its result as outside") {
  Story s = alice_in(false, false);
  Step j = call(Kind::join);
  j.inside = true;
  j.inside_event = "assignedBreakoutRooms";
  s.steps = {call(Kind::subscribe, "second"), j, server(Kind::open_room, "room1")};
  CHECK(lines(predict(s)) == std::vector<std::string>{"0 callResult subscribe ok", "0 assignedBreakoutRooms open",
                                                      "0 assignedBreakoutRooms open @second", "0 callStateChanged main:LocalHold",
                                                      "0 join", "0 join @second", "0 callStateChanged room:Connecting",
                                                      "0 callStateChanged room:Connected", "0 callResult join ok"});
}

TEST_CASE("BR-EVT-3 and BR-MOVE-1: an update held back is acted on when it arrives, and a later one overtaking it makes it stale") {
  Story s = alice_in(true, false);
  Step hold = server(Kind::delay_next, "", "alice");
  hold.by = 1000;
  s.steps = {hold, server(Kind::open_room, "room1"), advance(3999), advance(1)};
  auto l = lines(predict(s));
  REQUIRE(l.size() == 5);
  CHECK(l[0] == "1000 assignedBreakoutRooms open");  // learnt late, so the auto-move delay counts from then
  CHECK(l[1] == "4000 callStateChanged main:LocalHold");

  hold.by = 5000;
  s.steps = {hold, server(Kind::open_room, "room1"), server(Kind::set_auto_move, "room1"), advance(10000)};
  l = lines(predict(s));
  CHECK(l == std::vector<std::string>{"0 assignedBreakoutRooms open"});  // the newer update; the held one is stale

  Step drop = server(Kind::drop_next, "", "alice");
  s.steps = {drop, server(Kind::open_room, "room1"), advance(10000)};
  CHECK(predict(s).events.empty());
}
