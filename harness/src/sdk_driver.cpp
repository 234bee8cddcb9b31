// The SDK driver: turns client actions into SDK calls and SDK events into observations.
#include "sdk_driver.hpp"

#include <breakout/sdk/breakout_rooms.hpp>
#include <breakout/sdk/calling.hpp>

#include <map>

namespace breakout::harness {
namespace {

Json error_json(const sdk::CallError& e) {
  return {{"code", e.code}, {"subCode", e.sub_code}, {"category", std::string(sdk::to_string(e.category))}, {"message", e.message}};
}

ActionOutcome outcome_of(const sdk::CallError& e) { return ActionOutcome{false, error_json(e)}; }

/// The driver could not even make the call (nothing to call it on): not an SDK result.
ActionOutcome driver_error(std::string message) { return ActionOutcome::failure(0, 0, "DriverError", std::move(message)); }

Json room_json(const sdk::BreakoutRoom& room) {
  Json invitees = Json::array();
  for (const auto& i : room.invitees()) invitees.push_back(i.identifier.raw_id);
  return {{"displayName", room.display_name()},
          {"threadId", room.thread_id()},
          {"state", std::string(sdk::to_string(room.state()))},
          {"autoMoveParticipantToBreakoutRoom", room.auto_move_participant_to_breakout_room()},
          {"invitees", invitees},
          {"call", room.call() ? Json("room") : Json(nullptr)}};
}

Json rooms_json(const std::optional<std::vector<sdk::BreakoutRoom>>& rooms) {
  if (!rooms) return nullptr;
  Json list = Json::array();
  for (const auto& r : *rooms) list.push_back(room_json(r));
  return list;
}

Json settings_json(const std::optional<sdk::BreakoutRoomsSettings>& s) {
  if (!s) return nullptr;
  return {{"disableReturnToMainMeeting", s->disable_return_to_main_meeting},
          {"roomEndTime", s->room_end_time ? Json(*s->room_end_time) : Json(nullptr)}};
}

Json participants_json(const std::shared_ptr<sdk::Call>& call) {
  if (!call) return nullptr;
  Json list = Json::array();
  for (const auto& p : call->remote_participants()) list.push_back({{"displayName", p.display_name}, {"identifier", p.identifier.raw_id}});
  return list;
}

class SdkDriver final : public Driver {
 public:
  SdkDriver(boost::asio::io_context& io, clock::Clock& clock, const std::string& url, protocol::TrafficMonitor& traffic,
            ObservationSink& sink)
      : io_(io), clock_(clock), url_(url), traffic_(traffic), sink_(sink) {}

  void add_participant(const ParticipantSpec& spec, Done done) override {
    clients_[spec.id].id = spec.id;
    clients_[spec.id].spec = spec;
    if (!spec.connect) return done(ActionOutcome::success());
    connect(spec, std::move(done));
  }

