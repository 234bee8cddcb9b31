// Fuzz target: the control endpoint's reading of a server action (POST /actions), and the meeting
// applying what reads, with its timers run out. A bad action is a 400 naming the field, never a crash.
#include <breakout/mock_server/actions.hpp>
#include <breakout/mock_server/meeting.hpp>
#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/messages.hpp>
#include <breakout/protocol/text.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace protocol = breakout::protocol;
  namespace mock = breakout::mock;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = protocol::parse_json(text);
  if (!json) return 0;
  auto action = mock::parse_action(*json);
  if (!action) {
    // The 400 reply names the field and says why; it must encode whatever the field's name was.
    (void)breakout::text::dump_json(protocol::Json{{"error", {{"field", action.error().field}, {"message", action.error().message}}}});
    if (action.error().message.empty()) __builtin_trap();
    return 0;
  }
  breakout::clock::VirtualClock clock;
  mock::MeetingConfig config;
  for (const char* id : {"alice", "bob"}) {
    mock::ParticipantConfig p;
    p.id = id;
    config.participants.push_back(p);
  }
  mock::RoomConfig room;
  room.id = "room1";
  room.participants = {"alice"};
  config.rooms.push_back(room);
  mock::Meeting meeting(config, clock, [](const std::string&, const protocol::ServerMessage& m) { (void)protocol::encode(m); });
  meeting.participant_connected("alice");
  (void)meeting.apply(*action);
  (void)meeting.apply(*action);
  // Whatever times the action set, they run out in bounded steps.
  for (int i = 0; i < 64 && clock.fire_next(breakout::clock::TimePoint(std::chrono::hours(24 * 365 * 40)));) ++i;
  return 0;
}
