// The BreakoutRooms feature of a Teams meeting call, with the shipped SDK's names.
//
// Threading: like every SDK object, it belongs to the CallClient's io_context; listeners and
// completions run there.
#pragma once

#include <breakout/sdk/calling.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace breakout::sdk {

enum class BreakoutRoomState { open, closed };
std::string_view to_string(BreakoutRoomState state);

struct Invitee {
  CommunicationIdentifier identifier;
  bool operator==(const Invitee&) const = default;
};

/// A breakout room as the participant sees it. A snapshot: join() and return_to_main_meeting()
/// act on the feature's current state of the same room.
class BreakoutRoom {
 public:
  const std::string& display_name() const { return display_name_; }
  /// The room's chat thread id, decoded from its join URL; empty when the URL is empty.
  const std::string& thread_id() const { return thread_id_; }
  BreakoutRoomState state() const { return state_; }
  bool auto_move_participant_to_breakout_room() const { return auto_move_; }
  /// Who is assigned to the room; filled for breakout room managers only.
  const std::vector<Invitee>& invitees() const { return invitees_; }
  /// The room's call while the participant is in it (or joining it).
  const std::shared_ptr<Call>& call() const { return call_; }

  using CallCompletion = std::function<void(Result<std::shared_ptr<Call>>)>;
  /// Joins the room: holds the main meeting, joins the room call, raises "join".
  void join(CallCompletion done) const;
  /// Leaves the room for the main meeting, when the organizer allows it.
  void return_to_main_meeting(CallCompletion done) const;

  bool operator==(const BreakoutRoom& o) const {
    return display_name_ == o.display_name_ && thread_id_ == o.thread_id_ && state_ == o.state_ &&
           auto_move_ == o.auto_move_ && invitees_ == o.invitees_ && join_url_ == o.join_url_;
  }

 private:
  friend class BreakoutRoomsCallFeature;
  std::string display_name_;
  std::string thread_id_;
  std::string join_url_;
  BreakoutRoomState state_ = BreakoutRoomState::closed;
  bool auto_move_ = false;
  std::vector<Invitee> invitees_;
  std::shared_ptr<Call> call_;
  std::weak_ptr<BreakoutRoomsCallFeature> feature_;
};

struct BreakoutRoomsSettings {
  bool disable_return_to_main_meeting = false;
  /// ISO 8601 UTC; nullopt when no end time is set.
  std::optional<std::string> room_end_time;
  bool operator==(const BreakoutRoomsSettings&) const = default;
};

/// type "breakoutRooms": all rooms, for managers.
struct BreakoutRoomsEvent {
  std::optional<std::vector<BreakoutRoom>> data;
};
/// type "assignedBreakoutRooms": the assigned room changed (nullopt when unassigned).
struct AssignedBreakoutRoomsEvent {
  std::optional<BreakoutRoom> data;
};
/// type "breakoutRoomsSettings".
struct BreakoutRoomsSettingsEvent {
  std::optional<BreakoutRoomsSettings> data;
};
/// type "join": the participant is joining a room; data is the room's call.
struct JoinBreakoutRoomsEvent {
  std::shared_ptr<Call> data;
};

using BreakoutRoomsEventData =
    std::variant<BreakoutRoomsEvent, AssignedBreakoutRoomsEvent, BreakoutRoomsSettingsEvent, JoinBreakoutRoomsEvent>;

/// "breakoutRooms", "assignedBreakoutRooms", "breakoutRoomsSettings" or "join".
std::string_view event_type(const BreakoutRoomsEventData& event);

using BreakoutRoomsUpdatedListener = std::function<void(const BreakoutRoomsEventData&)>;

/// An automatic action (auto-move, return on close, re-assignment) failed; there is no caller to
/// hand the error to, so it is reported here.
struct AutomaticActionFailed {
  /// "autoMove", "returnOnClose", "reassignment", "unassignment" or "readDetails".
  std::string action;
  CallError error;
};

class BreakoutRoomsCallFeature : public std::enable_shared_from_this<BreakoutRoomsCallFeature> {
 public:
  /// All rooms, for Microsoft 365 Organizers, Co-organizers and breakout room managers; nullopt
  /// for everyone else.
  const std::optional<std::vector<BreakoutRoom>>& breakout_rooms() const { return breakout_rooms_; }
  const std::optional<BreakoutRoom>& assigned_breakout_rooms() const { return assigned_; }
  const std::optional<BreakoutRoomsSettings>& breakout_rooms_settings() const { return settings_; }