  /// Creates the participant's CallClient and agent and, if the spec says so, joins the meeting.
  void connect(const ParticipantSpec& spec, Done done) {
    auto& c = clients_[spec.id];
    sdk::CallClientOptions options{sdk::websocket_transport(io_, url_, &traffic_), {}, {}};
    if (spec.options.contains("autoMoveDelay"))
      options.breakout_rooms.auto_move_delay = clock::Duration(spec.options["autoMoveDelay"].get<std::int64_t>());
    if (spec.options.contains("hangUpDelay"))
      options.breakout_rooms.hang_up_delay = clock::Duration(spec.options["hangUpDelay"].get<std::int64_t>());
    if (spec.options.contains("requestTimeout"))
      options.request_timeout = clock::Duration(spec.options["requestTimeout"].get<std::int64_t>());
    c.client = std::make_unique<sdk::CallClient>(io_, clock_, std::move(options));
    c.client->create_call_agent(spec.token, {spec.display_name}, [this, spec, done](sdk::Result<std::shared_ptr<sdk::CallAgent>> r) {
      if (!r) return done(outcome_of(r.error()));
      Client& c = clients_[spec.id];
      c.agent = *r;
      c.agent->on_connection_state_changed([this, id = spec.id](const sdk::ConnectionStateChangedEvent& e) {
        Json data = {{"newValue", std::string(sdk::to_string(e.new_value))}, {"oldValue", std::string(sdk::to_string(e.old_value))}};
        data["reason"] = e.reason ? Json(std::string(sdk::to_string(*e.reason))) : Json(nullptr);
        sink_.observe(id, "connectionStateChanged", data, "");
      });
      if (!spec.join_meeting) return done(ActionOutcome::success());
      c.main = c.agent->join({spec.meeting_link});
      auto pending = std::make_shared<Done>(done);
      watch_call(spec.id, c.main, "main", pending);
      auto feature = c.main->feature(sdk::Features::BreakoutRooms);
      if (feature) {
        c.feature = *feature;
        // What the app sees of its calls whatever listeners it keeps, as an app that watches its
        // agent's calls does: the room call, from the moment it exists. Subscribed first and never
        // through the scenario's names, so no step can remove it; it observes nothing itself.
        (void)c.feature->on("breakoutRoomsUpdated", [this, id = spec.id](const sdk::BreakoutRoomsEventData& e) {
          if (auto* join = std::get_if<sdk::JoinBreakoutRoomsEvent>(&e)) {
            Client& client = clients_[id];
            if (client.room != join->data) {
              client.room = join->data;
              watch_call(id, client.room, "room", nullptr);
            }
          }
        });
        if (auto sub = subscribe(c, "breakoutRoomsUpdated", "default"); !sub) {
          if (*pending) std::exchange(*pending, nullptr)(outcome_of(sub.error()));
          return;
        }
        c.feature->on_automatic_action_failed([this, id = spec.id](const sdk::AutomaticActionFailed& f) {
          Json data = error_json(f.error);
          data["action"] = f.action;
          sink_.observe(id, "automaticActionFailed", data, "");
        });
      }
    });
  }

  void perform(const std::string& participant, const std::string& action, const Json& args, Done done) override {
    auto it = clients_.find(participant);
    if (it == clients_.end()) return done(driver_error(participant + " has no client"));
    Client& c = it->second;
    if (action == "connect") {
      if (c.agent) return done(driver_error(participant + " is already connected"));
      ParticipantSpec spec = c.spec;
      if (args.contains("token")) spec.token = args["token"].get<std::string>();
      return connect(spec, std::move(done));
    }
    if (!c.agent) return done(driver_error(participant + " has no connected client"));
    auto on_void = [done](sdk::Result<void> r) { done(r ? ActionOutcome::success() : outcome_of(r.error())); };
    auto on_call = [done](sdk::Result<std::shared_ptr<sdk::Call>> r) { done(r ? ActionOutcome::success() : outcome_of(r.error())); };

    if (action == "join" || action == "returnToMainMeeting") {
      if (!c.feature) return done(driver_error("no breakout rooms feature to act on"));
      std::optional<sdk::BreakoutRoom> room = c.feature->assigned_breakout_rooms();
      if (args.contains("room")) {
        room.reset();
        if (const auto& all = c.feature->breakout_rooms())
          for (const auto& r : *all)
            if (r.display_name() == args["room"].get<std::string>()) room = r;
      }
      if (!room) return done(driver_error("no breakout room to call " + action + "() on"));
      if (action == "join") room->join(on_call);
      else room->return_to_main_meeting(on_call);
      return;
    }
    if (action == "hold" || action == "resume" || action == "hangUp") {
      bool on_room = args.value("call", "main") == "room";
      auto call = on_room ? c.room : c.main;
      if (!call) return done(driver_error(std::string("no ") + (on_room ? "room" : "main") + " call"));
      if (action == "hold") call->hold(on_void);
      else if (action == "resume") call->resume(on_void);
      else call->hang_up(on_void);
      return;
    }
    if (action == "subscribe" || action == "unsubscribe") {
      if (!c.feature) return done(driver_error("no breakout rooms feature to act on"));
      std::string event = args.value("event", "breakoutRoomsUpdated");
      std::string name = args.value("listener", "default");
      if (action == "subscribe") {
        auto r = subscribe(c, event, name);
        return done(r ? ActionOutcome::success() : outcome_of(r.error()));
      }
      // As a JavaScript function added twice is called twice and removed one at a time (the most
      // recent first), a name subscribed twice holds two listeners. An unknown name is off() with
      // an id the SDK never gave, which changes nothing (a wrong event name still fails as it must).
      auto it = c.listeners.find(name);
      auto r = c.feature->off(event, it == c.listeners.end() ? 0 : it->second.back());
      if (r && it != c.listeners.end()) {
        it->second.pop_back();
        if (it->second.empty()) c.listeners.erase(it);
      }
      return done(r ? ActionOutcome::success() : outcome_of(r.error()));
    }
    if (action == "getFeature") {
      if (!c.main) return done(driver_error("no main call"));
      auto f = c.main->feature(sdk::Features::BreakoutRooms);
      return done(f ? ActionOutcome::success() : outcome_of(f.error()));
    }
    if (action == "dispose") {
      c.agent->dispose();
      return done(ActionOutcome::success());
    }
    done(driver_error("the SDK driver has no action '" + action + "'"));
  }

