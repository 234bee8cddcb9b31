// CallClient, CallAgent and Call.
#include <breakout/sdk/breakout_rooms.hpp>
#include <breakout/sdk/calling.hpp>

#include "connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace breakout::sdk {
namespace {

constexpr std::array<std::string_view, 10> kCallStates = {
    "None", "Connecting", "Ringing", "Connected", "LocalHold", "RemoteHold", "InLobby", "Disconnecting", "Disconnected", "EarlyMedia"};

std::optional<CallState> call_state_from_string(std::string_view text) {
  for (std::size_t i = 0; i < kCallStates.size(); ++i)
    if (kCallStates[i] == text) return static_cast<CallState>(i);
  return std::nullopt;
}

CallKind call_kind_from_wire(std::string_view text) {
  if (text == "teamsMeeting") return CallKind::teams_meeting;
  if (text == "room") return CallKind::room;
  if (text == "oneToOne") return CallKind::one_to_one;
  if (text == "group") return CallKind::group;
  if (text == "oneToOneTeamsInterop") return CallKind::one_to_one_teams_interop;
  if (text == "groupTeamsInterop") return CallKind::group_teams_interop;
  return CallKind::unknown;
}

/// Runs a completion later on the io_context, never from inside the call that was given it.
template <class F>
void later(Connection& connection, F&& fn) {
  boost::asio::post(connection.io(), std::forward<F>(fn));
}

}  // namespace

std::string_view to_string(CallState state) { return kCallStates[static_cast<std::size_t>(state)]; }

std::string_view to_string(ConnectionState state) {
  return state == ConnectionState::Connected ? "Connected" : "Disconnected";
}

std::string_view to_string(ConnectionStateReason reason) {
  return reason == ConnectionStateReason::invalid_token ? "invalidToken" : "connectionIssue";
}

std::string_view to_string(CallKind kind) {
  switch (kind) {
    case CallKind::teams_meeting: return "teamsMeeting";
    case CallKind::room: return "room";
    case CallKind::one_to_one: return "oneToOne";
    case CallKind::group: return "group";
    case CallKind::one_to_one_teams_interop: return "oneToOneTeamsInterop";
    case CallKind::group_teams_interop: return "groupTeamsInterop";
    case CallKind::unknown: break;
  }
  return "unknown";
}

// ---- Call ------------------------------------------------------------------------------------

Call::Call(std::shared_ptr<Connection> connection, bool is_room) : connection_(std::move(connection)), is_room_(is_room) {}

Call::~Call() = default;

ListenerId Call::on_state_changed(std::function<void(CallState, CallState)> listener) {
  return state_changed_.add([listener = std::move(listener)](const CallState& o, const CallState& n) { listener(o, n); });
}
bool Call::off_state_changed(ListenerId id) { return state_changed_.remove(id); }

ListenerId Call::on_remote_participants_updated(std::function<void()> listener) {
  return remote_participants_updated_.add(std::move(listener));
}
bool Call::off_remote_participants_updated(ListenerId id) { return remote_participants_updated_.remove(id); }

void Call::set_state(CallState state) {
  if (state == state_) return;
  CallState old = state_;
  state_ = state;
  state_changed_.emit(old, state);
}

void Call::end(std::optional<CallError> reason) {
  if (state_ == CallState::Disconnected) return;
  end_reason_ = std::move(reason);
  set_state(CallState::Disconnected);
  if (auto feature = owner_feature_.lock()) feature->room_call_ended(shared_from_this());
  if (breakout_rooms_) breakout_rooms_->main_call_ended();
}

