// Partial matching of expected against observed event data.
#include "matching.hpp"

#include <catch2/catch.hpp>

using namespace breakout::harness;
using nlohmann::json;

TEST_CASE("only the fields written are compared", "[harness][matching]") {
  json observed = {{"state", "open"}, {"displayName", "Room 1"}, {"invitees", json::array()}};
  CHECK_FALSE(match({{"state", "open"}}, observed, {}));
  auto m = match({{"state", "closed"}}, observed, {});
  REQUIRE(m);
  CHECK(m->path == "data.state");
  CHECK(m->expected == "\"closed\"");
  CHECK(m->observed == "\"open\"");
}

TEST_CASE("an expected field that is absent is a mismatch", "[harness][matching]") {
  auto m = match({{"call", "room"}}, json::object(), {});
  REQUIRE(m);
  CHECK(m->observed == "(absent)");
}

TEST_CASE("arrays match element by element and by length", "[harness][matching]") {
  json observed = json::array({{{"a", 1}, {"b", 2}}, {{"a", 3}}});
  CHECK_FALSE(match(json::array({{{"a", 1}}, {{"a", 3}}}), observed, {}));
  CHECK(match(json::array({{{"a", 1}}}), observed, {}));
}

TEST_CASE("captured values are substituted into expectations", "[harness][matching]") {
  std::map<std::string, json> captures = {{"roomCall", "call-7"}};
  CHECK_FALSE(match({{"callId", "${roomCall}"}}, {{"callId", "call-7"}}, captures));
  CHECK(match({{"callId", "${roomCall}"}}, {{"callId", "call-8"}}, captures));
}

TEST_CASE("value_at follows dotted paths into objects and arrays", "[harness][matching]") {
  json data = {{"invitees", {"x", "y"}}, {"call", {{"id", "c"}}}};
  CHECK(value_at(data, "invitees.1") == json("y"));
  CHECK(value_at(data, "data.call.id") == json("c"));
  CHECK_FALSE(value_at(data, "nope"));
}
