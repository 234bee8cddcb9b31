// The meeting model: request handling, scripted actions, and what each participant is told.
#include <breakout/mock_server/meeting.hpp>

#include <algorithm>
#include <array>

namespace breakout::mock {
namespace {

using protocol::ErrorBody;
using protocol::Json;

constexpr std::array<std::string_view, 6> kCallKinds = {
    "teamsMeeting", "room", "oneToOne", "group", "oneToOneTeamsInterop", "groupTeamsInterop"};

std::string effective_token(const ParticipantConfig& p) { return p.token.empty() ? "token-" + p.id : p.token; }

}  // namespace

std::string_view to_string(CallKind kind) { return kCallKinds[static_cast<std::size_t>(kind)]; }

std::optional<CallKind> call_kind_from_string(std::string_view text) {
  for (std::size_t i = 0; i < kCallKinds.size(); ++i)
    if (kCallKinds[i] == text) return static_cast<CallKind>(i);
  return std::nullopt;
}

const std::vector<std::string_view>& role_names() {
  static const std::vector<std::string_view> roles = {"Organizer", "Co-organizer", "Presenter", "Attendee"};
  return roles;
}

std::string identifier_of(const ParticipantConfig& p) {
  return (p.identity == IdentityKind::microsoft_365 ? "8:orgid:" : "8:acs:") + p.id;
}

Meeting::Meeting(MeetingConfig config, clock::Clock& clock, Outbox outbox)
    : config_(std::move(config)), clock_(clock), outbox_(std::move(outbox)),
      disable_return_(config_.disable_return_to_main_meeting) {
  for (const auto& p : config_.participants) {
    Participant part;
    part.config = p;
    participant_index_.emplace(p.id, participants_.size());
    token_index_.emplace(effective_token(p), p.id);  // the first with a token has it, as a search would find
    participants_.push_back(std::move(part));
  }
  for (const auto& r : config_.rooms) {
    rooms_.push_back(Room{r.id, r.name.empty() ? r.id : r.name, "19:breakout_" + r.id + "@thread.v2", r.open, r.auto_move, std::nullopt});
    for (const auto& pid : r.participants)
      if (Participant* p = find(pid)) p->assigned_room = r.id;
  }
}

std::optional<std::string> Meeting::authenticate(const std::string& token) const {
  if (std::find(revoked_tokens_.begin(), revoked_tokens_.end(), token) != revoked_tokens_.end()) return std::nullopt;
  auto it = token_index_.find(token);
  return it == token_index_.end() ? std::nullopt : std::optional(it->second);
}

const ParticipantConfig* Meeting::participant(const std::string& id) const {
  auto it = participant_index_.find(id);
  return it == participant_index_.end() ? nullptr : &participants_[it->second].config;
}

Meeting::Participant* Meeting::find(const std::string& pid) {
  auto it = participant_index_.find(pid);
  return it == participant_index_.end() ? nullptr : &participants_[it->second];
}

Meeting::Room* Meeting::find_room(const std::string& room_id) {
  return const_cast<Room*>(std::as_const(*this).find_room(room_id));
}

const Meeting::Room* Meeting::find_room(const std::string& room_id) const {
  for (const auto& r : rooms_)
    if (r.id == room_id) return &r;
  return nullptr;
}

Meeting::Leg* Meeting::find_leg(const std::string& pid, const std::string& call_id) {
  auto it = leg_by_call_.find(call_id);
  return it != leg_by_call_.end() && it->second->participant == pid ? &*it->second : nullptr;
}

const Meeting::Leg* Meeting::main_leg(const std::string& pid) const {
  auto it = participant_index_.find(pid);
  return it == participant_index_.end() ? nullptr : participants_[it->second].main_leg;
}

Meeting::Leg& Meeting::add_leg(Leg leg) {
  Participant* p = find(leg.participant);
  auto it = legs_.insert(legs_.end(), std::move(leg));
  leg_by_call_.emplace(it->call_id, it);
  legs_by_thread_[it->thread_id].push_back(&*it);
  ++p->legs_held;
  if (it->room.empty()) p->main_leg = &*it;
  return *it;
}

void Meeting::remove_leg(Leg& leg) {
  roster_pending_.erase(leg.call_id);
  Participant* p = find(leg.participant);
  --p->legs_held;
  if (p->main_leg == &leg) p->main_leg = nullptr;
  auto& on_thread = legs_by_thread_[leg.thread_id];
  std::erase(on_thread, &leg);
  if (on_thread.empty()) legs_by_thread_.erase(leg.thread_id);
  auto it = leg_by_call_.find(leg.call_id);
  auto node = it->second;
  leg_by_call_.erase(it);
  legs_.erase(node);
}

void Meeting::clear_legs() {
  roster_pending_.clear();
  legs_.clear();
  leg_by_call_.clear();
  legs_by_thread_.clear();
  for (auto& p : participants_) {
    p.main_leg = nullptr;
    p.legs_held = 0;
  }
}

void Meeting::participant_connected(const std::string& pid) {
  Participant* p = find(pid);
  if (!p) return;
  p->connected = true;
  // A (re)connected client is told its whole breakout view again, so it can resynchronise.
  p->last_details.reset();
  p->last_settings.reset();
  publish_to({pid}, false);
}

void Meeting::participant_disconnected(const std::string& pid) {
  if (Participant* p = find(pid)) p->connected = false;
}

void Meeting::handle(const std::string& pid, const protocol::Request& request) {
  protocol::Response response = respond(pid, request);
  outbox_(pid, response);
  // What the request changed is told after its answer, in a stable order.
  std::vector<RosterChange> changes;
  changes.swap(roster_changes_);
  for (const auto& change : changes) publish_participants(change);
  // A request changes no one's breakout view but the requester's (a join, say).
  if (!response.error) publish_to({pid}, false);
}

std::optional<ErrorBody> Meeting::take_injected_failure(const std::string& pid, std::string_view method) {
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (it->method != method || (it->participant && *it->participant != pid)) continue;
    ErrorBody e = it->error;
    if (--it->remaining == 0) failures_.erase(it);
    return e;
  }
  return std::nullopt;
}

