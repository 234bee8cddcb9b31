// Reading server actions from JSON.
#include <breakout/mock_server/actions.hpp>

#include <catch2/catch.hpp>

using namespace breakout;
using namespace breakout::mock;
using protocol::Json;

TEST_CASE("an action is read from its JSON form", "[mock][actions]") {
  auto action = parse_action(Json{{"action", "assign"}, {"participant", "alice"}, {"room", "room1"}});
  REQUIRE(action);
  auto& assign = std::get<Assign>(*action);
  CHECK(assign.participant == "alice");
  CHECK(assign.room == "room1");
}

TEST_CASE("an unknown action, an unknown field and a mistyped field are each named", "[mock][actions]") {
  CHECK(parse_action(Json{{"action", "flood"}}).error().field == "action");
  auto extra = parse_action(Json{{"action", "openRoom"}, {"room", "r"}, {"rooom", "r"}});
  CHECK(extra.error().field == "rooom");
  auto typed = parse_action(Json{{"action", "createRoom"}, {"room", "r"}, {"autoMove", "yes"}});
  CHECK(typed.error().field == "autoMove");
  CHECK(typed.error().message == "expected true or false");
}

TEST_CASE("failNext takes a known method and defaults to one 500 failure", "[mock][actions]") {
  auto a = parse_action(Json{{"action", "failNext"}, {"method", "hold"}, {"subCode", 42}});
  REQUIRE(a);
  auto& f = std::get<FailNext>(*a);
  CHECK(f.count == 1);
  CHECK(f.error.code == 500);
  CHECK(f.error.sub_code == 42);
  CHECK(parse_action(Json{{"action", "failNext"}, {"method", "fly"}}).error().field == "method");
}

TEST_CASE("durations in settings accept the scenario syntax", "[mock][actions]") {
  auto a = parse_action(Json{{"action", "updateSettings"}, {"roomEndAfter", "30m"}});
  REQUIRE(a);
  CHECK(std::get<UpdateSettings>(*a).room_end_after == std::chrono::minutes(30));
  CHECK_FALSE(parse_action(Json{{"action", "updateSettings"}, {"roomEndAfter", "soon"}}));
}

TEST_CASE("connection faults are read with their participant and duration", "[mock][actions]") {
  auto refuse = parse_action(Json{{"action", "refuseConnections"}, {"for", "1h"}});
  REQUIRE(refuse);
  CHECK(std::get<RefuseConnections>(*refuse).duration == std::chrono::hours(1));
  CHECK_FALSE(std::get<RefuseConnections>(*refuse).participant);
  CHECK(parse_action(Json{{"action", "refuseConnections"}}).error().field == "for");
  CHECK(std::holds_alternative<ExpireToken>(*parse_action(Json{{"action", "expireToken"}, {"participant", "a"}})));
  CHECK(parse_action(Json{{"action", "updateRoom"}, {"room", "r"}, {"joinUrl", 3}}).error().field == "joinUrl");
  auto empty_url = parse_action(Json{{"action", "updateRoom"}, {"room", "r"}, {"joinUrl", ""}});
  REQUIRE(empty_url);
  CHECK(std::get<UpdateRoom>(*empty_url).join_url == "");
}