void Call::start_join(protocol::RequestParams request, std::function<void(Result<void>)> done) {
  set_state(CallState::Connecting);
  std::weak_ptr<Call> weak = weak_from_this();
  connection_->request(std::move(request), [weak, done = std::move(done)](Expected<protocol::Json, protocol::ErrorBody> reply) {
    auto self = weak.lock();
    if (!self) return;
    if (!reply) {
      CallError error = service_error(reply.error());
      self->end(error);
      done(unexpected(error));
      return;
    }
    auto result = protocol::decode_join_result(*reply);
    if (!result) {
      CallError error{500, 0, ResultCategory::unexpected_server_error, "unreadable join result: " + result.error().to_string(), std::nullopt};
      self->end(error);
      done(unexpected(error));
      return;
    }
    self->id_ = result->call_id;
    self->info_.thread_id = result->thread_id;
    self->kind_ = call_kind_from_wire(result->call_kind);
    self->role_ = result->role;
    if (auto it = reply->find("breakoutRoomsEnabled"); it != reply->end() && it->is_boolean())
      self->breakout_rooms_enabled_ = it->get<bool>();
    self->set_state(CallState::Connected);
    done({});
  });
}

void Call::change_hold(protocol::RequestParams request, CallState from, CallState to, const char* refusal, Completion done) {
  if (state_ != from) {
    later(*connection_, [done = std::move(done), refusal] {
      done(unexpected(CallError{400, 0, ResultCategory::expected_error, refusal, std::nullopt}));
    });
    return;
  }
  std::weak_ptr<Call> weak = weak_from_this();
  connection_->request(std::move(request), [weak, to, done = std::move(done)](auto reply) {
    auto self = weak.lock();
    if (!self) return;
    // The call ended while the request was in flight (the meeting ended, say): a late answer
    // brings nothing back to life (BR-RACE-1).
    if (self->state_ == CallState::Disconnected)
      return done(unexpected(CallError{410, 0, ResultCategory::expected_error, "the call ended before the service answered", std::nullopt}));
    if (!reply) return done(unexpected(service_error(reply.error())));
    self->set_state(to);
    done({});
  });
}

void Call::plain_hold(Completion done) {
  change_hold(protocol::Hold{id_}, CallState::Connected, CallState::LocalHold, "the call is not connected", std::move(done));
}

void Call::plain_resume(Completion done) {
  change_hold(protocol::Resume{id_}, CallState::LocalHold, CallState::Connected, "the call is not on hold", std::move(done));
}

void Call::plain_hang_up(Completion done) {
  if (state_ == CallState::Disconnected || id_.empty()) {
    later(*connection_, [done = std::move(done)] { done(unexpected(CallError{400, 0, ResultCategory::expected_error, "the call is not active", std::nullopt})); });
    return;
  }
  CallState before = state_;
  set_state(CallState::Disconnecting);
  std::weak_ptr<Call> weak = weak_from_this();
  connection_->request(protocol::HangUp{id_}, [weak, before, done = std::move(done)](auto reply) {
    auto self = weak.lock();
    if (!self) return;
    if (self->state_ == CallState::Disconnected) return done({});  // it ended meanwhile: nothing left to hang up
    if (!reply) {
      self->set_state(before);
      return done(unexpected(service_error(reply.error())));
    }
    self->end(std::nullopt);
    done({});
  });
}

void Call::abandon(CallError reason) {
  if (state_ == CallState::Disconnected) return;
  if (!id_.empty()) connection_->request(protocol::HangUp{id_}, [](auto) {});
  end(std::move(reason));
}

void Call::hold(Completion done) { plain_hold(std::move(done)); }

void Call::resume(Completion done) {
  // Resuming the main meeting while in a room is leaving the room early: the organizer may forbid it.
  if (breakout_rooms_) {
    if (auto refused = breakout_rooms_->check_leave_allowed()) {
      later(*connection_, [done = std::move(done), e = *refused] { done(unexpected(e)); });
      return;
    }
  }
  plain_resume(std::move(done));
}

void Call::hang_up(Completion done) {
  if (auto feature = owner_feature_.lock()) {
    if (auto refused = feature->check_leave_allowed()) {
      later(*connection_, [done = std::move(done), e = *refused] { done(unexpected(e)); });
      return;
    }
  }
  plain_hang_up(std::move(done));
}

Result<std::shared_ptr<BreakoutRoomsCallFeature>> Call::feature(BreakoutRoomsFeatureTag) {
  if (is_room_ || !breakout_rooms_)
    return unexpected(breakout_error(subcode::not_a_teams_meeting, "a breakout room's call has no breakout rooms"));
  if (kind_ != CallKind::unknown && kind_ != CallKind::teams_meeting)
    return unexpected(breakout_error(subcode::not_a_teams_meeting, "this call is a " + std::string(to_string(kind_)) + " call"));
  if (!breakout_rooms_enabled_) return unexpected(breakout_error(subcode::feature_disabled));
  return breakout_rooms_;
}

