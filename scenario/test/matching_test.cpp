// Partial matching of expected against observed event data.
#include <breakout/scenario/matching.hpp>

#include <catch2/catch.hpp>

using namespace breakout::scenario;
using nlohmann::json;

TEST_CASE("only the fields written are compared", "[scenario][matching]") {
  json observed = {{"state", "open"}, {"displayName", "Room 1"}, {"invitees", json::array()}};
  CHECK_FALSE(match({{"state", "open"}}, observed, {}));
  auto m = match({{"state", "closed"}}, observed, {});
  REQUIRE(m);
  CHECK(m->path == "data.state");
  CHECK(m->expected == "\"closed\"");
  CHECK(m->observed == "\"open\"");
}

TEST_CASE("an expected field that is absent is a mismatch", "[scenario][matching]") {
  auto m = match({{"call", "room"}}, json::object(), {});
  REQUIRE(m);
  CHECK(m->observed == "(absent)");
}

TEST_CASE("arrays match element by element and by length", "[scenario][matching]") {
  json observed = json::array({{{"a", 1}, {"b", 2}}, {{"a", 3}}});
  CHECK_FALSE(match(json::array({{{"a", 1}}, {{"a", 3}}}), observed, {}));
  CHECK(match(json::array({{{"a", 1}}}), observed, {}));
}

TEST_CASE("captured values are substituted into expectations", "[scenario][matching]") {
  std::map<std::string, json> captures = {{"roomCall", "call-7"}};
  CHECK_FALSE(match({{"callId", "${roomCall}"}}, {{"callId", "call-7"}}, captures));
  CHECK(match({{"callId", "${roomCall}"}}, {{"callId", "call-8"}}, captures));
}

TEST_CASE("value_at follows dotted paths into objects and arrays", "[scenario][matching]") {
  json data = {{"invitees", {"x", "y"}}, {"call", {{"id", "c"}}}};
  CHECK(value_at(data, "invitees.1") == json("y"));
  CHECK(value_at(data, "data.call.id") == json("c"));
  CHECK_FALSE(value_at(data, "nope"));
}

TEST_CASE("not: matches anything but the value, a captured one included", "[scenario][matching][matchers]") {
  std::map<std::string, json> captures = {{"firstCall", "alice-call-2"}};
  CHECK_FALSE(match({{"callId", {{"not", "${firstCall}"}}}}, {{"callId", "alice-call-3"}}, captures));
  auto m = match({{"callId", {{"not", "${firstCall}"}}}}, {{"callId", "alice-call-2"}}, captures);
  REQUIRE(m);
  CHECK(m->path == "data.callId");
  CHECK(m->expected == "not \"alice-call-2\"");
}

TEST_CASE("anyOf: matches when one of the values does", "[scenario][matching][matchers]") {
  json expected = {{"state", {{"anyOf", {"Connected", "LocalHold"}}}}};
  CHECK_FALSE(match(expected, {{"state", "LocalHold"}}, {}));
  auto m = match(expected, {{"state", "Disconnected"}}, {});
  REQUIRE(m);
  CHECK(m->expected == "any of [\"Connected\",\"LocalHold\"]");
}

TEST_CASE("matches: the whole string against a regular expression", "[scenario][matching][matchers]") {
  json expected = {{"threadId", {{"matches", "19:breakout_.*@thread\\.v2"}}}};
  CHECK_FALSE(match(expected, {{"threadId", "19:breakout_room1@thread.v2"}}, {}));
  CHECK(match(expected, {{"threadId", "x19:breakout_room1@thread.v2"}}, {}));
  CHECK(match(expected, {{"threadId", 7}}, {}));
  CHECK(pattern_problem("(unclosed"));
  CHECK_FALSE(pattern_problem("ok.*"));
}

TEST_CASE("numeric comparisons combine into a range", "[scenario][matching][matchers]") {
  json expected = {{"subCode", {{"gte", 46250}, {"lte", 46263}}}};
  CHECK_FALSE(match(expected, {{"subCode", 46255}}, {}));
  auto m = match(expected, {{"subCode", 46264}}, {});
  REQUIRE(m);
  CHECK(m->expected == "<= 46263");
  CHECK(match({{"code", {{"gt", 400}}}}, {{"code", "500"}}, {}));  // a string is not a number
}

TEST_CASE("anyOrder: a list compared as a set of the same size", "[scenario][matching][matchers]") {
  json expected = {{"invitees", {{"anyOrder", {"bob", "alice"}}}}};
  CHECK_FALSE(match(expected, {{"invitees", {"alice", "bob"}}}, {}));
  CHECK(match(expected, {{"invitees", {"alice", "alice"}}}, {}));
  CHECK(match(expected, {{"invitees", {"alice", "bob", "carol"}}}, {}));
  // Items may themselves be partial objects or matchers.
  json rooms = {{"anyOrder", {{{"displayName", "B"}}, {{"displayName", {{"matches", "A.*"}}}}}}};
  CHECK_FALSE(match(rooms, json::array({{{"displayName", "Alpha"}, {"state", "open"}}, {{"displayName", "B"}}}), {}));
}

TEST_CASE("an object is a matcher only when every key is a matcher key", "[scenario][matching][matchers]") {
  CHECK(is_matcher({{"not", 1}}));
  CHECK(is_matcher({{"gt", 1}, {"lt", 5}}));
  CHECK_FALSE(is_matcher({{"not", 1}, {"state", "open"}}));
  CHECK_FALSE(is_matcher(json::object()));
}
