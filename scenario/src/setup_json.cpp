// A scenario's set-up as JSON: the header of every trace, and what trace-to-scenario reads back.
#include <breakout/scenario/scenario.hpp>

namespace breakout::scenario {

Json setup_json(const Scenario& s) {
  Json out = Json::object();
  if (s.timeout) out["timeout"] = clock::format_duration(*s.timeout);
  Json meeting = Json::object();
  const mock::MeetingConfig defaults;
  if (s.meeting.kind != defaults.kind) meeting["kind"] = std::string(mock::to_string(s.meeting.kind));
  if (s.meeting.thread_id != defaults.thread_id) meeting["threadId"] = s.meeting.thread_id;
  if (s.meeting.disable_return_to_main_meeting) meeting["disableReturnToMainMeeting"] = true;
  if (!s.meeting.breakout_rooms_enabled) meeting["breakoutRoomsEnabled"] = false;
  if (!s.meeting.roster_updates) meeting["rosterUpdates"] = false;
  if (!meeting.empty()) out["meeting"] = meeting;
  if (!s.client_options.empty()) {
    Json options = Json::object();
    for (const auto& [key, ms] : s.client_options.items()) options[key] = clock::format_duration(clock::Duration(ms.get<std::int64_t>()));
    out["clientOptions"] = options;
  }
  std::map<std::string, std::vector<std::string>> groups_of;
  for (const auto& [group, members] : s.groups)
    for (const auto& id : members) groups_of[id].push_back(group);
  Json participants = Json::array();
  for (const auto& p : s.participants) {
    Json j = {{"id", p.config.id}};
    if (p.config.display_name != p.config.id) j["displayName"] = p.config.display_name;
    if (p.config.identity == mock::IdentityKind::microsoft_365) j["identity"] = "microsoft365";
    if (p.config.role != "Attendee") j["role"] = p.config.role;
    if (!p.config.token.empty()) j["token"] = p.config.token;
    if (p.config.breakout_room_manager) j["breakoutRoomManager"] = true;
    if (!p.client) j["client"] = false;
    if (!p.join_meeting) j["joinMeeting"] = false;
    if (!p.connect) j["connect"] = false;
    if (auto g = groups_of.find(p.config.id); g != groups_of.end())
      j["group"] = g->second.size() == 1 ? Json(g->second.front()) : Json(g->second);
    participants.push_back(j);
  }
  out["participants"] = participants;
  if (!s.meeting.rooms.empty()) {
    Json rooms = Json::array();
    for (const auto& r : s.meeting.rooms) {
      Json j = {{"id", r.id}};
      if (r.name != r.id) j["name"] = r.name;
      if (!r.auto_move) j["autoMove"] = false;
      if (r.open) j["open"] = true;
      if (!r.participants.empty()) j["participants"] = r.participants;
      rooms.push_back(j);
    }
    out["rooms"] = rooms;
  }
  return out;
}

}  // namespace breakout::scenario
