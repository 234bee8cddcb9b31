// A story the explorer tells: a meeting, and what the Teams side, the participants' apps, the
// network and time do to it, step by step. The model predicts what each participant observes;
// the explorer plays the same story against the SDK and compares.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace breakout::model {

/// Virtual milliseconds since the story started.
using Ms = std::int64_t;

struct Participant {
  std::string id;
  bool microsoft365 = false;  // else a Communication Services user
  std::string role = "Attendee";
};

struct Room {
  std::string id;
  std::string name;
  bool auto_move = true;
  bool open = false;
};

enum class Kind {
  // Teams side
  open_room,
  close_room,
  open_all_rooms,
  close_all_rooms,
  create_room,      // room (its id; named "Room <id>"), flag (autoMove); created closed
  delete_room,      // room: whoever is assigned to it is unassigned
  assign,           // participant, room
  unassign,         // participant
  set_return_disabled,  // flag
  set_auto_move,    // room, flag (updateRoom autoMove)
  end_meeting,
  set_feature,      // flag: breakout rooms turned on or off for the meeting
  expire_token,     // participant (close 4001)
  revoke_token,     // participant (close 4003)
  drop_connection,  // participant: the TCP connection is lost; the SDK reconnects after its back-off
  // the network
  duplicate_next,   // participant: the next message to them comes twice
  delay_next,       // participant, by: the next message to them (an update) is held back that long
  drop_next,        // participant: the next message to them (an update) is lost
  resend_stale,     // participant: the update before the latest again, with its old sequence number
  resend_latest,    // participant: the latest update again
  unreadable,       // participant: breakout details that cannot be read, with the next sequence number
  fail_next,        // participant, method: the service refuses their next request of that method (500)
  // a participant's app (never waited for: its result is a callResult event)
  join,
  return_to_main,
  hold_main,
  resume_main,
  hang_up_room,
  subscribe,        // participant, listener
  unsubscribe,      // participant, listener ("" = the default one)
  // time
  advance,          // by
};

struct Step {
  Kind kind = Kind::advance;
  std::string participant;
  std::string room;
  std::string listener;
  bool flag = false;
  Ms by = 0;
  /// For fail_next: "hold", "resume", "hangUp" or "joinBreakoutRoom".
  std::string method;
  /// A call made inside a listener's callback: the next time `inside_listener` ("" = the default
  /// one) receives an event of type `inside_event`.
  bool inside = false;
  std::string inside_listener;
  std::string inside_event;
};

struct Story {
  std::vector<Participant> participants;
  std::vector<Room> rooms;
  /// participant id -> room id, at the start.
  std::map<std::string, std::string> assigned;
  bool return_disabled = false;
  std::vector<Step> steps;
};

/// A call a participant's app makes (the rest are the Teams side, the network and time).
inline bool is_app_call(Kind k) {
  return k == Kind::join || k == Kind::return_to_main || k == Kind::hold_main || k == Kind::resume_main || k == Kind::hang_up_room ||
         k == Kind::subscribe || k == Kind::unsubscribe;
}

/// The SDK's delays the model and the stories assume (the defaults of the client options).
constexpr Ms kAutoMoveDelay = 3000;
constexpr Ms kHangUpDelay = 5000;
/// The first reconnect attempt after a lost connection (BR-CONN-3).
constexpr Ms kReconnectDelay = 1000;

/// The name a room created by a story gets: "room4" is "Room 4".
inline std::string created_room_name(const std::string& id) {
  return id.rfind("room", 0) == 0 ? "Room " + id.substr(4) : id;
}

/// "openRoom room1", "join p2", "advance 2999ms": one line for progress output and notes.
std::string describe(const Step& step);

}  // namespace breakout::model
