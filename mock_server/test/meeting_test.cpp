// The meeting model, without sockets: what each participant is told, and request rules.
#include <breakout/mock_server/meeting.hpp>

#include <catch2/catch.hpp>

using namespace breakout;
using namespace breakout::mock;

namespace {

struct Sent {
  std::string to;
  protocol::ServerMessage message;
};

struct MeetingFixture {
  clock::VirtualClock clock;
  std::vector<Sent> sent;
  Meeting meeting;

  explicit MeetingFixture(MeetingConfig config = standard())
      : meeting(std::move(config), clock, [this](const std::string& to, const protocol::ServerMessage& m) { sent.push_back({to, m}); }) {}

  static MeetingConfig standard() {
    MeetingConfig c;
    c.participants.push_back({"olivia", "Olivia", IdentityKind::microsoft_365, "Organizer", "", false});
    c.participants.push_back({"alice", "Alice", IdentityKind::communication_user, "Attendee", "", false});
    c.rooms.push_back({"room1", "Room 1", true, false, {}});
    return c;
  }

  protocol::Response join(const std::string& pid, std::uint64_t id = 1) {
    meeting.participant_connected(pid);
    sent.clear();
    meeting.handle(pid, {id, protocol::JoinMeeting{protocol::join_url_for_thread("19:meeting_main@thread.v2")}});
    settle();
    return std::get<protocol::Response>(sent.front().message);
  }

  /// What the harness does once nothing is in flight: the timers due now fire (the roster's flush).
  void settle() {
    while (clock.fire_next(clock.now())) {
    }
  }

  std::vector<protocol::ParticipantsUpdate> rosters_to(const std::string& pid) const {
    std::vector<protocol::ParticipantsUpdate> out;
    for (const auto& s : sent)
      if (s.to == pid)
        if (auto* u = std::get_if<protocol::ParticipantsUpdate>(&s.message)) out.push_back(*u);
    return out;
  }

  std::vector<protocol::LocalParticipantUpdate> details_to(const std::string& pid) const {
    std::vector<protocol::LocalParticipantUpdate> out;
    for (const auto& s : sent)
      if (s.to == pid)
        if (auto* u = std::get_if<protocol::LocalParticipantUpdate>(&s.message)) out.push_back(*u);
    return out;
  }
};

}  // namespace

TEST_CASE("joining the meeting answers first, then sends breakout details and settings", "[mock][meeting]") {
  MeetingFixture f;
  auto response = f.join("alice");
  REQUIRE_FALSE(response.error);
  CHECK(response.result["callKind"] == "teamsMeeting");
  REQUIRE(f.details_to("alice").size() == 1);
  auto details = protocol::decode_breakout_details(f.details_to("alice")[0].breakout_details);
  REQUIRE(details);
  CHECK(details->assigned_breakout_rooms.empty());
  CHECK_FALSE(details->all_breakout_rooms);
}

TEST_CASE("only managers are sent the list of all rooms, with invitees", "[mock][meeting]") {
  MeetingFixture f;
  f.join("olivia");
  f.join("alice");
  f.sent.clear();
  REQUIRE(f.meeting.apply(Assign{"alice", "room1"}));
  auto to_olivia = f.details_to("olivia");
  REQUIRE(to_olivia.size() == 1);
  auto details = protocol::decode_breakout_details(to_olivia[0].breakout_details);
  REQUIRE(details->all_breakout_rooms);
  CHECK(details->all_breakout_rooms->at(0).invitees == std::vector<std::string>{"8:acs:alice"});
  auto to_alice = protocol::decode_breakout_details(f.details_to("alice").at(0).breakout_details);
  CHECK_FALSE(to_alice->all_breakout_rooms);
  CHECK(to_alice->assigned_breakout_rooms.at(0).name == "Room 1");
}

TEST_CASE("an action that changes nothing a participant sees sends them nothing", "[mock][meeting]") {
  MeetingFixture f;
  f.join("alice");
  f.sent.clear();
  REQUIRE(f.meeting.apply(OpenRoom{"room1"}));  // alice is not assigned to it
  CHECK(f.details_to("alice").empty());
}

TEST_CASE("sequence numbers grow with every update to a participant", "[mock][meeting]") {
  MeetingFixture f;
  f.join("alice");
  f.sent.clear();
  REQUIRE(f.meeting.apply(Assign{"alice", "room1"}));
  REQUIRE(f.meeting.apply(OpenRoom{"room1"}));
  auto updates = f.details_to("alice");
  REQUIRE(updates.size() == 2);
  CHECK(updates[0].sequence_number < updates[1].sequence_number);
}

TEST_CASE("a closed room cannot be joined; an open one can, once assigned", "[mock][meeting]") {
  MeetingFixture f;
  f.join("alice");
  REQUIRE(f.meeting.apply(Assign{"alice", "room1"}));
  std::string url = protocol::join_url_for_thread("19:breakout_room1@thread.v2");
  f.sent.clear();
  f.meeting.handle("alice", {2, protocol::JoinBreakoutRoom{url}});
  CHECK(std::get<protocol::Response>(f.sent.front().message).error->code == 412);
  REQUIRE(f.meeting.apply(OpenRoom{"room1"}));
  f.sent.clear();
  f.meeting.handle("alice", {3, protocol::JoinBreakoutRoom{url}});
  auto ok = std::get<protocol::Response>(f.sent.front().message);
  REQUIRE_FALSE(ok.error);
  CHECK(ok.result["threadId"] == "19:breakout_room1@thread.v2");
}

