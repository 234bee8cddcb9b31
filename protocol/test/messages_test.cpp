// Encoding and strict decoding of the signaling messages.
#include <breakout/protocol/messages.hpp>

#include <catch2/catch.hpp>

using namespace breakout::protocol;

TEST_CASE("a request survives encode and decode", "[protocol]") {
  Request req{42, Hold{"call-1"}};
  auto decoded = decode_request(encode(req));
  REQUIRE(decoded);
  CHECK(decoded->id == 42);
  REQUIRE(std::holds_alternative<Hold>(decoded->params));
  CHECK(std::get<Hold>(decoded->params).call_id == "call-1");
}

TEST_CASE("a request with an unknown method is refused with its id", "[protocol]") {
  auto decoded = decode_request(R"({"type":"request","id":7,"method":"fly","params":{}})");
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().path == "/method");
  CHECK(decoded.error().request_id == 7u);
}

TEST_CASE("a request with an unknown field is refused", "[protocol]") {
  auto decoded = decode_request(R"({"type":"request","id":1,"method":"hold","params":{"callId":"c","x":1}})");
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().path == "/params/x");
}

TEST_CASE("a request with a mistyped field names the field", "[protocol]") {
  auto decoded = decode_request(R"({"type":"request","id":1,"method":"hold","params":{"callId":5}})");
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().path == "/params/callId");
  CHECK(decoded.error().message == "expected a string, got integer");
}

TEST_CASE("malformed and deeply nested JSON is refused without parsing", "[protocol]") {
  CHECK_FALSE(decode_request("{\"type\":"));
  CHECK_FALSE(decode_request(std::string(10000, '[')));
  CHECK(decode_request(std::string(10000, '[')).error().message.find("nested deeper") != std::string::npos);
}

TEST_CASE("every server message survives encode and decode", "[protocol]") {
  std::vector<ServerMessage> messages = {
      Welcome{"alice", "Alice", {"microsoftTeamsUser", "8:orgid:alice"}},
      Response{3, ErrorBody{412, 46256, "room closed"}, Json::object()},
      Response{4, std::nullopt, to_json(JoinResult{"call-1", "19:meeting@thread.v2", "teamsMeeting", "Attendee"})},
      CallStateUpdate{"call-2", "Disconnected", std::nullopt},
      LocalParticipantUpdate{"call-1", 5, encode_breakout_details({})},
      ParticipantsUpdate{"call-1", {{"bob", "Bob"}}, {"8:acs:carol"}},
      ProtocolError{400, "bad", 9},
  };
  for (const auto& m : messages) {
    auto decoded = decode_server_message(encode(m));
    REQUIRE(decoded);
    CHECK(decoded->index() == m.index());
    CHECK(encode(*decoded) == encode(m));
  }
}

TEST_CASE("breakout details round-trip, with invitees only in allBreakoutRooms", "[protocol]") {
  WireRoom room{"Room 1", join_url_for_thread("19:room1@thread.v2"), true, true, {"bob"}};
  MainMeetingProperties props;
  props.assigned_breakout_rooms.push_back(room);
  props.all_breakout_rooms = std::vector<WireRoom>{room};
  auto decoded = decode_breakout_details(encode_breakout_details(props));
  REQUIRE(decoded);
  CHECK(decoded->all_breakout_rooms->at(0).invitees == std::vector<std::string>{"bob"});
  CHECK(decoded->assigned_breakout_rooms.at(0).invitees.empty());
}

TEST_CASE("unreadable breakout details name the bad field", "[protocol]") {
  Json bad = {{"mainMeetingProperties", {{"assignedBreakoutRooms", {{{"name", "R"}, {"isOpen", "yes"}}}}}}};
  auto decoded = decode_breakout_details(bad);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().path == "/breakoutDetails/mainMeetingProperties/assignedBreakoutRooms/0");
}

TEST_CASE("meeting settings read allowJoinBackToMainMeeting as a string flag", "[protocol]") {
  MeetingBreakoutSettings s;
  s.allow_join_back_to_main_meeting = false;
  s.room_end_time = "2026-01-05T09:30:00.000Z";
  auto decoded = decode_meeting_settings(encode_meeting_details(s), encode_additional_data(s));
  REQUIRE(decoded);
  CHECK(*decoded == s);
}