std::string Meeting::new_call_id(Participant& p) {
  // Per participant, so ids do not depend on the order in which clients' requests arrive.
  return p.config.id + "-call-" + std::to_string(++p.calls_made);
}

protocol::Response Meeting::respond(const std::string& pid, const protocol::Request& request) {
  protocol::Response resp;
  resp.id = request.id;
  auto error = [&](int code, std::string message) {
    resp.error = ErrorBody{code, 0, std::move(message)};
    return resp;
  };
  if (auto injected = take_injected_failure(pid, protocol::method_name(request.params))) {
    resp.error = *injected;
    return resp;
  }
  Participant* p = find(pid);
  if (!p) return error(403, "unknown participant");

  if (auto* join = std::get_if<protocol::JoinMeeting>(&request.params)) {
    if (protocol::thread_id_from_join_url(join->meeting_link) != config_.thread_id)
      return error(404, "no meeting with this link");
    if (main_leg(pid)) return error(409, "already in the meeting");
    const Leg& leg = add_leg(Leg{new_call_id(*p), pid, "", config_.thread_id, "Connected"});
    p->last_details.reset();
    p->last_settings.reset();
    protocol::JoinResult result{leg.call_id, config_.thread_id, std::string(to_string(config_.kind)), p->config.role};
    resp.result = protocol::to_json(result);
    resp.result["breakoutRoomsEnabled"] = config_.breakout_rooms_enabled;
    roster_changes_.push_back({config_.thread_id, pid, leg.call_id, true});
    return resp;
  }
  if (auto* join = std::get_if<protocol::JoinBreakoutRoom>(&request.params)) {
    auto thread = protocol::thread_id_from_join_url(join->join_url);
    auto room = std::find_if(rooms_.begin(), rooms_.end(), [&](const Room& r) {
      return thread && r.thread_id == *thread && (!r.join_url_override || *r.join_url_override == join->join_url);
    });
    if (room == rooms_.end()) return error(404, "no breakout room with this join URL");
    if (!main_leg(pid)) return error(409, "not in the main meeting");
    // With the feature turned off there are no rooms to go to, whoever asks (BR-RACE-10).
    if (!config_.breakout_rooms_enabled) return error(405, "breakout rooms are turned off for this meeting");
    if (p->assigned_room != room->id && !is_manager(*p)) return error(403, "not assigned to this breakout room");
    if (!room->open) return error(412, "the breakout room is closed");
    // One client cannot make the server hold an unbounded number of calls for it.
    if (p->legs_held >= kMaxLegsPerParticipant)
      return error(429, "too many calls: at most " + std::to_string(kMaxLegsPerParticipant) + " per participant");
    const Leg& leg = add_leg(Leg{new_call_id(*p), pid, room->id, room->thread_id, "Connected"});
    resp.result = protocol::to_json(protocol::JoinResult{leg.call_id, room->thread_id, "teamsMeeting", p->config.role});
    resp.result["breakoutRoomsEnabled"] = true;  // as joinMeeting's: a room is only joined with the feature on
    roster_changes_.push_back({room->thread_id, pid, leg.call_id, true});
    return resp;
  }
  // Hold and resume move one of the participant's legs between Connected and LocalHold. Asking for
  // the state the leg is already in succeeds: a client that lost the reply can simply ask again.
  auto change_hold = [&](const std::string& call_id, const char* from, const char* to, const char* refusal) {
    Leg* leg = find_leg(pid, call_id);
    if (!leg) return error(404, "no such call");
    if (leg->state == to) return resp;
    if (leg->state != from) return error(409, refusal);
    leg->state = to;
    return resp;
  };
  if (auto* hold = std::get_if<protocol::Hold>(&request.params))
    return change_hold(hold->call_id, "Connected", "LocalHold", "the call is not connected");
  if (auto* resume = std::get_if<protocol::Resume>(&request.params))
    return change_hold(resume->call_id, "LocalHold", "Connected", "the call is not on hold");
  if (auto* hang_up = std::get_if<protocol::HangUp>(&request.params)) {
    Leg* leg = find_leg(pid, hang_up->call_id);
    if (!leg) return error(404, "no such call");
    std::string thread = leg->thread_id;
    std::string call_id = leg->call_id;
    bool was_main = leg->room.empty();
    remove_leg(*leg);
    if (was_main) {
      p->last_details.reset();
      p->last_settings.reset();
    }
    roster_changes_.push_back({thread, pid, call_id, false});
    return resp;
  }
  return error(400, "unsupported request");
}