  void arm(const std::string& participant, const std::string& listener, const std::string& event, const std::string& action,
           const Json& args, Done done) override {
    auto it = clients_.find(participant);
    if (it == clients_.end()) return done(driver_error(participant + " has no client"));
    it->second.armed.push_back({listener, event, action, args, std::move(done)});
  }

  Json state(const std::string& participant) const override { return state(participant, {}); }

  /// Builds only the fields asked for (all when none are named).
  Json state(const std::string& participant, const std::vector<std::string>& fields) const override {
    auto it = clients_.find(participant);
    if (it == clients_.end()) return nullptr;
    const Client& c = it->second;
    auto call_state = [](const std::shared_ptr<sdk::Call>& call) -> Json {
      return call ? Json(std::string(sdk::to_string(call->state()))) : Json(nullptr);
    };
    Json s = Json::object();
    auto wanted = [&](const char* name) { return fields.empty() || std::find(fields.begin(), fields.end(), name) != fields.end(); };
    if (wanted("connectionState"))
      s["connectionState"] = c.agent ? std::string(sdk::to_string(c.agent->connection_state())) : "Disconnected";
    auto call_info = [](const std::shared_ptr<sdk::Call>& call) -> Json {
      if (!call || call->state() == sdk::CallState::Disconnected) return nullptr;
      return {{"id", call->id()}, {"threadId", call->info().thread_id}, {"kind", std::string(sdk::to_string(call->kind()))},
              {"role", call->role()}};
    };
    if (wanted("mainCall")) s["mainCall"] = call_state(c.main);
    if (wanted("mainCallInfo")) s["mainCallInfo"] = call_info(c.main);
    if (wanted("roomCallInfo")) s["roomCallInfo"] = call_info(c.room);
    if (wanted("roomCall")) s["roomCall"] = call_state(c.room && c.room->state() != sdk::CallState::Disconnected ? c.room : nullptr);
    if (wanted("assignedBreakoutRooms"))
      s["assignedBreakoutRooms"] =
          c.feature && c.feature->assigned_breakout_rooms() ? room_json(*c.feature->assigned_breakout_rooms()) : Json(nullptr);
    if (wanted("breakoutRooms")) s["breakoutRooms"] = c.feature ? rooms_json(c.feature->breakout_rooms()) : Json(nullptr);
    if (wanted("breakoutRoomsSettings"))
      s["breakoutRoomsSettings"] = c.feature ? settings_json(c.feature->breakout_rooms_settings()) : Json(nullptr);
    if (wanted("mainCallRemoteParticipants")) s["mainCallRemoteParticipants"] = participants_json(c.main);
    if (wanted("roomCallRemoteParticipants")) s["roomCallRemoteParticipants"] = participants_json(c.room);
    return s;
  }

