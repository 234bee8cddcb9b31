// The reference model. Each rule of docs/conformance.md it implements is named where it is
// implemented (search for the rule id). It is written from the rules; where the rules leave a
// case open, the model says so (`undecide`) rather than guess, and the explorer never tells a
// story that reaches such a case.
#include "events.hpp"

#include <algorithm>

namespace breakout::model {

using namespace detail;

std::string describe(const Step& s) {
  switch (s.kind) {
    case Kind::open_room: return "openRoom " + s.room;
    case Kind::close_room: return "closeRoom " + s.room;
    case Kind::open_all_rooms: return "openAllRooms";
    case Kind::close_all_rooms: return "closeAllRooms";
    case Kind::create_room: return "createRoom " + s.room;
    case Kind::delete_room: return "deleteRoom " + s.room;
    case Kind::assign: return "assign " + s.participant + " to " + s.room;
    case Kind::unassign: return "unassign " + s.participant;
    case Kind::set_return_disabled: return std::string("updateSettings disableReturnToMainMeeting ") + (s.flag ? "true" : "false");
    case Kind::set_auto_move: return "updateRoom " + s.room + " autoMove " + (s.flag ? "true" : "false");
    case Kind::end_meeting: return "endMeeting";
    case Kind::set_feature: return std::string("setFeatureEnabled ") + (s.flag ? "true" : "false");
    case Kind::expire_token: return "expireToken " + s.participant;
    case Kind::revoke_token: return "revokeToken " + s.participant;
    case Kind::drop_connection: return "dropConnection " + s.participant;
    case Kind::unreadable: return "sendUnreadableDetails to " + s.participant;
    case Kind::fail_next: return "failNext " + s.method + " of " + s.participant;
    case Kind::hang_up_room: return s.participant + " hangUp room";
    case Kind::duplicate_next: return "duplicateNext to " + s.participant;
    case Kind::delay_next: return "delayNext to " + s.participant + " by " + std::to_string(s.by) + "ms";
    case Kind::drop_next: return "dropNext to " + s.participant;
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
    if (keep_events_) events_.push_back(Event{now_, p.id, type, std::move(data), "", step_});
    return;
  }
  // BR-EVT-6, BR-EVT-7: each listener subscribed when delivery starts, in the order they subscribed;
  // what a callback changes takes effect from the next event on.
  rule("BR-EVT-1");
  const std::vector<std::string> snapshot = p.listeners;
  for (const auto& l : snapshot) {
    if (keep_events_) events_.push_back(Event{now_, p.id, type, data, l, step_});
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
    bool local = s.kind == Kind::subscribe || s.kind == Kind::unsubscribe;
    if (local) {
      play_call(p, now);
    } else if (p.busy) {
      undecide("a call made inside a callback while a join or leave is under way");
    } else {
      // BR-EVT-9: it starts at once; what it causes comes after the callback has returned.
      p.deferred.emplace_back(now, p.operations);
    }
  }
}

void Simulation::flush_deferred() {
  for (auto& p : players_)
    while (!p.deferred.empty() && undecided_.empty()) {
      auto [s, operations] = p.deferred.front();
      p.deferred.erase(p.deferred.begin());
      if (operations != p.operations) {
        undecide("a call made inside a callback races what the SDK does about the same update");
        return;
      }
      play_call(p, s);
    }
}
// ---- time ---------------------------------------------------------------------------------------

/// Fires the SDK's timers that are due up to `target`, in time order, then stands at `target`.
bool Simulation::advance_to(Ms target) {
  for (;;) {
    Player* next = nullptr;
    Ms at = target + 1;
    enum { hang_up, auto_move, reconnect, release } what = hang_up;
    std::size_t held_index = 0;
    for (auto& p : players_) {
      for (std::size_t i = 0; i < p.held.size(); ++i)
        if (p.held[i].release && *p.held[i].release < at) next = &p, at = *p.held[i].release, what = release, held_index = i;
      if (p.reconnect_at && *p.reconnect_at < at) next = &p, at = *p.reconnect_at, what = reconnect;
      if (p.hang_up_at && *p.hang_up_at < at) next = &p, at = *p.hang_up_at, what = hang_up;
      if (p.auto_move_at && *p.auto_move_at < at) next = &p, at = *p.auto_move_at, what = auto_move;
    }
    if (!next) break;
    now_ = at;
    // Which of an SDK timer and a held-back update comes first in the same instant, no rule says.
    bool sdk_timer_now = next->hang_up_at == at || next->auto_move_at == at;
    bool update_now = std::any_of(next->held.begin(), next->held.end(), [&](const Player::Held& h) { return h.release == at; });
    if (sdk_timer_now && update_now) return undecide("a held-back update arriving as an SDK timer runs out");
    if (what == release) {
      // A held-back update arrives at last: stale if a later one of its kind came first (BR-EVT-3),
      // and what was sent before it of its kind is stale from now on.
      auto h = next->held[held_index];
      for (std::size_t j = 0; j < held_index; ++j)
        if (next->held[j].details == h.details) next->held[j].overtaken = true;
      next->held.erase(next->held.begin() + static_cast<std::ptrdiff_t>(held_index));
      if (h.overtaken) {
        rule("BR-EVT-3");
      } else if (h.details) {
        receive(*next, &h.view, h.view_room, &h.all, nullptr);
      } else {
        receive(*next, nullptr, "", nullptr, &h.settings);
      }
      flush_deferred();
      continue;
    }
    if (what == reconnect) {
      // BR-CONN-3, BR-CONN-4: connected again, the whole view is taken again and what changed raised.
      rule("BR-CONN-3");
      rule("BR-CONN-4");
      next->reconnect_at.reset();
      next->reconnected = true;
      update(*next, true);
      flush_deferred();
      continue;
    }
    if (next->reconnect_at) return undecide("an SDK timer running out while the connection is lost");
    if (stale(*next)) return undecide("an SDK timer acting on what a held-back update has changed meanwhile");
    if (what == hang_up) {
      rule("BR-MOVE-4");
      leave(*next, "returnOnClose");
    } else {
      next->auto_move_at.reset();
      rule("BR-MOVE-1");
      if (!join(*next, true)) return false;
    }
    flush_deferred();
  }
  now_ = target;
  return true;
}

bool Simulation::play(const Step& s, int index) {
  // A case no rule decides can show itself deep inside a reaction; it ends the story's usefulness
  // wherever it is met.
  bool ok = play_step(s, index);
  if (ok) flush_deferred();
  // A delayNext or dropNext is for the update the very next step sends; one left waiting longer
  // would meet messages the model does not follow (replies, roster updates).
  if (ok && s.kind != Kind::delay_next && s.kind != Kind::drop_next)
    for (const auto& p : players_)
      if (p.hold_next || p.drop_next) return undecide("a delayNext or dropNext the next step sends no update for");
  return ok && undecided_.empty();
}

bool Simulation::play_step(const Step& s, int index) {
  step_ = index;
  auto check_participant = [&] { return find(s.participant) != nullptr; };
  bool server_side = s.kind != Kind::advance && !is_app_call(s.kind);
  if (server_side && meeting_.ended) return undecide("the Teams side acting on a meeting that has ended");
  switch (s.kind) {
    case Kind::advance:
      return advance_to(now_ + s.by);
    case Kind::open_all_rooms:
    case Kind::close_all_rooms:
      for (auto& r : meeting_.rooms) r.open = s.kind == Kind::open_all_rooms;
      update_everyone();
      return true;
    case Kind::create_room:
      if (room(s.room)) return undecide("a room created twice");
      meeting_.rooms.push_back(Room{s.room, created_room_name(s.room), s.flag, false});
      update_everyone();
      return true;
    case Kind::delete_room:
      if (!room(s.room)) return undecide("a room deleted that does not exist");
      // Whoever was assigned to it is unassigned (BR-MOVE-6 for those in it).
      std::erase_if(meeting_.rooms, [&](const Room& r) { return r.id == s.room; });
      std::erase_if(meeting_.assigned, [&](const auto& a) { return a.second == s.room; });
      update_everyone();
      return true;
    case Kind::open_room:
    case Kind::close_room:
    case Kind::set_auto_move:
      if (!room(s.room)) return undecide("an action on a room that does not exist");
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
    case Kind::delay_next:
    case Kind::drop_next: {
      if (!check_participant()) return undecide("a fault for an unknown participant");
      Player& p = player(s.participant);
      if (p.hold_next || p.drop_next || p.duplicate_pending > 0 || p.gone || p.reconnect_at || p.ended)
        return undecide("a message fault on top of another, or for a connection that is not there");
      if (s.kind == Kind::delay_next) p.hold_next = s.by;
      else p.drop_next = true;
      return true;
    }
    case Kind::duplicate_next:
    case Kind::resend_stale:
    case Kind::resend_latest: {
      if (!check_participant()) return undecide("a fault for an unknown participant");
      Player& p = player(s.participant);
      if (p.hold_next || p.drop_next || !p.held.empty()) return undecide("a message fault while another waits or holds an update");
      if (s.kind == Kind::resend_latest && p.latest_unreadable) return undecide("unreadable details sent again");
      if (s.kind != Kind::duplicate_next && (p.reconnected || p.reconnect_at)) return undecide("an old update resent across a reconnect");
      if (s.kind == Kind::duplicate_next) ++p.duplicate_pending;
      // BR-EVT-2, BR-EVT-3, BR-CONN-6: a message again, or an old one, changes nothing and raises
      // nothing, whether it is an update or a reply.
      rule("BR-EVT-3");
      return true;
    }
    case Kind::fail_next: {
      if (!check_participant()) return undecide("a fault for an unknown participant");
      ++player(s.participant).failing[s.method];
      return true;
    }
    case Kind::unreadable: {
      if (!check_participant()) return undecide("a fault for an unknown participant");
      Player& p = player(s.participant);
      if (p.gone) return true;  // nothing reaches a closed connection
      if (p.reconnect_at) return undecide("unreadable details sent while the connection is lost");
      if (p.hold_next || p.drop_next || !p.held.empty()) return undecide("unreadable details while an update is held back");
      if (p.duplicate_pending > 0) return undecide("unreadable details that may come twice");
      // BR-EVT-4, BR-MOVE-3: reported on the automatic-action channel; the last good state is kept.
      rule("BR-EVT-4");
      rule("BR-MOVE-3");
      rule("BR-ERR-46258");
      emit(p, "automaticActionFailed", {{"action", "readDetails"}, {"code", 412}, {"subCode", 46258}, {"category", "UnexpectedClientError"}});
      p.latest_unreadable = true;
      return true;
    }
    case Kind::set_feature:
      // While off, nothing about rooms is sent; turned on, everyone is told the whole view again and
      // raises what changed (BR-RACE-10, BR-EVT-2).
      if (!s.flag) rule("BR-RACE-10");
      meeting_.feature_off = !s.flag;
      // Turned on (even when it was), the service sends everyone the whole view again.
      if (s.flag)
        for (auto& p : players_) update(p, true);
      return true;
    case Kind::end_meeting:
      // BR-CALL-5: every call of every participant ends, room calls first; nothing automatic after.
      rule("BR-CALL-5");
      for (const auto& p : players_)
        if (p.reconnect_at || !p.held.empty() || p.hold_next || p.drop_next)
          return undecide("the meeting ending while a participant's connection is lost or an update held back");
      meeting_.ended = true;
      for (auto& p : players_)
        if (!p.gone) {
          end_calls(p);
          p.ended = true;
        }
      return true;
    case Kind::drop_connection: {
      if (!check_participant()) return undecide("a connection of an unknown participant");
      Player& p = player(s.participant);
      if (p.gone || p.reconnect_at || p.ended) return undecide("a connection dropped that is not there");
      if (p.hold_next || p.drop_next || !p.held.empty()) return undecide("a connection dropped while an update is held back");
      // BR-CONN-3, BR-CONN-7: the calls stay as they were; nothing is raised for a loss a reconnect mends.
      rule("BR-CONN-7");
      p.reconnect_at = now_ + kReconnectDelay;
      ++transitions_;
      return true;
    }
    case Kind::expire_token:
    case Kind::revoke_token: {
      if (!check_participant()) return undecide("a token of an unknown participant");
      Player& p = player(s.participant);
      if (p.gone || p.reconnect_at) return undecide("the token of a participant not connected");
      if (!p.held.empty() || p.hold_next || p.drop_next) return undecide("a token ending while an update is held back");
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

std::optional<std::string> Simulation::holding_next() const {
  for (const auto& p : players_)
    if (p.hold_next || p.drop_next) return p.id;
  return std::nullopt;
}

std::vector<std::string> Simulation::room_ids() const {
  std::vector<std::string> out;
  for (const auto& r : meeting_.rooms) out.push_back(r.id);
  return out;
}

std::vector<Ms> Simulation::timers() const {
  std::vector<Ms> out;
  for (const auto& p : players_) {
    if (p.auto_move_at) out.push_back(*p.auto_move_at);
    if (p.hang_up_at) out.push_back(*p.hang_up_at);
    if (p.reconnect_at) out.push_back(*p.reconnect_at);
    for (const auto& h : p.held)
      if (h.release) out.push_back(*h.release);
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
