// The Teams side as data: a meeting, its participants and call legs, rooms, assignments, settings.
#pragma once

#include <breakout/mock_server/actions.hpp>
#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/expected.hpp>
#include <breakout/protocol/messages.hpp>

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

namespace breakout::mock {

enum class CallKind { teams_meeting, room, one_to_one, group, one_to_one_teams_interop, group_teams_interop };
enum class IdentityKind { communication_user, microsoft_365 };

std::string_view to_string(CallKind kind);
std::optional<CallKind> call_kind_from_string(std::string_view text);
/// The M365 roles a participant can have ("Organizer", "Co-organizer", "Presenter", "Attendee").
const std::vector<std::string_view>& role_names();

/// Caps on what one client, or the control endpoint, can make a meeting hold.
inline constexpr std::size_t kMaxLegsPerParticipant = 16;
inline constexpr std::size_t kMaxRooms = 1000;

struct ParticipantConfig {
  std::string id;
  std::string display_name;
  IdentityKind identity = IdentityKind::communication_user;
  std::string role = "Attendee";
  /// The token this participant connects with; empty means "token-<id>".
  std::string token;
  /// Listed in the meeting's breakout-room-manager list.
  bool breakout_room_manager = false;
};

struct RoomConfig {
  std::string id;
  std::string name;
  bool auto_move = true;
  bool open = false;
  std::vector<std::string> participants;
};

struct MeetingConfig {
  CallKind kind = CallKind::teams_meeting;
  std::string thread_id = "19:meeting_main@thread.v2";
  std::vector<ParticipantConfig> participants;
  std::vector<RoomConfig> rooms;
  bool disable_return_to_main_meeting = false;
  bool breakout_rooms_enabled = true;
  /// Whether participants are told who comes into and leaves their calls (participantsUpdate).
  /// Off for meetings of thousands, where everyone being told about everyone dominates.
  bool roster_updates = true;
};

/// The identifier the service gives a participant ("8:orgid:alice" or "8:acs:alice").
std::string identifier_of(const ParticipantConfig& p);

/// One meeting's state and rules. Everything it says to participants goes through the outbox,
/// in order; the caller delivers it. Single-threaded: call it from the server's io_context.
class Meeting {
 public:
  using Outbox = std::function<void(const std::string& participant_id, const protocol::ServerMessage&)>;

  Meeting(MeetingConfig config, clock::Clock& clock, Outbox outbox);
  // Participants and indexes point into the meeting's own list of calls, and its timers to the
  // meeting itself: it is neither copied nor moved. The timers may outlive it (the server can
  // outlast its clock's owner): they check `alive_` first.
  Meeting(const Meeting&) = delete;
  Meeting& operator=(const Meeting&) = delete;

  /// The participant a token belongs to; nullopt when the token is unknown or was revoked.
  std::optional<std::string> authenticate(const std::string& token) const;
  const ParticipantConfig* participant(const std::string& id) const;

  void participant_connected(const std::string& participant_id);
  void participant_disconnected(const std::string& participant_id);

  /// Handles one request: its response, then any notifications it causes, go to the outbox.
  void handle(const std::string& participant_id, const protocol::Request& request);

  /// Applies a scripted server action. The error says why it could not be applied.
  Expected<void, std::string> apply(const Action& action);

  /// The room a participant is assigned to now, if any (for scenarios' group references).
  std::optional<std::string> assigned_room(const std::string& participant_id) const;
  /// The participants assigned to a room now, in the order the meeting lists them.
  std::vector<std::string> room_members(const std::string& room_id) const;
  /// A room's display name, if the room exists.
  std::optional<std::string> room_name(const std::string& room_id) const;

  /// The state of every call leg, for inspection: call id → (participant, "main"/room id, state).
  struct LegView {
    std::string call_id;
    std::string participant;
    std::string room;  // empty for the main meeting
    std::string state;
  };
  std::vector<LegView> legs() const;

  /// Refuses the participant's token from now on (expired or revoked).
  Expected<void, std::string> revoke_token(const std::string& participant_id);
  /// Sends the participant a localParticipantUpdate whose breakout details cannot be read.
  Expected<void, std::string> send_unreadable_details(const std::string& participant_id);
  Expected<void, std::string> resend_details(const std::string& participant_id, bool previous);