  void shutdown() override {
    for (auto& [id, c] : clients_)
      if (c.agent) c.agent->dispose();
  }

 private:
  struct Client {
    std::string id;
    ParticipantSpec spec;
    std::unique_ptr<sdk::CallClient> client;
    std::shared_ptr<sdk::CallAgent> agent;
    std::shared_ptr<sdk::Call> main;
    std::shared_ptr<sdk::Call> room;
    std::shared_ptr<sdk::BreakoutRoomsCallFeature> feature;
    /// The feature's listeners by the scenario's names ("default" is subscribed at set-up).
    std::map<std::string, std::vector<sdk::ListenerId>> listeners;
    /// Actions to make inside a listener's callback, in the order armed.
    struct Armed {
      std::string listener;
      std::string event;
      std::string action;
      Json args;
      Done done;
    };
    std::vector<Armed> armed;
  };

  void watch_call(const std::string& id, const std::shared_ptr<sdk::Call>& call, const std::string& label,
                  std::shared_ptr<Done> pending) {
    std::weak_ptr<sdk::Call> weak = call;
    call->on_state_changed([this, id, label, weak, pending](sdk::CallState old_state, sdk::CallState new_state) {
      auto call = weak.lock();
      sink_.observe(id, "callStateChanged",
                    {{"call", label}, {"callId", call ? call->id() : ""}, {"state", std::string(sdk::to_string(new_state))},
                     {"oldState", std::string(sdk::to_string(old_state))}},
                    "");
      if (pending && *pending) {
        if (new_state == sdk::CallState::Connected) std::exchange(*pending, nullptr)(ActionOutcome::success());
        else if (new_state == sdk::CallState::Disconnected)
          std::exchange(*pending, nullptr)(call && call->call_end_reason() ? outcome_of(*call->call_end_reason())
                                                                           : driver_error("the call ended while joining"));
      }
    });
  }

  sdk::Result<sdk::ListenerId> subscribe(Client& c, const std::string& event, const std::string& name) {
    auto r = c.feature->on(event, [this, id = c.id, name](const sdk::BreakoutRoomsEventData& e) { on_update(id, name, e); });
    if (r) c.listeners[name].push_back(*r);
    return r;
  }

  /// One listener's callback: the event is observed as that listener's, then the actions armed for
  /// this listener and event type are made, here, inside the callback.
  void on_update(const std::string& id, const std::string& listener, const sdk::BreakoutRoomsEventData& e) {
    std::string type(sdk::event_type(e));
    Json data;
    if (auto* rooms = std::get_if<sdk::BreakoutRoomsEvent>(&e)) data = rooms_json(rooms->data);
    else if (auto* assigned = std::get_if<sdk::AssignedBreakoutRoomsEvent>(&e)) data = assigned->data ? room_json(*assigned->data) : Json(nullptr);
    else if (auto* settings = std::get_if<sdk::BreakoutRoomsSettingsEvent>(&e)) data = settings_json(settings->data);
    else if (std::holds_alternative<sdk::JoinBreakoutRoomsEvent>(e)) data = {{"call", "room"}};
    sink_.observe(id, type, data, listener == "default" ? "" : listener);
    auto& armed = clients_[id].armed;
    std::vector<Client::Armed> due;
    for (auto it = armed.begin(); it != armed.end();) {
      if (it->listener == listener && it->event == type) {
        due.push_back(std::move(*it));
        it = armed.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& a : due) perform(id, a.action, a.args, std::move(a.done));
  }

  boost::asio::io_context& io_;
  clock::Clock& clock_;
  std::string url_;
  protocol::TrafficMonitor& traffic_;
  ObservationSink& sink_;
  std::map<std::string, Client> clients_;
};

}  // namespace

DriverFactory sdk_driver_factory() {
  return [](boost::asio::io_context& io, clock::Clock& clock, const std::string& url, protocol::TrafficMonitor& traffic,
            ObservationSink& sink) -> std::unique_ptr<Driver> {
    return std::make_unique<SdkDriver>(io, clock, url, traffic, sink);
  };
}

}  // namespace breakout::harness