void Call::on_service_message(const protocol::ServerMessage& message) {
  if (auto* update = std::get_if<protocol::CallStateUpdate>(&message)) {
    auto state = call_state_from_string(update->state);
    if (!state) return;
    if (*state == CallState::Disconnected) {
      end(update->end_reason ? std::optional(service_error(*update->end_reason)) : std::nullopt);
    } else {
      set_state(*state);
    }
  } else if (auto* participants = std::get_if<protocol::ParticipantsUpdate>(&message)) {
    // Changes, not the whole list: who left, then who came (someone already listed is updated).
    // Linear in the update and the list, however large the meeting: the first list of a call in
    // a meeting of a thousand names everyone.
    if (!participants->removed.empty()) {
      std::unordered_set<std::string_view> gone(participants->removed.begin(), participants->removed.end());
      std::erase_if(remote_participants_, [&](const RemoteParticipant& r) { return gone.count(r.identifier.raw_id) > 0; });
    }
    // Reserved first: the index holds views of the listed ids, which must not move.
    remote_participants_.reserve(remote_participants_.size() + participants->added.size());
    std::unordered_map<std::string_view, std::size_t> at;
    at.reserve(remote_participants_.size() + participants->added.size());
    for (std::size_t i = 0; i < remote_participants_.size(); ++i) at.emplace(remote_participants_[i].identifier.raw_id, i);
    for (const auto& p : participants->added) {
      if (auto it = at.find(p.id); it != at.end()) {
        remote_participants_[it->second].display_name = p.display_name;
      } else {
        at.emplace(p.id, remote_participants_.size());
        remote_participants_.push_back({{p.id}, p.display_name});
      }
    }
    remote_participants_updated_.emit();
  } else if (!breakout_rooms_enabled_) {
    // BR-FEAT-2: a call joined while the service had the feature off has no breakout rooms.
    return;
  } else if (auto* details = std::get_if<protocol::LocalParticipantUpdate>(&message)) {
    if (breakout_rooms_) breakout_rooms_->on_details(details->sequence_number, details->breakout_details);
  } else if (auto* conversation = std::get_if<protocol::ConversationUpdate>(&message)) {
    if (breakout_rooms_)
      breakout_rooms_->on_settings(conversation->sequence_number, conversation->meeting_details, conversation->additional_data);
  }
}

// ---- CallAgent -------------------------------------------------------------------------------

CallAgent::CallAgent(boost::asio::io_context& io, clock::Clock& clock, const CallClientOptions& options,
                     std::string token, CallAgentOptions agent_options)
    : io_(io), clock_(clock), options_(options), display_name_(std::move(agent_options.display_name)),
      connection_(std::make_shared<Connection>(io, clock, options.transport, std::move(token), options.reconnect,
                                               options.request_timeout)) {}

CallAgent::~CallAgent() { connection_->close(); }

ListenerId CallAgent::on_connection_state_changed(std::function<void(const ConnectionStateChangedEvent&)> listener) {
  return connection_state_changed_.add(std::move(listener));
}
bool CallAgent::off_connection_state_changed(ListenerId id) { return connection_state_changed_.remove(id); }