TEST_CASE("with the feature turned off no room can be joined (BR-RACE-10)", "[mock][meeting]") {
  MeetingFixture f;
  f.join("alice");
  REQUIRE(f.meeting.apply(Assign{"alice", "room1"}));
  REQUIRE(f.meeting.apply(OpenRoom{"room1"}));
  REQUIRE(f.meeting.apply(SetFeatureEnabled{false}));
  f.sent.clear();
  f.meeting.handle("alice", {2, protocol::JoinBreakoutRoom{protocol::join_url_for_thread("19:breakout_room1@thread.v2")}});
  CHECK(std::get<protocol::Response>(f.sent.front().message).error->code == 405);
}

TEST_CASE("hold and resume follow the leg's state, and asking again for the state it is in succeeds", "[mock][meeting]") {
  MeetingFixture f;
  auto joined = f.join("alice");
  std::string call = joined.result["callId"];
  auto request = [&](protocol::RequestParams p) {
    f.sent.clear();
    f.meeting.handle("alice", {9, std::move(p)});
    return std::get<protocol::Response>(f.sent.front().message);
  };
  CHECK_FALSE(request(protocol::Resume{call}).error);
  CHECK(f.meeting.legs().at(0).state == "Connected");
  CHECK_FALSE(request(protocol::Hold{call}).error);
  CHECK(f.meeting.legs().at(0).state == "LocalHold");
  CHECK_FALSE(request(protocol::Hold{call}).error);  // a repeated hold, as after a lost reply
  CHECK(f.meeting.legs().at(0).state == "LocalHold");
  CHECK_FALSE(request(protocol::Resume{call}).error);
  CHECK(f.meeting.legs().at(0).state == "Connected");
  CHECK(request(protocol::Hold{"call-999"}).error->code == 404);
}

TEST_CASE("an injected failure answers the next matching request, then stops", "[mock][meeting]") {
  MeetingFixture f;
  REQUIRE(f.meeting.apply(FailNext{"joinMeeting", std::nullopt, 1, {503, 1234, "busy"}}));
  auto failed = f.join("alice", 1);
  REQUIRE(failed.error);
  CHECK(*failed.error == protocol::ErrorBody{503, 1234, "busy"});
  CHECK_FALSE(f.join("alice", 2).error);
}

TEST_CASE("the room end time closes every room when virtual time reaches it", "[mock][meeting]") {
  MeetingFixture f;
  f.join("alice");
  REQUIRE(f.meeting.apply(Assign{"alice", "room1"}));
  REQUIRE(f.meeting.apply(OpenRoom{"room1"}));
  REQUIRE(f.meeting.apply(UpdateSettings{std::nullopt, std::chrono::minutes(30), false}));
  f.sent.clear();
  CHECK(f.clock.fire_next(clock::TimePoint(std::chrono::minutes(31))));
  auto details = protocol::decode_breakout_details(f.details_to("alice").at(0).breakout_details);
  CHECK_FALSE(details->assigned_breakout_rooms.at(0).is_open);
}

TEST_CASE("actions on unknown rooms or participants are refused", "[mock][meeting]") {
  MeetingFixture f;
  CHECK(f.meeting.apply(OpenRoom{"nope"}).error() == "no room 'nope'");
  CHECK(f.meeting.apply(Assign{"nobody", "room1"}).error() == "no participant 'nobody'");
  CHECK_FALSE(f.meeting.apply(CreateRoom{"room1", std::nullopt, true}));
}

TEST_CASE("a revoked token no longer authenticates", "[mock][meeting]") {
  MeetingFixture f;
  CHECK(f.meeting.authenticate("token-alice") == "alice");
  REQUIRE(f.meeting.revoke_token("alice"));
  CHECK_FALSE(f.meeting.authenticate("token-alice"));
}

TEST_CASE("unreadable details go out with the next sequence number", "[mock][meeting]") {
  MeetingFixture f;
  f.join("alice");
  f.sent.clear();
  REQUIRE(f.meeting.apply(SendUnreadableDetails{"alice"}));
  auto updates = f.details_to("alice");
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].sequence_number == 2);
  CHECK_FALSE(protocol::decode_breakout_details(updates[0].breakout_details));
}

TEST_CASE("a room's join URL can be replaced, even by an empty one", "[mock][meeting]") {
  MeetingFixture f;
  f.join("alice");
  REQUIRE(f.meeting.apply(Assign{"alice", "room1"}));
  f.sent.clear();
  REQUIRE(f.meeting.apply(UpdateRoom{"room1", std::nullopt, std::nullopt, ""}));
  auto details = protocol::decode_breakout_details(f.details_to("alice").at(0).breakout_details);
  CHECK(details->assigned_breakout_rooms.at(0).meeting_join_url.empty());
}

