// CallClient → CallAgent → Call: the calling objects, named after the shipped SDK's.
//
// Threading: every object here belongs to the io_context given to CallClient. Call them from
// that io_context's thread only; every callback and event listener runs on it too.
#pragma once

#include <breakout/protocol/clock.hpp>
#include <breakout/sdk/errors.hpp>
#include <breakout/sdk/event.hpp>
#include <breakout/sdk/transport.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace breakout::sdk {

class Connection;
class CallAgent;
class BreakoutRoomsCallFeature;

enum class CallState { None, Connecting, Ringing, Connected, LocalHold, RemoteHold, InLobby, Disconnecting, Disconnected, EarlyMedia };
std::string_view to_string(CallState state);

enum class ConnectionState { Connected, Disconnected };
std::string_view to_string(ConnectionState state);

/// Why the agent disconnected: "invalidToken" or "connectionIssue".
enum class ConnectionStateReason { invalid_token, connection_issue };
std::string_view to_string(ConnectionStateReason reason);

struct ConnectionStateChangedEvent {
  ConnectionState new_value;
  ConnectionState old_value;
  std::optional<ConnectionStateReason> reason;
};

/// What kind of call this is, as the service says when it is joined.
enum class CallKind { unknown, teams_meeting, room, one_to_one, group, one_to_one_teams_interop, group_teams_interop };
std::string_view to_string(CallKind kind);

/// A Communication Services user ("8:acs:...") or a Microsoft 365 user ("8:orgid:...").
struct CommunicationIdentifier {
  std::string raw_id;
  bool is_microsoft_teams_user() const { return raw_id.rfind("8:orgid:", 0) == 0; }
  bool operator==(const CommunicationIdentifier&) const = default;
};

struct RemoteParticipant {
  CommunicationIdentifier identifier;
  std::string display_name;
};

struct CallInfo {
  std::string thread_id;
};

/// Timings of the SDK's automatic actions; virtual under the harness.
struct BreakoutRoomsOptions {
  /// How long after the assigned room opens (with auto-move on) the client joins it.
  clock::Duration auto_move_delay = std::chrono::milliseconds(3000);
  /// How long after the assigned room closes the client hangs up the room call and returns.
  clock::Duration hang_up_delay = std::chrono::milliseconds(5000);
};

/// How a lost connection is retried before the agent gives up with connectionIssue.
struct ReconnectPolicy {
  int max_attempts = 4;
  clock::Duration initial_backoff = std::chrono::milliseconds(1000);
  /// Each retry waits this many times longer than the one before.
  int backoff_multiplier = 2;
};

struct CallClientOptions {
  /// Opens connections to the service; websocket_transport() for a real one.
  TransportFactory transport;
  BreakoutRoomsOptions breakout_rooms;
  ReconnectPolicy reconnect;
  /// A request the service has not answered by then fails with 408 (the reply may never come).
  clock::Duration request_timeout = std::chrono::seconds(30);
};

struct CallAgentOptions {
  std::string display_name;
};

struct TeamsMeetingLinkLocator {
  std::string meeting_link;
};

/// Selects the breakout-rooms feature in Call::feature().
struct BreakoutRoomsFeatureTag {};
namespace Features {
inline constexpr BreakoutRoomsFeatureTag BreakoutRooms{};
}

/// A call leg: the main meeting, or a breakout room's call.
class Call : public std::enable_shared_from_this<Call> {
 public:
  using Completion = std::function<void(Result<void>)>;

  /// The service's id for this call; empty until the service has accepted the join.
  const std::string& id() const { return id_; }
  CallState state() const { return state_; }
  CallKind kind() const { return kind_; }
  /// The participant's role in this call ("Organizer", "Co-organizer", "Presenter", "Attendee", "Unknown").
  const std::string& role() const { return role_; }
  const CallInfo& info() const { return info_; }
  const std::vector<RemoteParticipant>& remote_participants() const { return remote_participants_; }
  /// Why the call ended, once it is Disconnected.
  const std::optional<CallError>& call_end_reason() const { return end_reason_; }
  /// True for a breakout room's call.
  bool is_breakout_room_call() const { return is_room_; }

  /// Listens to every state change ("stateChanged"); the listener gets the old and new state.
  ListenerId on_state_changed(std::function<void(CallState old_state, CallState new_state)> listener);
  bool off_state_changed(ListenerId id);
  /// Listens to changes of remote_participants() ("remoteParticipantsUpdated").
  ListenerId on_remote_participants_updated(std::function<void()> listener);
  bool off_remote_participants_updated(ListenerId id);

  void hold(Completion done);
  /// Resumes a call on LocalHold.
  void resume(Completion done);
  void hang_up(Completion done);

