// Fuzz target: the mock server's reading of a client frame, and the meeting handling what decodes.
#include <breakout/mock_server/meeting.hpp>
#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/messages.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace protocol = breakout::protocol;
  namespace mock = breakout::mock;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto request = protocol::decode_request(text);
  if (!request) {
    // The error reply names the place; it must encode.
    (void)protocol::encode(protocol::ServerMessage(protocol::ProtocolError{400, request.error().to_string(), request.error().request_id}));
    return 0;
  }
  // What decodes must survive the round trip, and the meeting must answer it.
  auto again = protocol::decode_request(protocol::encode(*request));
  if (!again) __builtin_trap();
  breakout::clock::VirtualClock clock;
  mock::MeetingConfig config;
  mock::ParticipantConfig alice;
  alice.id = "alice";
  config.participants.push_back(alice);
  mock::RoomConfig room;
  room.id = "room1";
  room.open = true;
  room.participants = {"alice"};
  config.rooms.push_back(room);
  std::size_t replies = 0;
  mock::Meeting meeting(config, clock, [&](const std::string&, const protocol::ServerMessage& m) {
    (void)protocol::encode(m);
    ++replies;
  });
  meeting.participant_connected("alice");
  meeting.handle("alice", *request);
  meeting.handle("alice", *request);
  if (replies == 0) __builtin_trap();  // every request is answered
  return 0;
}
