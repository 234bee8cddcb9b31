// An in-memory stand-in for the signaling service, behind the SDK's Transport seam: no sockets,
// replies and notifications scripted by the test, time virtual.
#pragma once

#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/messages.hpp>
#include <breakout/sdk/breakout_rooms.hpp>
#include <breakout/sdk/calling.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace breakout::sdk::testing {

using protocol::Json;

class FakeService {
 public:
  struct Link final : Transport {
    FakeService& service;
    Handlers handlers;
    bool is_open = false;
    explicit Link(FakeService& s) : service(s) {}
    ~Link() override { service.links_.erase(std::remove(service.links_.begin(), service.links_.end(), this), service.links_.end()); }
    void open(Handlers h) override {
      handlers = std::move(h);
      service.links_.push_back(this);
      boost::asio::post(service.io_, [this, alive = service.alive_] {
        if (!*alive || std::find(service.links_.begin(), service.links_.end(), this) == service.links_.end()) return;
        service.accept(*this);
      });
    }
    void send(std::string text) override { service.receive(*this, text); }
    void close() override {
      boost::asio::post(service.io_, [this, alive = service.alive_] {
        if (!*alive || std::find(service.links_.begin(), service.links_.end(), this) == service.links_.end()) return;
        service.end(*this, {TransportClosed::Kind::closed_by_service, 1000, "normal"});
      });
    }
  };

  explicit FakeService(boost::asio::io_context& io) : io_(io) {}
  ~FakeService() { *alive_ = false; }

  TransportFactory factory() {
    return [this](const std::string& token) -> std::unique_ptr<Transport> {
      tokens.push_back(token);
      return std::make_unique<Link>(*this);
    };
  }

  // ---- what the test scripts ----
  bool reject_token = false;
  bool refuse_connections = false;
  std::string call_kind = "teamsMeeting";
  bool breakout_enabled = true;
  /// Method name → errors to answer with, in turn.
  std::map<std::string, std::deque<protocol::ErrorBody>> failures;
  std::vector<protocol::Request> requests;
  std::vector<std::string> tokens;
  /// Methods whose requests get no reply at all.
  std::set<std::string> unanswered;
  /// Methods whose replies are held back until release(): a request in flight while something
  /// else happens.
  std::set<std::string> held;

  /// Sends the replies held back so far, in order.
  void release() {
    auto replies = std::move(held_replies_);
    held_replies_.clear();
    for (auto& [link, response] : replies) reply(*link, response);
  }

  int count(std::string_view method) const {
    int n = 0;
    for (const auto& r : requests) n += protocol::method_name(r.params) == method;
    return n;
  }

  void send(const protocol::ServerMessage& m) {
    for (auto* link : links_)
      if (link->is_open) link->handlers.on_message(protocol::encode(m));
  }

  /// Sends this text as it is, as one message.
  void send_text(const std::string& text) {
    for (auto* link : links_)
      if (link->is_open) link->handlers.on_message(text);
  }

  void details(std::uint64_t seq, const protocol::MainMeetingProperties& p, const std::string& call = "main-1") {
    send(protocol::LocalParticipantUpdate{call, seq, protocol::encode_breakout_details(p)});
  }
  void settings(std::uint64_t seq, const protocol::MeetingBreakoutSettings& s, const std::string& call = "main-1") {
    send(protocol::ConversationUpdate{call, seq, protocol::encode_meeting_details(s), protocol::encode_additional_data(s), nullptr});
  }
  /// Drops every connection as a network fault.
  void drop() {
    auto links = links_;
    for (auto* l : links) end(*l, {TransportClosed::Kind::network, 0, "reset"});
  }
  void close_with(int code) {
    auto links = links_;
    for (auto* l : links) end(*l, {TransportClosed::Kind::closed_by_service, code, "closed"});
  }

 private:
  void accept(Link& link) {
    if (refuse_connections) return end(link, {TransportClosed::Kind::network, 0, "refused"});
    if (reject_token) return end(link, {TransportClosed::Kind::token_rejected, 401, "bad token"});
    link.is_open = true;
    link.handlers.on_open();
    link.handlers.on_message(protocol::encode(protocol::ServerMessage(
        protocol::Welcome{"alice", "Alice", {"communicationUser", "8:acs:alice"}})));
  }

  void end(Link& link, TransportClosed info) {
    link.is_open = false;
    links_.erase(std::remove(links_.begin(), links_.end(), &link), links_.end());
    auto handler = std::move(link.handlers.on_closed);
    if (handler) handler(info);
  }

  void receive(Link& link, const std::string& text) {
    auto request = protocol::decode_request(text);
    REQUIRE(request);
    requests.push_back(*request);
    protocol::Response response{request->id, std::nullopt, Json::object()};
    std::string method(protocol::method_name(request->params));
    if (unanswered.count(method)) return;
    if (auto it = failures.find(method); it != failures.end() && !it->second.empty()) {
      response.error = it->second.front();
      it->second.pop_front();
    } else if (method == "joinMeeting") {
      response.result = protocol::to_json(protocol::JoinResult{"main-1", "19:meeting_main@thread.v2", call_kind, "Attendee"});
      response.result["breakoutRoomsEnabled"] = breakout_enabled;
    } else if (method == "joinBreakoutRoom") {
      auto url = std::get<protocol::JoinBreakoutRoom>(request->params).join_url;
      response.result = protocol::to_json(protocol::JoinResult{"room-" + std::to_string(++rooms_joined_),
                                                               *protocol::thread_id_from_join_url(url), "teamsMeeting", "Attendee"});
    }
    if (held.count(method)) {
      held_replies_.emplace_back(&link, response);
      return;
    }
    reply(link, response);
  }