bool Meeting::is_manager(const Participant& p) const {
  if (p.config.identity != IdentityKind::microsoft_365) return false;
  return p.config.role == "Organizer" || p.config.role == "Co-organizer" || p.config.breakout_room_manager;
}

protocol::WireRoom Meeting::wire_room(const Room& room, std::vector<std::string> invitees) const {
  return protocol::WireRoom{room.name, room.join_url_override.value_or(protocol::join_url_for_thread(room.thread_id)), room.open,
                            room.auto_move, std::move(invitees)};
}

protocol::MainMeetingProperties Meeting::details_for(const Participant& p) const {
  protocol::MainMeetingProperties props;
  if (p.assigned_room)
    if (const Room* r = find_room(*p.assigned_room)) props.assigned_breakout_rooms.push_back(wire_room(*r, {}));
  if (is_manager(p)) {
    // A manager sees every room with its invitees: everyone's assignment, read in one pass.
    std::unordered_map<std::string, std::vector<std::string>> invitees;
    for (const auto& other : participants_)
      if (other.assigned_room) invitees[*other.assigned_room].push_back(identifier_of(other.config));
    props.all_breakout_rooms.emplace();
    for (const auto& r : rooms_) {
      auto it = invitees.find(r.id);
      props.all_breakout_rooms->push_back(wire_room(r, it == invitees.end() ? std::vector<std::string>{} : std::move(it->second)));
    }
  }
  return props;
}

protocol::MeetingBreakoutSettings Meeting::settings_for() const {
  protocol::MeetingBreakoutSettings s;
  if (room_end_) s.room_end_time = clock_.utc_string(*room_end_);
  s.main_meeting_join_url = protocol::join_url_for_thread(config_.thread_id);
  for (const auto& p : participants_)
    if (p.config.breakout_room_manager) s.breakout_room_managers.push_back(identifier_of(p.config));
  s.allow_join_back_to_main_meeting = !disable_return_;
  return s;
}

std::shared_ptr<const Meeting::SharedView> Meeting::shared_view() {
  auto settings = settings_for();
  if (!view_ || view_->settings != settings) {
    auto encoded = protocol::encode_settings(settings);
    view_ = std::make_shared<const SharedView>(SharedView{std::move(settings), std::move(encoded)});
  }
  return view_;
}

