// The reference model. Each rule of docs/conformance.md it implements is named where it is
// implemented (search for the rule id). It is written from the rules; where the rules leave a
// case open, the model says so (`undecide`) rather than guess, and the explorer never tells a
// story that reaches such a case.
#include <breakout/model/model.hpp>

#include <algorithm>

namespace breakout::model {
namespace {

const std::vector<std::string> kListenerEvents = {"assignedBreakoutRooms", "breakoutRooms", "breakoutRoomsSettings", "join"};

Json call_change(const char* call, const char* from, const char* to) {
  return {{"call", call}, {"oldState", from}, {"state", to}};
}

Json result_ok(const char* action) { return {{"action", action}, {"ok", true}}; }

Json result_error(const char* action, int code, int sub_code, const char* category) {
  return {{"action", action}, {"ok", false}, {"code", code}, {"subCode", sub_code}, {"category", category}};
}

}  // namespace

std::string describe(const Step& s) {
  switch (s.kind) {
    case Kind::open_room: return "openRoom " + s.room;
    case Kind::close_room: return "closeRoom " + s.room;
    case Kind::assign: return "assign " + s.participant + " to " + s.room;
    case Kind::unassign: return "unassign " + s.participant;
    case Kind::set_return_disabled: return std::string("updateSettings disableReturnToMainMeeting ") + (s.flag ? "true" : "false");
    case Kind::set_auto_move: return "updateRoom " + s.room + " autoMove " + (s.flag ? "true" : "false");
    case Kind::end_meeting: return "endMeeting";
    case Kind::expire_token: return "expireToken " + s.participant;
    case Kind::revoke_token: return "revokeToken " + s.participant;
    case Kind::unreadable: return "sendUnreadableDetails to " + s.participant;
    case Kind::hang_up_room: return s.participant + " hangUp room";
    case Kind::duplicate_next: return "duplicateNext to " + s.participant;
    case Kind::resend_stale: return "resendDetails previous to " + s.participant;
    case Kind::resend_latest: return "resendDetails latest to " + s.participant;
    case Kind::join: return s.participant + " join";
    case Kind::return_to_main: return s.participant + " returnToMainMeeting";
    case Kind::hold_main: return s.participant + " hold main";
    case Kind::resume_main: return s.participant + " resume main";
    case Kind::subscribe: return s.participant + " subscribe " + (s.listener.empty() ? "default" : s.listener) + (s.inside ? " (inside a callback)" : "");
    case Kind::unsubscribe: return s.participant + " unsubscribe " + (s.listener.empty() ? "default" : s.listener) + (s.inside ? " (inside a callback)" : "");
    case Kind::advance: return "advance " + std::to_string(s.by) + "ms";
  }
  return "?";
}

Simulation::Simulation(const Story& story) {
  meeting_.rooms = story.rooms;
  meeting_.assigned = story.assigned;
  meeting_.return_disabled = story.return_disabled;
  for (const auto& p : story.participants) {
    Player player;
    player.id = p.id;
    player.identifier = (p.microsoft365 ? "8:orgid:" : "8:acs:") + p.id;
    // BR-FEAT-3: Communication Services users never manage rooms, whatever their role.
    player.manager = p.microsoft365 && (p.role == "Organizer" || p.role == "Co-organizer");
    players_.push_back(std::move(player));
  }
  // Set-up: what each participant first learns is not an event the story checks, but it is the
  // starting point, and an open auto-move room starts its delay now.
  update_everyone();
  events_.clear();
}

Simulation::Player& Simulation::player(const std::string& id) {
  return *std::find_if(players_.begin(), players_.end(), [&](const Player& p) { return p.id == id; });
}

const Simulation::Player* Simulation::find(const std::string& id) const {
  auto it = std::find_if(players_.begin(), players_.end(), [&](const Player& p) { return p.id == id; });
  return it == players_.end() ? nullptr : &*it;
}

const Room* Simulation::room(const std::string& id) const {
  auto it = std::find_if(meeting_.rooms.begin(), meeting_.rooms.end(), [&](const Room& r) { return r.id == id; });
  return it == meeting_.rooms.end() ? nullptr : &*it;
}

bool Simulation::undecide(std::string why) {
  undecided_ = std::move(why);
  return false;
}

void Simulation::emit(Player& p, const std::string& type, Json data) {
  ++transitions_;
  if (std::find(kListenerEvents.begin(), kListenerEvents.end(), type) == kListenerEvents.end()) {
    events_.push_back(Event{now_, p.id, type, std::move(data), "", step_});
    return;
  }
  // BR-EVT-6, BR-EVT-7: each listener subscribed when delivery starts, in the order they subscribed;
  // what a callback changes takes effect from the next event on.
  rule("BR-EVT-1");
  const std::vector<std::string> snapshot = p.listeners;
  for (const auto& l : snapshot) {
    events_.push_back(Event{now_, p.id, type, data, l, step_});
    perform_armed(p, l, type);
  }
}

/// BR-EVT-7, BR-EVT-8, BR-EVT-9: the calls armed for this listener and event are made inside its
/// callback, in the order they were armed; each once.
void Simulation::perform_armed(Player& p, const std::string& listener, const std::string& type) {
  std::vector<Step> due;
  for (auto it = p.armed.begin(); it != p.armed.end();) {
    if (it->inside_listener == listener && it->inside_event == type) {
      due.push_back(*it);
      it = p.armed.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& s : due) {
    rule("BR-EVT-7");
    rule("BR-EVT-9");
    if (s.kind == Kind::unsubscribe && s.listener == listener) rule("BR-EVT-8");
    Step now = s;
    now.inside = false;
    play_call(p, now);
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

// ---- one participant's reactions ----------------------------------------------------------------

void Simulation::update_everyone() {
  for (auto& p : players_) update(p);
}

/// What the service tells `p` after a change on the Teams side, and what the SDK does about it.
void Simulation::update(Player& p) {
  if (p.gone || p.ended) return;  // nothing reaches a closed connection; an ended meeting sends nothing
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
  // BR-EVT-2: an event only when what it carries changed.
  bool view_changed = view != p.view;
  if (view_changed) {
    p.view = view;
    p.view_room = now_room;
    Json data = view;
    if (!data.is_null()) data["call"] = p.in_room && p.call_room == now_room ? Json("room") : Json(nullptr);
    emit(p, "assignedBreakoutRooms", std::move(data));
    rule("BR-EVT-2");
  }
  bool settings_changed = settings != p.settings;
  if (settings_changed) {
    p.settings = settings;
    emit(p, "breakoutRoomsSettings", settings);
  }
  // A message certainly reached them: whatever duplicateNext or unreadable details came before is past.
  // BR-FEAT-3: managers are told of every room; the others never get this event.
  bool all_changed = all != p.all_rooms;
  if (all_changed) {
    rule("BR-FEAT-3");
    p.all_rooms = all;
    Json data = all;
    for (auto& r : data) r["call"] = p.in_room && r["threadId"] == "19:breakout_" + p.call_room + "@thread.v2" ? Json("room") : Json(nullptr);
    emit(p, "breakoutRooms", std::move(data));
  }
  if (view_changed || settings_changed || all_changed) p.duplicate_pending = false, p.latest_unreadable = false;
  if (!view_changed) return;
  if (p.in_room) {
    if (now_room.empty()) {
      rule("BR-MOVE-6");  // unassigned while in a room: brought back at once
      leave(p);
    } else if (now_room != p.call_room) {
      rule("BR-MOVE-7");  // re-assigned: the old room is left at once, the new one joined by BR-MOVE-1/2
      leave(p);
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

/// BR-JOIN-1, BR-JOIN-3: hold the main meeting, raise `join`, connect the room call.
bool Simulation::join(Player& p, bool automatic) {
  if (p.main != "Connected") return undecide("a room is joined while the app holds the main meeting");
  rule("BR-JOIN-1");
  rule("BR-JOIN-3");
  rule("BR-CALL-1");
  p.auto_move_at.reset();  // BR-JOIN-7: a join during the auto-move delay cancels the move
  p.main = "LocalHold";
  emit(p, "callStateChanged", call_change("main", "Connected", "LocalHold"));
  emit(p, "join", {{"call", "room"}});
  emit(p, "callStateChanged", call_change("room", "None", "Connecting"));
  emit(p, "callStateChanged", call_change("room", "Connecting", "Connected"));
  p.in_room = true;
  p.call_room = p.view_room;
  if (!automatic) emit(p, "callResult", result_ok("join"));
  return true;
}

/// Leaving a room (a return, or one of the automatic ones): hang up the room call, resume the
/// main meeting (BR-RET-1, BR-MOVE-4, BR-MOVE-6, BR-MOVE-7).
void Simulation::leave(Player& p) {
  rule("BR-CALL-2");
  emit(p, "callStateChanged", call_change("room", "Connected", "Disconnecting"));
  emit(p, "callStateChanged", call_change("room", "Disconnecting", "Disconnected"));
  p.in_room = false;
  p.call_room.clear();
  p.hang_up_at.reset();
  if (p.main == "LocalHold") {
    p.main = "Connected";
    emit(p, "callStateChanged", call_change("main", "LocalHold", "Connected"));
  }
}

bool Simulation::play_call(Player& p, const Step& s) {
  bool local = s.kind == Kind::subscribe || s.kind == Kind::unsubscribe;
  if ((p.gone || p.ended) && !local) return undecide("a call after the connection or the meeting has ended");
  if (s.inside) {
    if (!local) return undecide("only subscribe and unsubscribe are made inside callbacks");
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
      if (meeting_.return_disabled && p.view["state"] == "open") {
        rule("BR-RET-2");
        rule("BR-ERR-46261");
        return emit(p, "callResult", result_error("returnToMainMeeting", 412, 46261, "UnexpectedClientError")), true;
      }
      rule("BR-RET-1");
      leave(p);
      return emit(p, "callResult", result_ok("returnToMainMeeting")), true;
    case Kind::hold_main:
      if (p.in_room || p.main != "Connected") return undecide("hold() of a main meeting that is not connected, or from a room");
      rule("BR-CALL-2");
      p.main = "LocalHold";
      p.held_by_app = true;
      emit(p, "callStateChanged", call_change("main", "Connected", "LocalHold"));
      return emit(p, "callResult", result_ok("hold")), true;
    case Kind::resume_main:
      if (p.in_room || p.main != "LocalHold") return undecide("resume() of a main meeting not on hold, or from a room");
      rule("BR-CALL-2");
      p.main = "Connected";
      p.held_by_app = false;
      emit(p, "callStateChanged", call_change("main", "LocalHold", "Connected"));
      return emit(p, "callResult", result_ok("resume")), true;
    case Kind::hang_up_room:
      if (!p.in_room) return undecide("hangUp() of a room call there is none of");
      if (p.view["state"] != "open") return undecide("hangUp() of the room call while the SDK's own return is due");
      if (meeting_.return_disabled) {
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
      p.held_by_app = true;
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

// ---- time ---------------------------------------------------------------------------------------

/// Fires the SDK's timers that are due up to `target`, in time order, then stands at `target`.
bool Simulation::advance_to(Ms target) {
  for (;;) {
    Player* next = nullptr;
    Ms at = target + 1;
    bool hang_up = false;
    for (auto& p : players_) {
      if (p.hang_up_at && *p.hang_up_at < at) next = &p, at = *p.hang_up_at, hang_up = true;
      if (p.auto_move_at && *p.auto_move_at < at) next = &p, at = *p.auto_move_at, hang_up = false;
    }
    if (!next) break;
    now_ = at;
    if (hang_up) {
      rule("BR-MOVE-4");
      leave(*next);
    } else {
      next->auto_move_at.reset();
      rule("BR-MOVE-1");
      if (!join(*next, true)) return false;
    }
  }
  now_ = target;
  return true;
}

bool Simulation::play(const Step& s, int index) {
  step_ = index;
  auto check_participant = [&] { return find(s.participant) != nullptr; };
  bool server_side = s.kind != Kind::advance && s.kind != Kind::join && s.kind != Kind::return_to_main && s.kind != Kind::hold_main &&
                     s.kind != Kind::resume_main && s.kind != Kind::hang_up_room && s.kind != Kind::subscribe && s.kind != Kind::unsubscribe;
  if (server_side && meeting_.ended) return undecide("the Teams side acting on a meeting that has ended");
  switch (s.kind) {
    case Kind::advance:
      return advance_to(now_ + s.by);
    case Kind::open_room:
    case Kind::close_room:
    case Kind::set_auto_move:
      for (auto& r : meeting_.rooms)
        if (r.id == s.room) {
          if (s.kind == Kind::set_auto_move) r.auto_move = s.flag;
          else r.open = s.kind == Kind::open_room;
        }
      update_everyone();
      return true;
    case Kind::assign:
      if (!room(s.room) || !check_participant()) return undecide("assign names an unknown room or participant");
      meeting_.assigned[s.participant] = s.room;
      update_everyone();
      return true;
    case Kind::unassign:
      meeting_.assigned.erase(s.participant);
      update_everyone();
      return true;
    case Kind::set_return_disabled:
      meeting_.return_disabled = s.flag;
      update_everyone();
      return true;
    case Kind::duplicate_next:
    case Kind::resend_stale:
    case Kind::resend_latest: {
      if (!check_participant()) return undecide("a fault for an unknown participant");
      Player& p = player(s.participant);
      if (s.kind == Kind::resend_latest && p.latest_unreadable) return undecide("unreadable details sent again");
      if (s.kind == Kind::duplicate_next) p.duplicate_pending = true;
      // BR-EVT-2, BR-EVT-3, BR-CONN-6: a message again, or an old one, changes nothing and raises
      // nothing, whether it is an update or a reply.
      rule("BR-EVT-3");
      return true;
    }
    case Kind::unreadable: {
      if (!check_participant()) return undecide("a fault for an unknown participant");
      Player& p = player(s.participant);
      if (p.gone) return true;  // nothing reaches a closed connection
      if (p.duplicate_pending) return undecide("unreadable details that may come twice");
      // BR-EVT-4, BR-MOVE-3: reported on the automatic-action channel; the last good state is kept.
      rule("BR-EVT-4");
      rule("BR-MOVE-3");
      rule("BR-ERR-46258");
      emit(p, "automaticActionFailed", {{"action", "readDetails"}, {"code", 412}, {"subCode", 46258}, {"category", "UnexpectedClientError"}});
      p.latest_unreadable = true;
      return true;
    }
    case Kind::end_meeting:
      // BR-CALL-5: every call of every participant ends, room calls first; nothing automatic after.
      rule("BR-CALL-5");
      meeting_.ended = true;
      for (auto& p : players_)
        if (!p.gone) {
          end_calls(p);
          p.ended = true;
        }
      return true;
    case Kind::expire_token:
    case Kind::revoke_token: {
      if (!check_participant()) return undecide("a token of an unknown participant");
      Player& p = player(s.participant);
      if (p.gone) return undecide("the token of a participant already disconnected");
      // BR-CONN-2: the agent is disconnected (invalidToken) and every call ends.
      rule("BR-CONN-2");
      emit(p, "connectionStateChanged", {{"newValue", "Disconnected"}, {"oldValue", "Connected"}, {"reason", "invalidToken"}});
      end_calls(p);
      p.gone = true;
      return true;
    }
    default:
      if (!check_participant()) return undecide("a call by an unknown participant");
      return play_call(player(s.participant), s);
  }
}

bool Simulation::in_room(const std::string& id) const { return find(id) && find(id)->in_room; }
bool Simulation::main_held(const std::string& id) const { return find(id) && find(id)->main == "LocalHold"; }

std::optional<std::string> Simulation::assigned_room(const std::string& id) const {
  auto it = meeting_.assigned.find(id);
  if (it == meeting_.assigned.end()) return std::nullopt;
  return it->second;
}

bool Simulation::room_open(const std::string& id) const { return room(id) && room(id)->open; }

std::vector<std::string> Simulation::listeners(const std::string& id) const {
  return find(id) ? find(id)->listeners : std::vector<std::string>{};
}

std::vector<Ms> Simulation::timers() const {
  std::vector<Ms> out;
  for (const auto& p : players_) {
    if (p.auto_move_at) out.push_back(*p.auto_move_at);
    if (p.hang_up_at) out.push_back(*p.hang_up_at);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Prediction predict(const Story& story) {
  Simulation sim(story);
  Prediction out;
  for (std::size_t i = 0; i < story.steps.size(); ++i)
    if (!sim.play(story.steps[i], static_cast<int>(i))) {
      out.undecided_step = static_cast<int>(i);
      out.undecided = sim.undecided();
      break;
    }
  out.events = sim.events();
  out.rules = sim.rules();
  out.transitions = sim.transitions();
  return out;
}

}  // namespace breakout::model