  /// Subscribes to "breakoutRoomsUpdated"; any other name fails with 422/46252.
  Result<ListenerId> on(std::string_view event, BreakoutRoomsUpdatedListener listener);
  /// Unsubscribes; an unknown event name fails with 422/46253. After off(), that listener gets
  /// nothing more.
  Result<void> off(std::string_view event, ListenerId id);

  /// Errors of automatic actions.
  ListenerId on_automatic_action_failed(std::function<void(const AutomaticActionFailed&)> listener);
  bool off_automatic_action_failed(ListenerId id);

  BreakoutRoomsCallFeature(std::weak_ptr<CallAgent> agent, std::weak_ptr<Call> main_call, clock::Clock& clock,
                           BreakoutRoomsOptions options);
  ~BreakoutRoomsCallFeature();

 private:
  friend class BreakoutRoom;
  friend class Call;

  struct RoomData {
    std::string name;
    std::string join_url;
    std::string thread_id;
    bool open = false;
    bool auto_move = false;
    std::vector<std::string> invitees;
    bool operator==(const RoomData&) const = default;
  };

  void on_details(std::uint64_t seq, const protocol::Json& details);
  void on_settings(std::uint64_t seq, const protocol::Json& meeting_details, const protocol::Json& additional_data);
  void join_room(const std::string& join_url, BreakoutRoom::CallCompletion done);
  void return_to_main(BreakoutRoom::CallCompletion done);
  /// The leave of a return that was allowed.
  void leave_for_return(BreakoutRoom::CallCompletion done);
  /// Whether a room call may be hung up / the main call resumed by the app now (46261 if not).
  std::optional<CallError> check_leave_allowed() const;
  /// Moves the participant as the (changed) assignment requires.
  void react_to_assignment();
  void consider_auto_move();
  void defer(std::function<void()> fn);
  void fail_later(BreakoutRoom::CallCompletion done, CallError error);
  void schedule_auto_move();
  void cancel_auto_move();
  void schedule_return_on_close();
  void cancel_return_on_close();
  void leave_room(std::string action, int hang_up_sub_code, std::function<void(Result<void>)> done);
  void report(std::string action, CallError error);
  void emit(const BreakoutRoomsEventData& event);
  BreakoutRoom snapshot(const RoomData& data, bool with_call) const;
  void refresh_views();
  void room_call_ended(const std::shared_ptr<Call>& call);
  /// The main meeting call ended: nothing automatic happens any more.
  void main_call_ended();
  /// The room of this join URL as currently known, open or not; null when unknown.
  const RoomData* known_room(const std::string& join_url) const;

  std::weak_ptr<CallAgent> agent_;
  std::weak_ptr<Call> main_call_;
  clock::Clock& clock_;
  BreakoutRoomsOptions options_;

  std::uint64_t details_seq_ = 0;
  std::uint64_t settings_seq_ = 0;
  std::optional<RoomData> assigned_data_;
  std::optional<std::vector<RoomData>> all_rooms_data_;

  std::optional<BreakoutRoom> assigned_;
  std::optional<std::vector<BreakoutRoom>> breakout_rooms_;
  std::optional<BreakoutRoomsSettings> settings_;

  std::shared_ptr<Call> room_call_;
  std::string room_call_url_;
  bool joining_ = false;
  std::vector<BreakoutRoom::CallCompletion> join_waiters_;
  bool leaving_ = false;
  /// Who waits for the leave in flight (its starter first): each gets its result.
  std::vector<std::function<void(Result<void>)>> leave_waiters_;
  std::optional<clock::TimerId> auto_move_timer_;
  /// Breakout rooms events being delivered now (a listener's callback may be running).
  int delivering_ = 0;
  /// The room (its join URL) the scheduled auto-move is for: its delay counts from when that room
  /// became the one to move to (BR-MOVE-8).
  std::string auto_move_url_;
  std::optional<clock::TimerId> return_timer_;

  EventSource<BreakoutRoomsEventData> updated_;
  EventSource<AutomaticActionFailed> automatic_failed_;
};

}  // namespace breakout::sdk