void Meeting::publish() {
  if (config_.kind != CallKind::teams_meeting || !config_.breakout_rooms_enabled) return;
  auto view = shared_view();
  for (auto& p : participants_) publish_one(p, p.main_leg, view);
}

void Meeting::publish_to(const std::vector<std::string>& participant_ids, bool managers_too) {
  if (config_.kind != CallKind::teams_meeting || !config_.breakout_rooms_enabled) return;
  auto view = shared_view();
  // In the participants' order, as publish() would, so the outbox order does not depend on the caller.
  std::vector<std::size_t> targets;
  for (const auto& id : participant_ids)
    if (auto it = participant_index_.find(id); it != participant_index_.end()) targets.push_back(it->second);
  if (managers_too)
    for (std::size_t i = 0; i < participants_.size(); ++i)
      if (is_manager(participants_[i])) targets.push_back(i);
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  for (auto i : targets) publish_one(participants_[i], participants_[i].main_leg, view);
}

void Meeting::publish_one(Participant& p, const Leg* leg, const std::shared_ptr<const SharedView>& view) {
  if (!p.connected || !leg) return;
  auto details = details_for(p);
  if (p.last_details != details) {
    p.last_details = details;
    protocol::LocalParticipantUpdate update{leg->call_id, ++p.details_seq, protocol::encode_breakout_details(details)};
    p.sent_details.push_back(update);
    if (p.sent_details.size() > 2) p.sent_details.erase(p.sent_details.begin());
    outbox_(p.config.id, update);
  }
  if (p.last_settings != view && (!p.last_settings || p.last_settings->settings != view->settings)) {
    p.last_settings = view;
    outbox_(p.config.id, protocol::ConversationUpdate{leg->call_id, ++p.settings_seq, {}, {}, view->encoded});
  }
}

void Meeting::schedule_room_end() {
  if (room_end_timer_) clock_.cancel(*room_end_timer_);
  room_end_timer_.reset();
  if (!room_end_) return;
  clock::Duration delay = *room_end_ - clock_.now();
  room_end_timer_ = clock_.schedule(delay, [this, alive = std::weak_ptr<void>(alive_)] {
    if (alive.expired()) return;
    // The organizer's timer ran out: every room closes.
    room_end_timer_.reset();
    room_end_.reset();
    for (auto& r : rooms_) r.open = false;
    publish();
  });
}

