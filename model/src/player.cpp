// The model, one participant's side: what the SDK does with what the service tells it (views,
// settings, auto-move, the return on close, re-assignment) and with the app's calls. Each rule it
// implements is named where it is implemented.
#include "events.hpp"

#include <algorithm>

namespace breakout::model {

using namespace detail;

// ---- one participant's reactions ----------------------------------------------------------------

void Simulation::update_everyone() {
  for (auto& p : players_) update(p);
}

/// What the service sends `p` after a change on the Teams side: its breakout details and its
/// settings, each only when it differs from what it last sent them (or all of it, to a client
/// that has just reconnected). A delayNext or dropNext holds the first of them back.
void Simulation::update(Player& p, bool whole_view) {
  if (p.gone || p.ended || p.reconnect_at) return;  // nothing reaches a lost connection; an ended meeting sends nothing
  if (meeting_.feature_off) return;  // BR-RACE-10: a call in the meeting keeps the view it was last told
  Json settings = {{"disableReturnToMainMeeting", meeting_.return_disabled}, {"roomEndTime", nullptr}};
  std::string now_room;
  Json view = nullptr;
  if (auto a = assigned_room(p.id)) {
    const Room* r = room(*a);
    now_room = r->id;
    view = room_json(*r);
    // BR-ROOM-1, BR-FEAT-3: invitees are for managers, in the list of all rooms; the assigned room
    // carries none, for anyone.
    view["invitees"] = Json::array();
    rule("BR-ROOM-1");
    rule("BR-ROOM-2");
  }
  Json all = nullptr;
  if (p.manager) {
    all = Json::array();
    for (const auto& r : meeting_.rooms) all.push_back(room_json(r));
  }
  bool details_sent = whole_view || view != p.sent_view || all != p.sent_all;
  bool settings_sent = whole_view || settings != p.sent_settings;
  if (!details_sent && !settings_sent) return;
  // A message certainly went to them: whatever duplicateNext or unreadable details came before is past.
  if (p.duplicate_pending > 0) --p.duplicate_pending;
  p.latest_unreadable = false;
  if (details_sent) p.sent_view = view, p.sent_view_room = now_room, p.sent_all = all;
  if (settings_sent) p.sent_settings = settings;
  auto arrives = [&](bool details) {
    if (!p.hold_next && !p.drop_next) return true;
    Player::Held h;
    h.details = details;
    h.view = view;
    h.view_room = now_room;
    h.all = all;
    h.settings = settings;
    if (p.hold_next) h.release = now_ + *p.hold_next;
    p.hold_next.reset();
    p.drop_next = false;
    p.held.push_back(std::move(h));
    ++transitions_;
    return false;
  };
  bool details = details_sent && arrives(true);
  bool settings_arrive = settings_sent && arrives(false);
  // A newer message of a kind overtakes what is held of that kind: that one will be stale.
  for (auto& h : p.held)
    if (h.details ? details : settings_arrive) h.overtaken = true;
  if (details || settings_arrive) receive(p, details ? &view : nullptr, now_room, details ? &all : nullptr, settings_arrive ? &settings : nullptr);
}

/// The SDK receives an update. BR-EVT-2: an event only when what it carries changed. The breakout
/// details (the assigned room, all rooms) and the settings are two messages: the assigned room is
/// raised and acted on first; the list of all rooms (as it stood before the SDK acted) and the
/// settings follow. Those two are compared among their own kind only, so what the SDK does about
/// the assignment may come between.
void Simulation::receive(Player& p, const Json* view, const std::string& view_room, const Json* all, const Json* settings) {
  bool view_changed = view && *view != p.view;
  bool settings_changed = settings && *settings != p.settings;
  bool all_changed = all && *all != p.all_rooms;
  if (view_changed && (settings_changed || all_changed) && !p.armed.empty())
    return (void)undecide("calls armed in callbacks while one update changes the assigned room and more");
  Json all_data = all ? *all : Json();
  if (all_changed) {
    rule("BR-FEAT-3");  // managers are told of every room; the others never get this event
    p.all_rooms = *all;
    for (auto& r : all_data) r["call"] = p.in_room && r["threadId"] == "19:breakout_" + p.call_room + "@thread.v2" ? Json("room") : Json(nullptr);
  }
  if (view_changed) {
    p.view = *view;
    p.view_room = view_room;
    Json data = *view;
    if (!data.is_null()) data["call"] = p.in_room && p.call_room == view_room ? Json("room") : Json(nullptr);
    emit(p, "assignedBreakoutRooms", std::move(data));
    rule("BR-EVT-2");
    react(p, view_room);
  }
  if (all_changed) emit(p, "breakoutRooms", std::move(all_data));
  if (settings_changed) {
    p.settings = *settings;
    emit(p, "breakoutRoomsSettings", *settings);
  }
}

/// What the SDK does when the assigned room changed (BR-MOVE-1, -4, -6, -7).
void Simulation::react(Player& p, const std::string& now_room) {
  if (p.in_room) {
    if (now_room.empty()) {
      rule("BR-MOVE-6");  // unassigned while in a room: brought back at once
      leave(p, "unassignment");
    } else if (now_room != p.call_room) {
      rule("BR-MOVE-7");  // re-assigned: the old room is left at once, the new one joined by BR-MOVE-1/2
      leave(p, "reassignment");
      consider_auto_move(p);
    } else if (p.view["state"] == "closed") {
      rule("BR-MOVE-4");  // closed while in it: back after the hang-up delay
      if (!p.hang_up_at) p.hang_up_at = now_ + kHangUpDelay, ++transitions_;
    } else if (p.hang_up_at) {
      rule("BR-MOVE-4");  // re-opened before the hang-up: the participant stays
      p.hang_up_at.reset();
      ++transitions_;
    }
    return;
  }
  consider_auto_move(p);
}

/// A room as the service describes it (BR-ROOM-1, BR-ROOM-2), invitees in the meeting's order.
Json Simulation::room_json(const Room& r) const {
  Json invitees = Json::array();
  for (const auto& p : players_)
    if (auto a = meeting_.assigned.find(p.id); a != meeting_.assigned.end() && a->second == r.id) invitees.push_back(p.identifier);
  return {{"displayName", r.name},
          {"threadId", "19:breakout_" + r.id + "@thread.v2"},
          {"state", r.open ? "open" : "closed"},
          {"autoMoveParticipantToBreakoutRoom", r.auto_move},
          {"invitees", invitees}};
}

void Simulation::consider_auto_move(Player& p) {
  if (p.in_room) return;  // still in a room (its hang-up failed): nothing moves them on
  bool wanted = !p.view.is_null() && p.view["state"] == "open" && p.view["autoMoveParticipantToBreakoutRoom"] == true;
  if (wanted) {
    rule("BR-MOVE-1");
    // BR-MOVE-8: the delay counts from when the room to move to became this one.
    if (p.auto_move_at && p.auto_move_room != p.view_room) rule("BR-MOVE-8");
    if (!p.auto_move_at || p.auto_move_room != p.view_room) {
      p.auto_move_at = now_ + kAutoMoveDelay;
      p.auto_move_room = p.view_room;
      ++transitions_;
    }
  } else if (p.auto_move_at) {
    rule("BR-MOVE-2");  // nothing moves the participant but join() once auto-move no longer applies
    p.auto_move_at.reset();
    ++transitions_;
  }
}

bool Simulation::stale(const Player& p) {
  return std::any_of(p.held.begin(), p.held.end(), [](const Player::Held& h) { return !h.overtaken; });
}

bool Simulation::refused(Player& p, const char* method) {
  auto it = p.failing.find(method);
  if (it == p.failing.end() || it->second == 0) return false;
  if (--it->second == 0) p.failing.erase(it);
  return true;
}

namespace {
/// Marks a join or leave as under way while it is played out.
struct Busy {
  explicit Busy(Simulation::Player& p) : p_(p) {
    ++p_.operations;
    p_.busy = true;
  }
  ~Busy() { p_.busy = false; }
  Simulation::Player& p_;
};
}  // namespace

/// BR-JOIN-1, BR-JOIN-3: hold the main meeting, raise `join`, connect the room call.
bool Simulation::join(Player& p, bool automatic) {
  if (p.main != "Connected") return undecide("a room is joined while the app holds the main meeting");
  Busy busy(p);
  rule("BR-JOIN-1");
  rule("BR-JOIN-3");
  rule("BR-CALL-1");
  p.auto_move_at.reset();  // BR-JOIN-7: a join during the auto-move delay cancels the move
  // What fails has no caller when the move was automatic (BR-MOVE-3).
  auto fail = [&](int code, int sub_code) {
    if (automatic)
      emit(p, "automaticActionFailed", {{"action", "autoMove"}, {"code", code}, {"subCode", sub_code}, {"category", "UnexpectedServerError"}});
    else
      emit(p, "callResult", result_error("join", code, sub_code, "UnexpectedServerError"));
  };
  if (refused(p, "hold")) {
    rule("BR-JOIN-2");  // the main meeting cannot be held: no room call
    rule("BR-ERR-46255");
    fail(500, 46255);
    return true;
  }
  p.main = "LocalHold";
  emit(p, "callStateChanged", call_change("main", "Connected", "LocalHold"));
  emit(p, "join", {{"call", "room"}});
  emit(p, "callStateChanged", call_change("room", "None", "Connecting"));
  if (meeting_.feature_off && p.failing.count("joinBreakoutRoom")) return undecide("a room join refused twice over");
  if (meeting_.feature_off || refused(p, "joinBreakoutRoom")) {
    // BR-JOIN-4: the room call fails, and the main meeting is resumed so nothing is left on hold;
    // BR-RACE-10: with the feature off the service refuses room joins (405).
    if (meeting_.feature_off) rule("BR-RACE-10");
    if (p.failing.count("resume")) return undecide("the resume after a failed room join fails too");
    rule("BR-JOIN-4");
    rule("BR-ERR-46254");
    // join() fails as soon as the room call does; the resume follows.
    emit(p, "callStateChanged", call_change("room", "Connecting", "Disconnected"));
    fail(500, 46254);
    p.main = "Connected";
    emit(p, "callStateChanged", call_change("main", "LocalHold", "Connected"));
    return true;
  }
  emit(p, "callStateChanged", call_change("room", "Connecting", "Connected"));
  p.in_room = true;
  p.call_room = p.view_room;
  if (!automatic) emit(p, "callResult", result_ok("join"));
  return true;
}

/// Leaving a room (a return, or one of the automatic ones): hang up the room call, resume the
/// main meeting (BR-RET-1, BR-MOVE-4, BR-MOVE-6, BR-MOVE-7), and what a refusal of either does.
void Simulation::leave(Player& p, const char* why) {
  Busy busy(p);
  const std::string reason = why;
  rule("BR-CALL-2");
  p.hang_up_at.reset();
  emit(p, "callStateChanged", call_change("room", "Connected", "Disconnecting"));
  auto failed = [&](int code, int sub_code, const char* category) {
    emit(p, "automaticActionFailed", {{"action", why}, {"code", code}, {"subCode", sub_code}, {"category", category}});
  };
  if (refused(p, "hangUp")) {
    // The hang-up is refused: the participant stays in the room (BR-MOVE-5, BR-MOVE-7).
    emit(p, "callStateChanged", call_change("room", "Disconnecting", "Connected"));
    if (reason == "returnOnClose") {
      rule("BR-MOVE-5");
      rule("BR-ERR-46259");
      failed(500, 46259, "UnexpectedServerError");
    } else if (reason == "reassignment") {
      rule("BR-ERR-46263");
      failed(412, 46263, "UnexpectedClientError");
    } else {
      undecide("a refused hang-up when leaving by " + reason);
    }
    return;
  }
  emit(p, "callStateChanged", call_change("room", "Disconnecting", "Disconnected"));
  p.in_room = false;
  p.call_room.clear();
  if (p.main != "LocalHold") return;
  if (refused(p, "resume")) {
    // BR-MOVE-5: the room is left but the main meeting stays on hold.
    if (reason != "returnOnClose") return (void)undecide("a refused resume when leaving by " + reason);
    rule("BR-MOVE-5");
    rule("BR-ERR-46257");
    failed(412, 46257, "UnexpectedServerError");
    return;
  }
  p.main = "Connected";
  emit(p, "callStateChanged", call_change("main", "LocalHold", "Connected"));
}

bool Simulation::play_call(Player& p, const Step& s) {
  bool local = s.kind == Kind::subscribe || s.kind == Kind::unsubscribe;
  if ((p.gone || p.ended) && !local) return undecide("a call after the connection or the meeting has ended");
  if (p.reconnect_at && !local) return undecide("a call while the connection is lost");
  if (stale(p) && !local) return undecide("a call made on what a held-back update has changed meanwhile");
  if (!local && p.in_room && p.call_room != p.view_room)
    return undecide("a call while still in a room other than the assigned one (its hang-up was refused)");
  if (s.inside) {
    if (s.kind == Kind::hang_up_room || s.kind == Kind::resume_main) return undecide("hangUp() and resume() are not made inside callbacks");
    p.armed.push_back(s);
    return true;
  }
  switch (s.kind) {
    case Kind::join:
      // The app calls join() on the assigned room; with none there is nothing to call it on.
      if (p.view.is_null()) return undecide("join() with no assigned room: the app has no room to call it on");
      if (p.in_room) {
        if (p.view["state"] != "open") return undecide("join() on the room the participant is in, after it closed");
        rule("BR-JOIN-5");  // a second join makes no second room call
        return emit(p, "callResult", result_ok("join")), true;
      }
      if (p.view["state"] != "open") {
        rule("BR-JOIN-6");
        rule("BR-ERR-46256");
        return emit(p, "callResult", result_error("join", 412, 46256, "ExpectedError")), true;
      }
      return join(p, false);
    case Kind::return_to_main:
      if (p.view.is_null()) return undecide("returnToMainMeeting() with no assigned room: the app has no room to call it on");
      if (!p.in_room) {
        rule("BR-RET-3");
        rule("BR-ERR-46262");
        return emit(p, "callResult", result_error("returnToMainMeeting", 412, 46262, "ExpectedError")), true;
      }
      if (p.settings.value("disableReturnToMainMeeting", false) && p.view["state"] == "open") {  // as last told
        rule("BR-RET-2");
        rule("BR-ERR-46261");
        return emit(p, "callResult", result_error("returnToMainMeeting", 412, 46261, "UnexpectedClientError")), true;
      }
      if (p.failing.count("hangUp") || p.failing.count("resume")) return undecide("a return whose hang-up or resume is refused");
      rule("BR-RET-1");
      leave(p, "return");
      return emit(p, "callResult", result_ok("returnToMainMeeting")), true;
    case Kind::hold_main:
      if (p.in_room || p.main != "Connected") return undecide("hold() of a main meeting that is not connected, or from a room");
      if (p.failing.count("hold")) return undecide("a refused hold() made by the app");
      rule("BR-CALL-2");
      ++p.operations;  // a request: what is decided after it waits for its answer
      p.main = "LocalHold";
      emit(p, "callStateChanged", call_change("main", "Connected", "LocalHold"));
      return emit(p, "callResult", result_ok("hold")), true;
    case Kind::resume_main:
      if (p.in_room || p.main != "LocalHold") return undecide("resume() of a main meeting not on hold, or from a room");
      if (p.failing.count("resume")) return undecide("a refused resume() made by the app");
      rule("BR-CALL-2");
      ++p.operations;
      p.main = "Connected";
      emit(p, "callStateChanged", call_change("main", "LocalHold", "Connected"));
      return emit(p, "callResult", result_ok("resume")), true;
    case Kind::hang_up_room:
      if (!p.in_room) return undecide("hangUp() of a room call there is none of");
      if (p.view["state"] != "open") return undecide("hangUp() of the room call while the SDK's own return is due");
      if (p.failing.count("hangUp")) return undecide("a refused hangUp() made by the app");
      if (p.settings.value("disableReturnToMainMeeting", false)) {  // as last told
        rule("BR-RET-2");
        rule("BR-ERR-46261");
        return emit(p, "callResult", result_error("hangUp", 412, 46261, "UnexpectedClientError")), true;
      }
      // BR-CALL-2: the room call ends; the main meeting stays on hold until the app resumes it.
      rule("BR-CALL-2");
      emit(p, "callStateChanged", call_change("room", "Connected", "Disconnecting"));
      emit(p, "callStateChanged", call_change("room", "Disconnecting", "Disconnected"));
      p.in_room = false;
      p.call_room.clear();
      p.hang_up_at.reset();
      return emit(p, "callResult", result_ok("hangUp")), true;
    case Kind::subscribe:
      rule("BR-EVT-7");
      p.listeners.push_back(s.listener);
      ++transitions_;
      return emit(p, "callResult", result_ok("subscribe")), true;
    case Kind::unsubscribe: {
      rule("BR-EVT-6");  // that listener gets nothing more; the others are unaffected
      // As in JavaScript, the most recent subscription of that name goes; an unknown one changes nothing.
      auto it = std::find(p.listeners.rbegin(), p.listeners.rend(), s.listener);
      if (it != p.listeners.rend()) p.listeners.erase(std::next(it).base()), ++transitions_;
      return emit(p, "callResult", result_ok("unsubscribe")), true;
    }
    default:
      return true;
  }
}

void Simulation::end_calls(Player& p) {
  if (p.in_room) {
    emit(p, "callStateChanged", call_change("room", "Connected", "Disconnected"));
    p.in_room = false;
    p.call_room.clear();
  }
  if (p.main != "Disconnected") {
    emit(p, "callStateChanged", call_change("main", p.main == "LocalHold" ? "LocalHold" : "Connected", "Disconnected"));
    p.main = "Disconnected";
  }
  p.auto_move_at.reset();
  p.hang_up_at.reset();
  p.armed.clear();
}

}  // namespace breakout::model
