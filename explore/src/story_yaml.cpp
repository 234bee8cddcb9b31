// A story as an ordinary scenario file: the set-up, each step in the language of docs/scenarios.md,
// and, when asked, the model's events as expectations after the step that causes them.
#include <breakout/explore/explore.hpp>

#include <breakout/scenario/writer.hpp>

#include <algorithm>
#include <map>
#include <sstream>

namespace breakout::explore {
namespace {

using model::Kind;

std::string quoted(const std::string& s) { return scenario::yaml_flow(nlohmann::json(s)); }

std::string duration(Ms ms) { return std::to_string(ms) + "ms"; }

std::string flow(const nlohmann::json& j) { return scenario::yaml_flow(j); }

void step_yaml(std::ostringstream& y, const model::Step& s, bool one_client) {
  // A call is never waited for: made inside a callback, or with its result as an event.
  auto tail = [&]() -> std::string {
    if (!s.inside) return "    wait: false\n";
    return "    inside: { listener: " + (s.inside_listener.empty() ? std::string("default") : s.inside_listener) + ", event: " + s.inside_event + " }\n";
  };
  auto who = [&] { return one_client ? std::string() : "    participant: " + s.participant + "\n"; };
  auto server_who = [&] { return "    participant: " + s.participant + "\n"; };
  switch (s.kind) {
    case Kind::open_room: y << "  - server: openRoom\n    room: " << s.room << "\n"; break;
    case Kind::close_room: y << "  - server: closeRoom\n    room: " << s.room << "\n"; break;
    case Kind::open_all_rooms: y << "  - server: openAllRooms\n"; break;
    case Kind::close_all_rooms: y << "  - server: closeAllRooms\n"; break;
    case Kind::create_room:
      y << "  - server: createRoom\n    room: " << s.room << "\n    name: " << quoted(model::created_room_name(s.room)) << "\n    autoMove: " << (s.flag ? "true" : "false") << "\n";
      break;
    case Kind::delete_room: y << "  - server: deleteRoom\n    room: " << s.room << "\n"; break;
    case Kind::assign: y << "  - server: assign\n" << server_who() << "    room: " << s.room << "\n"; break;
    case Kind::unassign: y << "  - server: unassign\n" << server_who(); break;
    case Kind::set_return_disabled:
      y << "  - server: updateSettings\n    disableReturnToMainMeeting: " << (s.flag ? "true" : "false") << "\n";
      break;
    case Kind::set_auto_move:
      y << "  - server: updateRoom\n    room: " << s.room << "\n    autoMove: " << (s.flag ? "true" : "false") << "\n";
      break;
    case Kind::end_meeting: y << "  - server: endMeeting\n"; break;
    case Kind::set_feature: y << "  - server: setFeatureEnabled\n    enabled: " << (s.flag ? "true" : "false") << "\n"; break;
    case Kind::expire_token: y << "  - server: expireToken\n" << server_who(); break;
    case Kind::revoke_token: y << "  - server: revokeToken\n" << server_who(); break;
    case Kind::drop_connection: y << "  - server: dropConnection\n" << server_who(); break;
    case Kind::unreadable: y << "  - server: sendUnreadableDetails\n" << server_who(); break;
    case Kind::fail_next: y << "  - server: failNext\n" << server_who() << "    method: " << s.method << "\n"; break;
    case Kind::hang_up_room: y << "  - do: hangUp\n" << who() << "    call: room\n    wait: false\n"; break;
    case Kind::duplicate_next: y << "  - server: duplicateNext\n" << server_who(); break;
    case Kind::delay_next: y << "  - server: delayNext\n" << server_who() << "    by: " << duration(s.by) << "\n"; break;
    case Kind::drop_next: y << "  - server: dropNext\n" << server_who(); break;
    case Kind::resend_stale: y << "  - server: resendDetails\n" << server_who() << "    which: previous\n"; break;
    case Kind::resend_latest: y << "  - server: resendDetails\n" << server_who() << "    which: latest\n"; break;
    case Kind::join: y << "  - do: join\n" << who() << tail(); break;
    case Kind::return_to_main: y << "  - do: returnToMainMeeting\n" << who() << tail(); break;
    case Kind::hold_main: y << "  - do: hold\n" << who() << "    call: main\n" << tail(); break;
    case Kind::resume_main: y << "  - do: resume\n" << who() << "    call: main\n    wait: false\n"; break;
    case Kind::subscribe:
    case Kind::unsubscribe:
      y << "  - do: " << (s.kind == Kind::subscribe ? "subscribe" : "unsubscribe") << "\n"
        << who() << "    listener: " << (s.listener.empty() ? "default" : s.listener) << "\n" << tail();
      break;
    case Kind::advance: y << "  - advance: " << duration(s.by) << "\n"; break;
  }
}

void expect_yaml(std::ostringstream& y, const model::Event& e, bool one_client, const std::string& indent = "  ") {
  y << indent << "- expect: " << e.type << "\n";
  if (!one_client) y << indent << "  participant: " << e.participant << "\n";
  if (!e.listener.empty()) y << indent << "  listener: " << e.listener << "\n";
  y << indent << "  data: " << (e.data.is_null() ? std::string("null") : flow(e.data)) << "\n";
}

/// Expectations for events of one step at one moment: in order per participant, except that a
/// participant's moment with a `breakoutRooms` or `breakoutRoomsSettings` event (ordered against
/// nothing else by the rules) is one unordered group.
void expect_moment(std::ostringstream& y, const std::vector<const model::Event*>& events, bool one_client) {
  std::vector<std::string> order;
  for (const auto* e : events)
    if (std::find(order.begin(), order.end(), e->participant) == order.end()) order.push_back(e->participant);
  for (const auto& p : order) {
    std::vector<const model::Event*> mine;
    for (const auto* e : events)
      if (e->participant == p) mine.push_back(e);
    bool loose = std::any_of(mine.begin(), mine.end(),
                             [](const model::Event* e) { return e->type == "breakoutRooms" || e->type == "breakoutRoomsSettings"; });
    if (loose && mine.size() > 1) {
      y << "  - unordered:\n";
      for (const auto* e : mine) expect_yaml(y, *e, one_client, "      ");
    } else {
      for (const auto* e : mine) expect_yaml(y, *e, one_client);
    }
  }
}

}  // namespace

std::string to_yaml(const Story& story, const YamlOptions& o) {
  std::ostringstream y;
  bool one = story.participants.size() == 1;
  y << "# yaml-language-server: $schema=../scenarios/schema/scenario.schema.json\n";
  y << "name: " << quoted(o.name) << "\n";
  if (!o.description.empty()) y << "description: " << quoted(o.description) << "\n";
  y << "tags: [explored]\n";
  if (story.return_disabled) y << "meeting:\n  disableReturnToMainMeeting: true\n";
  y << "participants:\n";
  for (const auto& p : story.participants)
    y << "  - { id: " << p.id << ", identity: " << (p.microsoft365 ? "microsoft365" : "communicationUser") << ", role: " << p.role
      << " }\n";
  if (!story.rooms.empty()) y << "rooms:\n";
  for (const auto& r : story.rooms) {
    y << "  - { id: " << r.id << ", name: " << quoted(r.name) << ", autoMove: " << (r.auto_move ? "true" : "false")
      << ", open: " << (r.open ? "true" : "false") << ", participants: [";
    bool first = true;
    for (const auto& [p, room] : story.assigned)
      if (room == r.id) y << (first ? "" : ", ") << p, first = false;
    y << "] }\n";
  }
  y << "steps:\n";
  if (story.steps.empty()) y << "  []\n";
  // Events by the step that causes them; an advance is cut at each moment something happens, so
  // each expectation is checked at its own time.
  std::map<int, std::vector<const model::Event*>> by_step;
  if (o.expectations)
    for (const auto& e : o.expectations->events) by_step[e.step].push_back(&e);
  Ms now = 0;
  for (std::size_t i = 0; i < story.steps.size(); ++i) {
    const auto& s = story.steps[i];
    const auto& events = by_step[static_cast<int>(i)];
    if (s.kind != Kind::advance || !o.expectations) {
      step_yaml(y, s, one);
      expect_moment(y, events, one);
      if (s.kind == Kind::advance) now += s.by;
      continue;
    }
    Ms end = now + s.by;
    std::size_t k = 0;
    while (k < events.size()) {
      Ms at = events[k]->at;
      // An event that must not come before its time: the diverging participant waits with expectNo.
      const model::Event* first = events[k];
      bool early_watch = o.divergence && o.divergence->participant == first->participant && at > now + 1 &&
                         o.divergence->at < at && o.divergence->kind == "model";
      if (early_watch) {
        y << "  - expectNo: " << first->type << "\n";
        if (!one) y << "    participant: " << first->participant << "\n";
        y << "    for: " << duration(at - now - 1) << "\n";
        y << "  - advance: 1ms\n";
      } else if (at > now) {
        y << "  - advance: " << duration(at - now) << "\n";
      }
      now = at;
      std::vector<const model::Event*> moment;
      for (; k < events.size() && events[k]->at == at; ++k) moment.push_back(events[k]);
      expect_moment(y, moment, one);
    }
    if (end > now) y << "  - advance: " << duration(end - now) << "\n";
    now = end;
  }
  return y.str();
}

}  // namespace breakout::explore