  /// The breakout-rooms feature of a Teams meeting call. 400/46250 for any other kind of call,
  /// 405/46251 when the service has the feature turned off.
  Result<std::shared_ptr<BreakoutRoomsCallFeature>> feature(BreakoutRoomsFeatureTag);

  Call(std::shared_ptr<Connection> connection, bool is_room);
  ~Call();

 private:
  friend class CallAgent;
  friend class BreakoutRoomsCallFeature;

  void set_state(CallState state);
  void end(std::optional<CallError> reason);
  /// The service's side of this call changed.
  void on_service_message(const protocol::ServerMessage& message);
  /// Joins with the given request; the call goes Connecting, then Connected or Disconnected.
  void start_join(protocol::RequestParams request, std::function<void(Result<void>)> done);
  /// Sends hold or resume when the call is in `from`, and moves it to `to` on success.
  void change_hold(protocol::RequestParams request, CallState from, CallState to, const char* refusal, Completion done);
  void plain_hold(Completion done);
  void plain_resume(Completion done);
  void plain_hang_up(Completion done);
  /// Ends the call here at once and tells the service to hang it up, whatever it answers: for a
  /// call that has nothing left to be part of (its meeting ended while it connected).
  void abandon(CallError reason);

  std::shared_ptr<Connection> connection_;
  bool is_room_;
  std::string id_;
  CallState state_ = CallState::None;
  CallKind kind_ = CallKind::unknown;
  std::string role_ = "Unknown";
  CallInfo info_;
  bool breakout_rooms_enabled_ = true;
  std::vector<RemoteParticipant> remote_participants_;
  std::optional<CallError> end_reason_;
  EventSource<CallState, CallState> state_changed_;
  EventSource<> remote_participants_updated_;
  std::shared_ptr<BreakoutRoomsCallFeature> breakout_rooms_;
  /// For a room call: the main call's feature, which decides whether the room may be left.
  std::weak_ptr<BreakoutRoomsCallFeature> owner_feature_;
};

/// Connects to the service with one identity and joins calls.
class CallAgent : public std::enable_shared_from_this<CallAgent> {
 public:
  const std::string& display_name() const { return display_name_; }
  ConnectionState connection_state() const { return connection_state_; }
  /// The identifier the service knows this user by.
  const CommunicationIdentifier& identifier() const { return identifier_; }

  ListenerId on_connection_state_changed(std::function<void(const ConnectionStateChangedEvent&)> listener);
  bool off_connection_state_changed(ListenerId id);

  /// Joins a Teams meeting. The Call is returned at once, in state Connecting; it goes Connected
  /// or Disconnected (with call_end_reason) when the service answers.
  std::shared_ptr<Call> join(const TeamsMeetingLinkLocator& locator);
  const std::vector<std::shared_ptr<Call>>& calls() const { return calls_; }

  /// Disconnects from the service; every call ends.
  void dispose();

  CallAgent(boost::asio::io_context& io, clock::Clock& clock, const CallClientOptions& options,
            std::string token, CallAgentOptions agent_options);
  ~CallAgent();

 private:
  friend class CallClient;
  friend class BreakoutRoomsCallFeature;

  void start(std::function<void(Result<std::shared_ptr<CallAgent>>)> done);
  void route(const protocol::ServerMessage& message);
  void on_connection_lost(ConnectionStateReason reason);
  void register_call(const std::shared_ptr<Call>& call);
  /// A new, not yet joined, breakout room call; the feature joins it.
  std::shared_ptr<Call> make_room_call();

  boost::asio::io_context& io_;
  clock::Clock& clock_;
  CallClientOptions options_;
  std::string display_name_;
  CommunicationIdentifier identifier_;
  ConnectionState connection_state_ = ConnectionState::Disconnected;
  std::shared_ptr<Connection> connection_;
  std::vector<std::shared_ptr<Call>> calls_;
  EventSource<ConnectionStateChangedEvent> connection_state_changed_;
  bool disposed_ = false;
};

/// The entry point: makes CallAgents. Holds the io_context, clock and options they share.
class CallClient {
 public:
  CallClient(boost::asio::io_context& io, clock::Clock& clock, CallClientOptions options);

  /// Connects with the token. The callback gets the agent once the service has admitted it, or
  /// 401 (invalidToken) / 503 (connectionIssue) errors.
  void create_call_agent(std::string token, CallAgentOptions options,
                         std::function<void(Result<std::shared_ptr<CallAgent>>)> done);

 private:
  boost::asio::io_context& io_;
  clock::Clock& clock_;
  CallClientOptions options_;
};

}  // namespace breakout::sdk