  void reply(Link& link, const protocol::Response& response) {
    boost::asio::post(io_, [this, &link, alive = alive_, response] {
      if (!*alive || std::find(links_.begin(), links_.end(), &link) == links_.end()) return;
      link.handlers.on_message(protocol::encode(protocol::ServerMessage(response)));
    });
  }

  std::vector<std::pair<Link*, protocol::Response>> held_replies_;

  boost::asio::io_context& io_;
  std::vector<Link*> links_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  int rooms_joined_ = 0;
};

/// One SDK client against a FakeService, in virtual time.
struct ClientFixture {
  boost::asio::io_context io;
  clock::VirtualClock clock;
  FakeService service{io};
  CallClient client{io, clock, CallClientOptions{service.factory(), {}, {}}};
  std::shared_ptr<CallAgent> agent;
  std::shared_ptr<Call> main;
  std::shared_ptr<BreakoutRoomsCallFeature> feature;
  std::vector<BreakoutRoomsEventData> events;
  std::vector<AutomaticActionFailed> failures;
  std::vector<std::string> main_states;

  /// Runs handlers, then timers due now, until nothing is left to do now.
  void settle() {
    for (;;) {
      io.restart();
      io.poll();
      if (auto next = clock.next_deadline(); next && *next <= clock.now()) {
        clock.fire_next(clock.now());
        continue;
      }
      return;
    }
  }
  void advance(clock::Duration d) {
    auto target = clock.now() + d;
    settle();
    while (clock.fire_next(target)) settle();
    settle();
  }

  void connect() {
    client.create_call_agent("token", {"Alice"}, [this](Result<std::shared_ptr<CallAgent>> r) {
      REQUIRE(r);
      agent = *r;
    });
    settle();
    REQUIRE(agent);
  }

  void join_meeting() {
    connect();
    main = agent->join({protocol::join_url_for_thread("19:meeting_main@thread.v2")});
    main->on_state_changed([this](CallState, CallState s) { main_states.push_back(std::string(to_string(s))); });
    auto f = main->feature(Features::BreakoutRooms);
    REQUIRE(f);
    feature = *f;
    REQUIRE(feature->on("breakoutRoomsUpdated", [this](const BreakoutRoomsEventData& e) { events.push_back(e); }));
    feature->on_automatic_action_failed([this](const AutomaticActionFailed& f) { failures.push_back(f); });
    settle();
    REQUIRE(main->state() == CallState::Connected);
  }

  static protocol::WireRoom room(const std::string& id, bool open, bool auto_move) {
    return {"Room " + id, protocol::join_url_for_thread("19:breakout_" + id + "@thread.v2"), open, auto_move, {}};
  }
  static protocol::MainMeetingProperties assigned(protocol::WireRoom r) {
    protocol::MainMeetingProperties p;
    p.assigned_breakout_rooms.push_back(std::move(r));
    return p;
  }

  std::vector<std::string> event_types() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.emplace_back(event_type(e));
    return out;
  }

  /// Assigns the client to an open auto-move room and lets the auto-move delay pass: returns the
  /// room's call.
  std::shared_ptr<Call> auto_move_into(const std::string& room_id, std::uint64_t seq = 1) {
    service.details(seq, assigned(room(room_id, true, true)));
    advance(std::chrono::milliseconds(3000));
    auto call = feature->assigned_breakout_rooms()->call();
    REQUIRE(call);
    return call;
  }

  using CallSlot = std::shared_ptr<std::optional<Result<std::shared_ptr<Call>>>>;

  /// Assigns an open room (auto-move off), holds back the service's answers to `held_method`, and
  /// calls join(): the join is in flight. Its result lands in the slot returned.
  CallSlot join_in_flight(const std::string& held_method) {
    service.details(1, assigned(room("r1", true, false)));
    settle();
    service.held = {held_method};
    auto slot = std::make_shared<std::optional<Result<std::shared_ptr<Call>>>>();
    feature->assigned_breakout_rooms()->join([slot](Result<std::shared_ptr<Call>> r) { *slot = std::move(r); });
    settle();
    return slot;
  }

  /// Moves into an auto-move room, holds back the answer to the hang-up, and calls
  /// returnToMainMeeting(): the return is in flight.
  CallSlot return_in_flight() {
    auto_move_into("r1");
    service.held = {"hangUp"};
    auto slot = std::make_shared<std::optional<Result<std::shared_ptr<Call>>>>();
    feature->assigned_breakout_rooms()->return_to_main_meeting([slot](Result<std::shared_ptr<Call>> r) { *slot = std::move(r); });
    settle();
    return slot;
  }

  /// Sends the answers held back, and holds back no more.
  void release_held() {
    service.held.clear();
    service.release();
    settle();
  }

  Result<std::shared_ptr<Call>> join_assigned() {
    std::optional<Result<std::shared_ptr<Call>>> result;
    feature->assigned_breakout_rooms()->join([&](Result<std::shared_ptr<Call>> r) { result = std::move(r); });
    settle();
    REQUIRE(result);
    return std::move(*result);
  }
};

}  // namespace breakout::sdk::testing