 private:
  struct Room {
    std::string id;
    std::string name;
    std::string thread_id;
    bool open = false;
    bool auto_move = true;
    std::optional<std::string> join_url_override;
  };
  /// What a publish sends everyone alike: the settings, and those encoded once.
  struct SharedView {
    protocol::MeetingBreakoutSettings settings;
    std::shared_ptr<const protocol::EncodedSettings> encoded;
  };
  struct Leg;
  struct Participant {
    ParticipantConfig config;
    std::optional<std::string> assigned_room;
    std::uint64_t details_seq = 0;
    std::uint64_t settings_seq = 0;
    std::optional<protocol::MainMeetingProperties> last_details;
    /// The last two details messages sent, for stale and duplicate re-sends.
    std::vector<protocol::LocalParticipantUpdate> sent_details;
    /// The settings last sent (shared with everyone else who was sent the same).
    std::shared_ptr<const SharedView> last_settings;
    bool connected = false;
    std::uint64_t calls_made = 0;
    /// The participant's call in the main meeting, if any, and how many calls they hold.
    Leg* main_leg = nullptr;
    std::size_t legs_held = 0;
  };
  /// Someone came into or left a call's thread: the others on it are told, the newcomer told everyone there.
  struct RosterChange {
    std::string thread_id;
    std::string participant;
    std::string call_id;
    bool joined = true;
  };
  struct Leg {
    std::string call_id;
    std::string participant;
    std::string room;  // empty for the main meeting
    std::string thread_id;
    std::string state;
  };
  struct InjectedFailure {
    std::string method;
    std::optional<std::string> participant;
    int remaining;
    protocol::ErrorBody error;
  };

  protocol::Response respond(const std::string& pid, const protocol::Request& request);
  std::optional<protocol::ErrorBody> take_injected_failure(const std::string& pid, std::string_view method);
  Participant* find(const std::string& pid);
  Room* find_room(const std::string& room_id);
  const Room* find_room(const std::string& room_id) const;
  Leg* find_leg(const std::string& pid, const std::string& call_id);
  const Leg* main_leg(const std::string& pid) const;
  /// The only ways legs come and go, so that the indexes below stay true.
  Leg& add_leg(Leg leg);
  void remove_leg(Leg& leg);
  void clear_legs();
  bool is_manager(const Participant& p) const;
  protocol::WireRoom wire_room(const Room& room, std::vector<std::string> invitees) const;
  protocol::MainMeetingProperties details_for(const Participant& p) const;
  protocol::MeetingBreakoutSettings settings_for() const;
  /// Sends every participant in the meeting whatever of their breakout view changed.
  void publish();
  /// The same for these participants only (and every breakout room manager when asked): what
  /// changed cannot concern anyone else, and a meeting of a thousand need not look at all.
  void publish_to(const std::vector<std::string>& participant_ids, bool managers_too);
  /// The settings as they are now. The same object as long as they do not change, so that a
  /// participant who has been sent them is told apart by a pointer comparison.
  std::shared_ptr<const SharedView> shared_view();
  void publish_one(Participant& p, const Leg* main, const std::shared_ptr<const SharedView>& view);
  /// Notes a roster change for everyone it concerns; flush_roster() tells them.
  void publish_participants(const RosterChange& change);
  /// Sends each call's coalesced roster changes, one participantsUpdate per call (docs/protocol.md).
  void flush_roster();
  std::string new_call_id(Participant& p);
  void schedule_room_end();

  MeetingConfig config_;
  clock::Clock& clock_;
  Outbox outbox_;
  std::vector<Room> rooms_;
  std::vector<Participant> participants_;
  std::unordered_map<std::string, std::size_t> participant_index_;
  std::unordered_map<std::string, std::string> token_index_;
  /// Every call, in the order they were made (a list: legs are found through the indexes below,
  /// which hold their addresses).
  std::list<Leg> legs_;
  std::unordered_map<std::string, std::list<Leg>::iterator> leg_by_call_;
  /// The legs on each thread, in the order they were made: who is told of a roster change.
  std::unordered_map<std::string, std::vector<Leg*>> legs_by_thread_;
  std::vector<InjectedFailure> failures_;
  std::vector<std::string> revoked_tokens_;
  std::vector<RosterChange> roster_changes_;
  /// What each call (by call id) is still to be told of its roster: per participant (by their
  /// place in the meeting's list), how many
  /// times they came (+) or left (-) since the call was last told; and whether the call is yet to
  /// get its first list. Sent together once nothing else is under way (a zero-delay timer), so that
  /// a thousand joining at once tell each other in a thousand messages, not a million.
  struct PendingRoster {
    std::string participant;
    bool first = false;
    std::unordered_map<std::size_t, int> net;
  };
  std::map<std::string, PendingRoster> roster_pending_;
  std::optional<clock::TimerId> roster_timer_;
  std::shared_ptr<void> alive_ = std::make_shared<int>(0);
  std::optional<clock::TimePoint> room_end_;
  std::optional<clock::TimerId> room_end_timer_;
  bool disable_return_ = false;
  std::shared_ptr<const SharedView> view_;
};

}  // namespace breakout::mock