Expected<void, std::string> Meeting::apply(const Action& action) {
  auto no_room = [](const std::string& id) { return unexpected("no room '" + id + "'"); };
  if (auto* a = std::get_if<CreateRoom>(&action)) {
    if (find_room(a->room)) return unexpected("room '" + a->room + "' already exists");
    if (rooms_.size() >= kMaxRooms) return unexpected("a meeting has at most " + std::to_string(kMaxRooms) + " rooms");
    rooms_.push_back(Room{a->room, a->name.value_or(a->room), "19:breakout_" + a->room + "@thread.v2", false, a->auto_move, std::nullopt});
  } else if (auto* a = std::get_if<DeleteRoom>(&action)) {
    if (!find_room(a->room)) return no_room(a->room);
    std::erase_if(rooms_, [&](const Room& r) { return r.id == a->room; });
    for (auto& p : participants_)
      if (p.assigned_room == a->room) p.assigned_room.reset();
  } else if (auto* a = std::get_if<UpdateRoom>(&action)) {
    Room* r = find_room(a->room);
    if (!r) return no_room(a->room);
    if (a->name) r->name = *a->name;
    if (a->auto_move) r->auto_move = *a->auto_move;
    if (a->join_url) r->join_url_override = *a->join_url;
  } else if (auto* a = std::get_if<Assign>(&action)) {
    Participant* p = find(a->participant);
    if (!p) return unexpected("no participant '" + a->participant + "'");
    if (a->room && !find_room(*a->room)) return no_room(*a->room);
    p->assigned_room = a->room;
    // An assignment changes the view of that participant, and of the managers (invitees).
    publish_to({a->participant}, true);
    return {};
  } else if (auto* a = std::get_if<OpenRoom>(&action)) {
    Room* r = find_room(a->room);
    if (!r) return no_room(a->room);
    r->open = true;
  } else if (auto* a = std::get_if<CloseRoom>(&action)) {
    Room* r = find_room(a->room);
    if (!r) return no_room(a->room);
    r->open = false;
  } else if (std::holds_alternative<OpenAllRooms>(action)) {
    for (auto& r : rooms_) r.open = true;
  } else if (std::holds_alternative<CloseAllRooms>(action)) {
    for (auto& r : rooms_) r.open = false;
  } else if (auto* a = std::get_if<UpdateSettings>(&action)) {
    if (a->disable_return_to_main_meeting) disable_return_ = *a->disable_return_to_main_meeting;
    if (a->clear_room_end) room_end_.reset();
    if (a->room_end_after) room_end_ = clock_.now() + *a->room_end_after;
    if (a->clear_room_end || a->room_end_after) schedule_room_end();
  } else if (auto* a = std::get_if<FailNext>(&action)) {
    if (a->participant && !find(*a->participant)) return unexpected("no participant '" + *a->participant + "'");
    failures_.push_back(InjectedFailure{a->method, a->participant, a->count, a->error});
    return {};
  } else if (auto* a = std::get_if<SendUnreadableDetails>(&action)) {
    return send_unreadable_details(a->participant);
  } else if (std::holds_alternative<EndMeeting>(action)) {
    // Room legs first, then the main legs, as the service tears a meeting down.
    std::vector<Leg> legs(legs_.begin(), legs_.end());
    std::stable_partition(legs.begin(), legs.end(), [](const Leg& l) { return !l.room.empty(); });
    clear_legs();
    for (const auto& leg : legs) {
      if (const Participant* p = find(leg.participant); p && p->connected)
        outbox_(leg.participant, protocol::CallStateUpdate{leg.call_id, "Disconnected", protocol::ErrorBody{0, 0, "the meeting has ended"}});
    }
    for (auto& p : participants_) {
      p.last_details.reset();
      p.last_settings.reset();
    }
    return {};
  } else if (auto* a = std::get_if<SetFeatureEnabled>(&action)) {
    config_.breakout_rooms_enabled = a->enabled;
    // Turned back on: everyone is told the whole breakout view again.
    if (a->enabled)
      for (auto& p : participants_) {
        p.last_details.reset();
        p.last_settings.reset();
      }
  } else if (auto* a = std::get_if<ResendDetails>(&action)) {
    return resend_details(a->participant, a->previous);
  } else {
    return unexpected("action '" + std::string(action_name(action)) + "' is about connections; the server applies it");
  }
  publish();
  return {};
}

Expected<void, std::string> Meeting::revoke_token(const std::string& pid) {
  Participant* p = find(pid);
  if (!p) return unexpected("no participant '" + pid + "'");
  revoked_tokens_.push_back(effective_token(p->config));
  return {};
}

Expected<void, std::string> Meeting::send_unreadable_details(const std::string& pid) {
  Participant* p = find(pid);
  if (!p) return unexpected("no participant '" + pid + "'");
  const Leg* leg = main_leg(pid);
  if (!leg || !p->connected) return unexpected("participant '" + pid + "' is not in the meeting");
  // A room whose fields have the wrong types: readable JSON, unreadable breakout details.
  Json broken = {{"mainMeetingProperties",
                  {{"assignedBreakoutRooms", Json::array({{{"name", 42}, {"meetingJoinUrl", nullptr}, {"isOpen", "yes"}}})}}}};
  outbox_(pid, protocol::LocalParticipantUpdate{leg->call_id, ++p->details_seq, broken});
  return {};
}

Expected<void, std::string> Meeting::resend_details(const std::string& pid, bool previous) {
  Participant* p = find(pid);
  if (!p) return unexpected("no participant '" + pid + "'");
  if (!p->connected || !main_leg(pid)) return unexpected("participant '" + pid + "' is not in the meeting");
  std::size_t needed = previous ? 2 : 1;
  if (p->sent_details.size() < needed)
    return unexpected("participant '" + pid + "' has not been sent " + (previous ? "two updates" : "an update") + " yet");
  outbox_(pid, p->sent_details[p->sent_details.size() - needed]);
  return {};
}

std::vector<Meeting::LegView> Meeting::legs() const {
  std::vector<LegView> out;
  for (const auto& l : legs_) out.push_back({l.call_id, l.participant, l.room, l.state});
  return out;
}

}  // namespace breakout::mock