TEST_CASE("one client cannot make the meeting hold more than 16 calls for it, nor the control endpoint more than 1000 rooms",
          "[mock][meeting]") {
  MeetingFixture f;
  f.join("olivia");  // an organizer may join any room
  REQUIRE(f.meeting.apply(OpenRoom{"room1"}));
  auto join_room = [&](std::uint64_t id) {
    f.sent.clear();
    f.meeting.handle("olivia", {id, protocol::JoinBreakoutRoom{protocol::join_url_for_thread("19:breakout_room1@thread.v2")}});
    for (const auto& s : f.sent)
      if (auto* r = std::get_if<protocol::Response>(&s.message)) return *r;
    FAIL("no response");
    return protocol::Response{};
  };
  for (std::uint64_t i = 0; i < kMaxLegsPerParticipant - 1; ++i) REQUIRE_FALSE(join_room(10 + i).error);
  auto refused = join_room(99);
  REQUIRE(refused.error);
  CHECK(refused.error->code == 429);
  CHECK(refused.error->message == "too many calls: at most 16 per participant");
  CHECK(f.meeting.legs().size() == kMaxLegsPerParticipant);

  for (std::size_t i = 1; i < kMaxRooms; ++i) REQUIRE(f.meeting.apply(CreateRoom{"r" + std::to_string(i), std::nullopt, true}));
  auto one_too_many = f.meeting.apply(CreateRoom{"r-extra", std::nullopt, true});
  REQUIRE_FALSE(one_too_many);
  CHECK(one_too_many.error() == "a meeting has at most 1000 rooms");
}

namespace {
MeetingConfig four_attendees() {
  MeetingConfig c = MeetingFixture::standard();
  c.participants.push_back({"bob", "Bob", IdentityKind::communication_user, "Attendee", "", false});
  c.participants.push_back({"cat", "Cat", IdentityKind::microsoft_365, "Attendee", "", false});
  return c;
}
std::vector<std::string> ids(const std::vector<protocol::RemoteParticipant>& list) {
  std::vector<std::string> out;
  for (const auto& p : list) out.push_back(p.id);
  return out;
}
}  // namespace

TEST_CASE("roster changes are told once nothing else is under way, one update per call, in the meeting's order", "[mock][meeting][roster]") {
  MeetingFixture f(four_attendees());
  const auto main_url = protocol::join_url_for_thread("19:meeting_main@thread.v2");
  for (const char* pid : {"cat", "alice", "bob"}) f.meeting.participant_connected(pid);
  f.sent.clear();
  // Three join in one instant, in an order other than the meeting's.
  f.meeting.handle("cat", {1, protocol::JoinMeeting{main_url}});
  f.meeting.handle("alice", {1, protocol::JoinMeeting{main_url}});
  f.meeting.handle("bob", {1, protocol::JoinMeeting{main_url}});
  CHECK(f.rosters_to("alice").empty());
  f.settle();
  REQUIRE(f.rosters_to("alice").size() == 1);
  REQUIRE(f.rosters_to("bob").size() == 1);
  REQUIRE(f.rosters_to("cat").size() == 1);
  CHECK(ids(f.rosters_to("alice")[0].added) == std::vector<std::string>{"8:acs:bob", "8:orgid:cat"});
  CHECK(ids(f.rosters_to("cat")[0].added) == std::vector<std::string>{"8:acs:alice", "8:acs:bob"});
  CHECK(f.rosters_to("cat")[0].removed.empty());
}

TEST_CASE("a roster change undone before it is told is not told, and a call's first list is sent even when empty", "[mock][meeting][roster]") {
  MeetingFixture f(four_attendees());
  const auto main_url = protocol::join_url_for_thread("19:meeting_main@thread.v2");
  f.join("alice");
  REQUIRE(f.rosters_to("alice").size() == 1);
  CHECK(f.rosters_to("alice")[0].added.empty());
  f.meeting.participant_connected("bob");
  f.sent.clear();
  f.meeting.handle("bob", {1, protocol::JoinMeeting{main_url}});
  auto bob_call = std::get<protocol::Response>(f.sent.front().message).result["callId"].get<std::string>();
  f.meeting.handle("bob", {2, protocol::HangUp{bob_call}});
  f.settle();
  CHECK(f.rosters_to("alice").empty());
  CHECK(f.rosters_to("bob").empty());  // the call it would have gone to is gone
  f.meeting.handle("bob", {3, protocol::JoinMeeting{main_url}});
  f.settle();
  REQUIRE(f.rosters_to("alice").size() == 1);
  CHECK(ids(f.rosters_to("alice")[0].added) == std::vector<std::string>{"8:acs:bob"});
  f.sent.clear();
  f.meeting.handle("bob", {4, protocol::HangUp{f.meeting.legs().back().call_id}});
  f.settle();
  REQUIRE(f.rosters_to("alice").size() == 1);
  CHECK(f.rosters_to("alice")[0].removed == std::vector<std::string>{"8:acs:bob"});
}
