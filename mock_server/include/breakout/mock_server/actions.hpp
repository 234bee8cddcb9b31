// The scripted server actions: what a scenario, or a person at the control endpoint, makes the
// Teams side do. docs/mock-server.md lists each one.
#pragma once

#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/expected.hpp>
#include <breakout/protocol/messages.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace breakout::mock {

struct CreateRoom { std::string room; std::optional<std::string> name; bool auto_move = true; };
struct DeleteRoom { std::string room; };
/// join_url replaces the room's join URL as sent to clients ("" for none, or a broken one).
struct UpdateRoom {
  std::string room;
  std::optional<std::string> name;
  std::optional<bool> auto_move;
  std::optional<std::string> join_url;
};
/// Assigns a participant to a room, or unassigns them when room is empty.
struct Assign { std::string participant; std::optional<std::string> room; };
struct OpenRoom { std::string room; };
struct CloseRoom { std::string room; };
struct OpenAllRooms {};
struct CloseAllRooms {};
/// Changes the meeting-level settings; room_end_after is measured from now, nullopt leaves it,
/// clear_room_end removes it.
struct UpdateSettings {
  std::optional<bool> disable_return_to_main_meeting;
  std::optional<clock::Duration> room_end_after;
  bool clear_room_end = false;
};
/// Makes the next `count` requests of `method` (optionally from one participant) fail.
struct FailNext {
  std::string method;
  std::optional<std::string> participant;
  int count = 1;
  protocol::ErrorBody error;
};

/// The participant's token expires: the connection is closed with 4001 and the token refused from now on.
struct ExpireToken { std::string participant; };
/// The participant's token is revoked: closed with 4003 and refused from now on.
struct RevokeToken { std::string participant; };
/// The participant's TCP connection is dropped without a close handshake (a network fault). With
/// `detected_after`, the meeting learns of it only that much later (virtual time), as a service
/// behind a load balancer does: meanwhile the session lingers as the participant's, and a reconnect
/// replaces it before it ends.
struct DropConnection {
  std::string participant;
  std::optional<clock::Duration> detected_after;
};
/// New connections (of one participant, or all) are refused with HTTP 503 for a while.
struct RefuseConnections {
  std::optional<std::string> participant;
  clock::Duration duration{0};
};
/// The participant is sent breakout details that cannot be read (with the next sequence number).
struct SendUnreadableDetails { std::string participant; };
/// The participant is sent again the breakout details it got before the latest ones, with their
/// old sequence number (stale: "previous"), or the latest ones again with the same number
/// (duplicate: "latest").
struct ResendDetails {
  std::string participant;
  bool previous = true;
};

/// What happens to the next `count` messages to a participant: held back for `delay` (later
/// messages overtake them), dropped, sent twice, or swapped with the message after each.
struct DisturbNext {
  enum class Kind { delay, drop, duplicate, reorder };
  Kind kind = Kind::drop;
  std::string participant;
  int count = 1;
  clock::Duration delay{0};
};

/// Turns the breakout-rooms feature on or off for the meeting. While off, nothing about rooms is
/// sent, and a client joining the meeting is told the feature is unavailable (it reports 46251).
/// Sends the participant this text as one frame, as it is: for clients facing a service that
/// misbehaves (a reply to a request never made, a message of an unknown type, broken JSON).
struct SendFrame { std::string participant; std::string text; };
struct SetFeatureEnabled { bool enabled = true; };

/// The organizer ends the meeting: every call leg, main and rooms, is ended by the service.
struct EndMeeting {};

using Action = std::variant<CreateRoom, DeleteRoom, UpdateRoom, Assign, OpenRoom, CloseRoom, OpenAllRooms,
                            CloseAllRooms, UpdateSettings, FailNext, ExpireToken, RevokeToken, DropConnection,
                            RefuseConnections, SendUnreadableDetails, ResendDetails, DisturbNext, SetFeatureEnabled, EndMeeting, SendFrame>;

/// Why an action's JSON could not be read: the field (empty for the whole action) and the reason.
struct ActionError {
  std::string field;
  std::string message;
};

/// Reads an action from JSON: {"action": "openRoom", "room": "room1"}.
Expected<Action, ActionError> parse_action(const protocol::Json& json);
/// Every action name, sorted, for "did you mean" suggestions and documentation.
const std::vector<std::string>& action_names();
/// The fields each action accepts (besides "action").
const std::vector<std::string>& action_fields(const std::string& action);
std::string_view action_name(const Action& action);

}  // namespace breakout::mock