TEST_CASE("the thread id is the URL-decoded segment after /l/meetup-join/", "[protocol]") {
  CHECK(thread_id_from_join_url("https://teams.microsoft.com/l/meetup-join/19%3ameeting_a%40thread.v2/0?context=x") ==
        "19:meeting_a@thread.v2");
  CHECK(thread_id_from_join_url(join_url_for_thread("19:room 1@thread.v2")) == "19:room 1@thread.v2");
  CHECK_FALSE(thread_id_from_join_url(""));
  CHECK_FALSE(thread_id_from_join_url("https://teams.microsoft.com/l/other/19%3a/0"));
  CHECK_FALSE(thread_id_from_join_url("https://teams.microsoft.com/l/meetup-join/%zz/0"));
  CHECK_FALSE(thread_id_from_join_url("https://teams.microsoft.com/l/meetup-join/abc%4"));
}

#include <fstream>
#include <sstream>

TEST_CASE("every example in docs/protocol.md decodes", "[protocol][docs]") {
  std::ifstream in(BREAKOUT_SOURCE_DIR "/docs/protocol.md");
  REQUIRE(in);
  std::string line, kind, block;
  int examples = 0;
  while (std::getline(in, line)) {
    if (kind.empty() && (line == "```json client" || line == "```json server")) {
      kind = line.substr(8);
      block.clear();
    } else if (!kind.empty() && line == "```") {
      INFO(block);
      if (kind == "client") CHECK(decode_request(block));
      else CHECK(decode_server_message(block));
      ++examples;
      kind.clear();
    } else if (!kind.empty()) {
      block += line + "\n";
    }
  }
  CHECK(examples >= 12);
}

TEST_CASE("updates written directly are the same bytes as the JSON tree would give", "[protocol]") {
  MeetingBreakoutSettings settings;
  settings.main_meeting_join_url = join_url_for_thread("19:meeting_main@thread.v2");
  settings.breakout_room_managers = {"8:orgid:mia"};
  ConversationUpdate c{"alice-call-1", 7, encode_meeting_details(settings), encode_additional_data(settings), nullptr};
  Json tree = {{"type", "conversationUpdate"}, {"callId", c.call_id}, {"sequenceNumber", c.sequence_number},
               {"meetingDetails", c.meeting_details}, {"additionalData", c.additional_data}};
  CHECK(encode(ServerMessage(c)) == tree.dump());
  // The form a fan-out sends: the settings encoded once and shared, the trees left empty.
  ConversationUpdate shared{"alice-call-1", 7, {}, {}, encode_settings(settings)};
  CHECK(encode(ServerMessage(shared)) == tree.dump());
  auto decoded = decode_server_message(encode(ServerMessage(shared)));
  REQUIRE(decoded);
  const auto* back = std::get_if<ConversationUpdate>(&*decoded);
  REQUIRE(back);
  CHECK(back->meeting_details == c.meeting_details);
  CHECK(back->additional_data == c.additional_data);
  CHECK(back->encoded == nullptr);
  // Call ids that need escaping are escaped as the library would.
  for (std::string id : {"quote \" and backslash \\", "tab\tnewline\n", "caf\xc3\xa9", "\x7f", ""}) {
    ConversationUpdate odd{id, 1, {}, {}, encode_settings(settings)};
    Json odd_tree = {{"type", "conversationUpdate"}, {"callId", id}, {"sequenceNumber", 1},
                     {"meetingDetails", c.meeting_details}, {"additionalData", c.additional_data}};
    CHECK(encode(ServerMessage(odd)) == odd_tree.dump());
  }
  MainMeetingProperties props;
  props.assigned_breakout_rooms.push_back({"Room \"1\"", join_url_for_thread("19:breakout_room1@thread.v2"), true, true, {}});
  LocalParticipantUpdate l{"alice-call-1", 3, encode_breakout_details(props)};
  Json tree2 = {{"type", "localParticipantUpdate"}, {"callId", l.call_id}, {"sequenceNumber", l.sequence_number},
                {"breakoutDetails", l.breakout_details}};
  CHECK(encode(ServerMessage(l)) == tree2.dump());
}