void CallAgent::start(std::function<void(Result<std::shared_ptr<CallAgent>>)> done) {
  std::weak_ptr<CallAgent> weak = weak_from_this();
  auto pending = std::make_shared<std::function<void(Result<std::shared_ptr<CallAgent>>)>>(std::move(done));
  connection_->start(Connection::Handlers{
      [weak, pending](const protocol::Welcome& welcome) {
        auto self = weak.lock();
        if (!self) return;
        self->identifier_ = {welcome.identity.id};
        // The agent is handed out already Connected; reconnects keep it Connected (BR-CONN-3).
        if (!self->disposed_) self->connection_state_ = ConnectionState::Connected;
        if (*pending) std::exchange(*pending, nullptr)(self);
      },
      [weak](const protocol::ServerMessage& message) {
        if (auto self = weak.lock()) self->route(message);
      },
      [weak, pending](ConnectionStateReason reason) {
        auto self = weak.lock();
        if (!self) return;
        if (*pending) {
          int code = reason == ConnectionStateReason::invalid_token ? 401 : 503;
          std::string text = reason == ConnectionStateReason::invalid_token ? "the token is invalid or expired"
                                                                            : "could not connect to the service";
          std::exchange(*pending, nullptr)(unexpected(CallError{code, 0, ResultCategory::expected_error, text, std::nullopt}));
          return;
        }
        self->on_connection_lost(reason);
      },
  });
}

void CallAgent::route(const protocol::ServerMessage& message) {
  const std::string* call_id = std::visit(
      [](const auto& m) -> const std::string* {
        if constexpr (requires { m.call_id; }) return &m.call_id;
        else return nullptr;
      },
      message);
  if (!call_id) return;
  for (const auto& call : std::vector<std::shared_ptr<Call>>(calls_)) {
    if (call->id() == *call_id) {
      call->on_service_message(message);
      return;
    }
  }
}

void CallAgent::on_connection_lost(ConnectionStateReason reason) {
  if (connection_state_ == ConnectionState::Connected) {
    connection_state_ = ConnectionState::Disconnected;
    connection_state_changed_.emit({ConnectionState::Disconnected, ConnectionState::Connected, reason});
  }
  CallError error{reason == ConnectionStateReason::invalid_token ? 401 : 503, 0, ResultCategory::unexpected_client_error,
                  reason == ConnectionStateReason::invalid_token ? "the token is invalid or expired"
                                                                 : "the connection to the service was lost",
                  std::nullopt};
  // Room calls first, so the main call's feature sees its room call end before the main call.
  auto calls = calls_;
  std::stable_partition(calls.begin(), calls.end(), [](const auto& c) { return c->is_breakout_room_call(); });
  for (const auto& call : calls) call->end(error);
  calls_.clear();
}

void CallAgent::register_call(const std::shared_ptr<Call>& call) {
  std::erase_if(calls_, [](const auto& c) { return c->state() == CallState::Disconnected; });
  calls_.push_back(call);
}

std::shared_ptr<Call> CallAgent::join(const TeamsMeetingLinkLocator& locator) {
  auto call = std::make_shared<Call>(connection_, false);
  call->breakout_rooms_ = std::make_shared<BreakoutRoomsCallFeature>(weak_from_this(), call, clock_, options_.breakout_rooms);
  register_call(call);
  call->start_join(protocol::JoinMeeting{locator.meeting_link}, [](Result<void>) {});
  return call;
}

std::shared_ptr<Call> CallAgent::make_room_call() {
  auto call = std::make_shared<Call>(connection_, true);
  register_call(call);
  return call;
}

void CallAgent::dispose() {
  if (disposed_) return;
  disposed_ = true;
  connection_->close();
  if (connection_state_ == ConnectionState::Connected) {
    connection_state_ = ConnectionState::Disconnected;
    connection_state_changed_.emit({ConnectionState::Disconnected, ConnectionState::Connected, std::nullopt});
  }
  auto calls = std::move(calls_);
  calls_.clear();
  for (const auto& call : calls) call->end(std::nullopt);
}

// ---- CallClient ------------------------------------------------------------------------------

CallClient::CallClient(boost::asio::io_context& io, clock::Clock& clock, CallClientOptions options)
    : io_(io), clock_(clock), options_(std::move(options)) {}

void CallClient::create_call_agent(std::string token, CallAgentOptions options,
                                   std::function<void(Result<std::shared_ptr<CallAgent>>)> done) {
  auto agent = std::make_shared<CallAgent>(io_, clock_, options_, std::move(token), std::move(options));
  // The completion keeps the agent alive until it has been admitted or refused.
  agent->start([agent, done = std::move(done)](Result<std::shared_ptr<CallAgent>> result) { done(std::move(result)); });
}

}  // namespace breakout::sdk
