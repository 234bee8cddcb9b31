// The breakout-rooms feature: reading breakout details, raising events on change, moving the
// participant between the main meeting and rooms. docs/conformance.md names each rule (BR-*).
#include <breakout/sdk/breakout_rooms.hpp>

#include "connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace breakout::sdk {

std::string_view to_string(BreakoutRoomState state) { return state == BreakoutRoomState::open ? "open" : "closed"; }

std::string_view event_type(const BreakoutRoomsEventData& event) {
  static constexpr std::array<std::string_view, 4> names = {"breakoutRooms", "assignedBreakoutRooms", "breakoutRoomsSettings", "join"};
  return names[event.index()];
}

namespace {
constexpr std::string_view kUpdatedEvent = "breakoutRoomsUpdated";
}

void BreakoutRoom::join(CallCompletion done) const {
  if (auto feature = feature_.lock()) return feature->join_room(join_url_, std::move(done));
  done(unexpected(breakout_error(subcode::no_room_assigned, "the call this room belongs to is gone")));
}

void BreakoutRoom::return_to_main_meeting(CallCompletion done) const {
  if (auto feature = feature_.lock()) return feature->return_to_main(std::move(done));
  done(unexpected(breakout_error(subcode::return_failed, "the call this room belongs to is gone")));
}

BreakoutRoomsCallFeature::BreakoutRoomsCallFeature(std::weak_ptr<CallAgent> agent, std::weak_ptr<Call> main_call,
                                                   clock::Clock& clock, BreakoutRoomsOptions options)
    : agent_(std::move(agent)), main_call_(std::move(main_call)), clock_(clock), options_(options) {}

BreakoutRoomsCallFeature::~BreakoutRoomsCallFeature() {
  cancel_auto_move();
  cancel_return_on_close();
}

Result<ListenerId> BreakoutRoomsCallFeature::on(std::string_view event, BreakoutRoomsUpdatedListener listener) {
  if (event != kUpdatedEvent)
    return unexpected(breakout_error(subcode::subscribe_unknown_event, "'" + std::string(event) + "'"));
  return updated_.add(std::move(listener));
}

Result<void> BreakoutRoomsCallFeature::off(std::string_view event, ListenerId id) {
  if (event != kUpdatedEvent)
    return unexpected(breakout_error(subcode::unsubscribe_unknown_event, "'" + std::string(event) + "'"));
  updated_.remove(id);
  return {};
}

ListenerId BreakoutRoomsCallFeature::on_automatic_action_failed(std::function<void(const AutomaticActionFailed&)> listener) {
  return automatic_failed_.add(std::move(listener));
}

bool BreakoutRoomsCallFeature::off_automatic_action_failed(ListenerId id) { return automatic_failed_.remove(id); }

void BreakoutRoomsCallFeature::emit(const BreakoutRoomsEventData& event) {
  ++delivering_;
  updated_.emit(event);
  --delivering_;
}

void BreakoutRoomsCallFeature::report(std::string action, CallError error) {
  automatic_failed_.emit(AutomaticActionFailed{std::move(action), std::move(error)});
}

BreakoutRoom BreakoutRoomsCallFeature::snapshot(const RoomData& data, bool with_call) const {
  BreakoutRoom room;
  room.display_name_ = data.name;
  room.thread_id_ = data.thread_id;
  room.join_url_ = data.join_url;
  room.state_ = data.open ? BreakoutRoomState::open : BreakoutRoomState::closed;
  room.auto_move_ = data.auto_move;
  for (const auto& id : data.invitees) room.invitees_.push_back(Invitee{{id}});
  if (with_call && room_call_ && room_call_url_ == data.join_url) room.call_ = room_call_;
  room.feature_ = std::const_pointer_cast<BreakoutRoomsCallFeature>(shared_from_this());
  return room;
}

void BreakoutRoomsCallFeature::refresh_views() {
  assigned_.reset();
  if (assigned_data_) assigned_ = snapshot(*assigned_data_, true);
  breakout_rooms_.reset();
  if (all_rooms_data_) {
    breakout_rooms_.emplace();
    for (const auto& r : *all_rooms_data_) breakout_rooms_->push_back(snapshot(r, true));
  }
}

namespace {

/// The SDK's view of a wire room; nullopt when its join URL is not a Teams join URL (46258).
std::optional<std::pair<std::string, std::string>> thread_of(const protocol::WireRoom& room) {
  if (room.meeting_join_url.empty()) return std::pair<std::string, std::string>{"", ""};
  auto thread = protocol::thread_id_from_join_url(room.meeting_join_url);
  if (!thread) return std::nullopt;
  return std::pair<std::string, std::string>{room.meeting_join_url, *thread};
}

}  // namespace

// BR-EVT-*: details replace the previous ones whole; stale or repeated updates change nothing,
// unreadable ones are reported (46258) and change nothing.
void BreakoutRoomsCallFeature::on_details(std::uint64_t seq, const protocol::Json& raw) {
  if (seq <= details_seq_) return;
  details_seq_ = seq;
  auto decoded = protocol::decode_breakout_details(raw);
  if (!decoded) return report("readDetails", breakout_error(subcode::unreadable_details, decoded.error().to_string()));

  auto convert = [](const protocol::WireRoom& w) -> std::optional<RoomData> {
    auto thread = thread_of(w);
    if (!thread) return std::nullopt;
    return RoomData{w.name, thread->first, thread->second, w.is_open, w.allow_move_participants_automatically, w.invitees};
  };
  std::optional<RoomData> assigned;
  if (!decoded->assigned_breakout_rooms.empty()) {
    assigned = convert(decoded->assigned_breakout_rooms.front());
    if (!assigned)
      return report("readDetails", breakout_error(subcode::unreadable_details, "the assigned room's join URL cannot be read"));
  }
  std::optional<std::vector<RoomData>> all;
  if (decoded->all_breakout_rooms) {
    all.emplace();
    for (const auto& w : *decoded->all_breakout_rooms) {
      auto room = convert(w);
      if (!room) return report("readDetails", breakout_error(subcode::unreadable_details, "a room's join URL cannot be read"));
      all->push_back(*room);
    }
  }

  bool assigned_changed = assigned != assigned_data_;
  bool all_changed = all != all_rooms_data_;
  assigned_data_ = std::move(assigned);
  all_rooms_data_ = std::move(all);
  refresh_views();

  if (assigned_changed) {
    emit(AssignedBreakoutRoomsEvent{assigned_});
    react_to_assignment();
  }
  if (all_changed) emit(BreakoutRoomsEvent{breakout_rooms_});
}

void BreakoutRoomsCallFeature::react_to_assignment() {
  const auto& now = assigned_data_;
  if (room_call_) {
    if (joining_) return;  // the join's completion looks at the assignment again
    if (!now) {
      // BR-MOVE-6: unassigned while in a room: back to the main meeting.
      leave_room("unassignment", subcode::hang_up_previous_room_failed, [self = shared_from_this()](Result<void> r) {
        if (!r) self->report("unassignment", r.error());
      });
    } else if (now->join_url != room_call_url_) {
      // BR-MOVE-7: re-assigned while in a room: leave the old room, then the new one by the usual rules.
      leave_room("reassignment", subcode::hang_up_previous_room_failed, [self = shared_from_this()](Result<void> r) {
        if (!r) return self->report("reassignment", r.error());
        self->consider_auto_move();
      });
    } else if (!now->open) {
      schedule_return_on_close();  // BR-MOVE-4
    } else {
      cancel_return_on_close();  // re-opened before the return happened: stay
    }
    return;
  }
  consider_auto_move();
}

void BreakoutRoomsCallFeature::consider_auto_move() {
  if (!room_call_ && assigned_data_ && assigned_data_->open && assigned_data_->auto_move) {
    // BR-MOVE-1; BR-MOVE-8: re-assigned during the delay, the delay starts again for the new room.
    if (auto_move_timer_ && auto_move_url_ != assigned_data_->join_url) cancel_auto_move();
    if (!auto_move_timer_) schedule_auto_move();
  } else {
    cancel_auto_move();
  }
}

void BreakoutRoomsCallFeature::on_settings(std::uint64_t seq, const protocol::Json& meeting_details,
                                           const protocol::Json& additional_data) {
  if (seq <= settings_seq_) return;
  settings_seq_ = seq;
  auto decoded = protocol::decode_meeting_settings(meeting_details, additional_data);
  if (!decoded) return report("readDetails", breakout_error(subcode::unreadable_details, decoded.error().to_string()));
  BreakoutRoomsSettings settings{!decoded->allow_join_back_to_main_meeting, decoded->room_end_time};
  if (settings_ == settings) return;
  settings_ = settings;
  emit(BreakoutRoomsSettingsEvent{settings_});
}

void BreakoutRoomsCallFeature::schedule_auto_move() {
  std::weak_ptr<BreakoutRoomsCallFeature> weak = weak_from_this();
  auto_move_url_ = assigned_data_ ? assigned_data_->join_url : std::string();
  auto_move_timer_ = clock_.schedule(options_.auto_move_delay, [weak] {
    auto self = weak.lock();
    if (!self) return;
    self->auto_move_timer_.reset();
    if (!self->assigned_data_ || self->room_call_) return;
    self->join_room(self->assigned_data_->join_url, [weak](Result<std::shared_ptr<Call>> r) {
      if (auto self = weak.lock(); self && !r) self->report("autoMove", r.error());
    });
  });
}

void BreakoutRoomsCallFeature::cancel_auto_move() {
  if (auto_move_timer_) clock_.cancel(*auto_move_timer_);
  auto_move_timer_.reset();
}

void BreakoutRoomsCallFeature::schedule_return_on_close() {
  if (return_timer_) return;
  std::weak_ptr<BreakoutRoomsCallFeature> weak = weak_from_this();
  return_timer_ = clock_.schedule(options_.hang_up_delay, [weak] {
    auto self = weak.lock();
    if (!self) return;
    self->return_timer_.reset();
    if (!self->room_call_ || self->joining_) return;
    self->leave_room("returnOnClose", subcode::hang_up_room_failed, [weak](Result<void> r) {
      if (auto self = weak.lock(); self && !r) self->report("returnOnClose", r.error());
    });
  });
}

void BreakoutRoomsCallFeature::cancel_return_on_close() {
  if (return_timer_) clock_.cancel(*return_timer_);
  return_timer_.reset();
}

void BreakoutRoomsCallFeature::defer(std::function<void()> fn) {
  if (auto agent = agent_.lock()) boost::asio::post(agent->io_, std::move(fn));
}

void BreakoutRoomsCallFeature::fail_later(BreakoutRoom::CallCompletion done, CallError error) {
  defer([done = std::move(done), error = std::move(error)] { done(unexpected(error)); });
}

// BR-JOIN-*: join() on the assigned room (or, for managers, any room).
void BreakoutRoomsCallFeature::join_room(const std::string& join_url, BreakoutRoom::CallCompletion done) {
  const RoomData* room = known_room(join_url);
  if (!room || join_url.empty())
    return fail_later(std::move(done), breakout_error(subcode::no_room_assigned));
  if (!room->open) return fail_later(std::move(done), breakout_error(subcode::room_closed));

  cancel_auto_move();
  if (room_call_ && room_call_url_ == join_url) {
    // BR-JOIN-5: a second join() never makes a second room call.
    if (joining_) {
      join_waiters_.push_back(std::move(done));
    } else {
      defer([done = std::move(done), call = room_call_] { done(call); });
    }
    return;
  }
  auto agent = agent_.lock();
  auto main = main_call_.lock();
  if (!agent || !main) return fail_later(std::move(done), breakout_error(subcode::join_failed, "the main meeting call is gone"));
  if (room_call_) {
    // In another room (a manager moving between rooms): leave it first.
    std::weak_ptr<BreakoutRoomsCallFeature> weak = weak_from_this();
    leave_room("join", subcode::hang_up_previous_room_failed, [weak, join_url, done = std::move(done)](Result<void> r) mutable {
      auto self = weak.lock();
      if (!self) return;
      if (!r) return done(unexpected(r.error()));
      self->join_room(join_url, std::move(done));
    });
    return;
  }

  joining_ = true;
  room_call_ = agent->make_room_call();
  room_call_->owner_feature_ = weak_from_this();
  room_call_url_ = join_url;
  join_waiters_.push_back(std::move(done));
  std::weak_ptr<BreakoutRoomsCallFeature> weak = weak_from_this();

  auto finish = [weak](Result<std::shared_ptr<Call>> result) {
    auto self = weak.lock();
    if (!self) return;
    auto waiters = std::move(self->join_waiters_);
    self->join_waiters_.clear();
    for (auto& w : waiters) w(result);
  };

  auto enter_room = [weak, join_url, finish]() {
    auto self = weak.lock();
    if (!self || !self->room_call_) return;
    const RoomData* room = self->known_room(join_url);
    if (!room || !room->open) {
      // BR-JOIN-9: the room closed (or went away) while the main meeting was being held: it is not
      // joined, and the main meeting is resumed.
      self->room_call_.reset();
      self->room_call_url_.clear();
      self->joining_ = false;
      self->refresh_views();
      auto main = self->main_call_.lock();
      if (main && main->state() == CallState::LocalHold) main->plain_resume([](Result<void>) {});
      return finish(unexpected(breakout_error(subcode::room_closed, "the room closed while it was being joined")));
    }
    auto call = self->room_call_;
    self->refresh_views();
    self->emit(JoinBreakoutRoomsEvent{call});  // BR-JOIN-3
    call->start_join(protocol::JoinBreakoutRoom{join_url}, [weak, call, join_url, finish](Result<void> r) {
      auto self = weak.lock();
      if (!self) return;
      self->joining_ = false;
      if (!r) {
        // BR-JOIN-4: the room call failed; the main meeting is resumed so nothing is left on hold.
        if (self->room_call_ == call) {
          self->room_call_.reset();
          self->room_call_url_.clear();
          self->refresh_views();
        }
        CallError error = breakout_error(subcode::join_failed, r.error().message, r.error().inner);
        auto main = self->main_call_.lock();
        if (main && main->state() == CallState::LocalHold) main->plain_resume([](Result<void>) {});
        return finish(unexpected(error));
      }
      if (auto main_now = self->main_call_.lock(); !main_now || main_now->state() == CallState::Disconnected) {
        // BR-RACE-5: the meeting ended while the room call connected: there is nothing to be in.
        call->abandon(CallError{410, 0, ResultCategory::expected_error, "the meeting has ended", std::nullopt});
        if (self->room_call_ == call) {
          self->room_call_.reset();
          self->room_call_url_.clear();
        }
        self->refresh_views();
        return finish(unexpected(
            CallError{410, 0, ResultCategory::expected_error, "the meeting ended while the room was being joined", std::nullopt}));
      }
      self->refresh_views();
      finish(call);
      // What changed while joining is acted on now.
      if (!self->assigned_data_ || self->assigned_data_->join_url != join_url || !self->assigned_data_->open) {
        bool is_manager_room = false;
        if (self->all_rooms_data_)
          for (const auto& room : *self->all_rooms_data_)
            if (room.join_url == join_url && room.open) is_manager_room = true;
        if (!is_manager_room) self->react_to_assignment();
      }
    });
  };

  if (main->state() == CallState::Connected) {
    main->plain_hold([weak, enter_room, finish](Result<void> r) {
      auto self = weak.lock();
      if (!self) return;
      if (!r) {
        // BR-JOIN-2: the main meeting could not be held; no room call is made.
        self->room_call_.reset();
        self->room_call_url_.clear();
        self->joining_ = false;
        return finish(unexpected(breakout_error(subcode::hold_main_meeting_failed, r.error().message, r.error().inner)));
      }
      enter_room();
    });
  } else {
    enter_room();
  }
}

std::optional<CallError> BreakoutRoomsCallFeature::check_leave_allowed() const {
  if (!room_call_ || leaving_) return std::nullopt;
  bool room_open = assigned_data_ && assigned_data_->join_url == room_call_url_ && assigned_data_->open;
  if (room_open && settings_ && settings_->disable_return_to_main_meeting)
    return breakout_error(subcode::return_failed, "the organizer does not allow returning to the main meeting early");
  return std::nullopt;
}

// BR-RET-*: returnToMainMeeting().
void BreakoutRoomsCallFeature::return_to_main(BreakoutRoom::CallCompletion done) {
  if (!room_call_) return fail_later(std::move(done), breakout_error(subcode::already_in_main_meeting));
  if (auto refused = check_leave_allowed()) return fail_later(std::move(done), *refused);
  if (joining_) return fail_later(std::move(done), breakout_error(subcode::return_failed, "the room is still being joined"));
  // BR-EVT-9: decided at once; called inside a listener's callback, the leave itself (the room
  // call going Disconnecting) starts after the callback has returned, so every listener has the
  // event first and nothing is raised from inside a callback.
  if (delivering_ > 0) {
    std::weak_ptr<BreakoutRoomsCallFeature> weak = weak_from_this();
    return defer([weak, done = std::move(done)]() mutable {
      if (auto self = weak.lock()) return self->leave_for_return(std::move(done));
      done(unexpected(breakout_error(subcode::return_failed, "the call this room belongs to is gone")));
    });
  }
  leave_for_return(std::move(done));
}

void BreakoutRoomsCallFeature::leave_for_return(BreakoutRoom::CallCompletion done) {
  std::weak_ptr<BreakoutRoomsCallFeature> weak = weak_from_this();
  leave_room("return", subcode::return_failed, [weak, done = std::move(done)](Result<void> r) {
    auto self = weak.lock();
    if (!self) return;
    if (!r) return done(unexpected(r.error()));
    if (auto main = self->main_call_.lock()) return done(main);
    done(unexpected(breakout_error(subcode::return_failed, "the main meeting call is gone")));
  });
}

void BreakoutRoomsCallFeature::leave_room(std::string, int hang_up_sub_code, std::function<void(Result<void>)> done) {
  cancel_return_on_close();
  // A leave already in flight (a return, say) is the one this would start again: wait for it
  // instead of hanging up the same call twice (BR-RACE-3).
  if (leaving_) {
    leave_waiters_.push_back(std::move(done));
    return;
  }
  auto call = room_call_;
  if (!call) return done({});
  leaving_ = true;
  leave_waiters_.push_back(std::move(done));
  std::weak_ptr<BreakoutRoomsCallFeature> weak = weak_from_this();
  auto finish = [weak](Result<void> result) {
    auto self = weak.lock();
    if (!self) return;
    self->leaving_ = false;
    auto waiters = std::move(self->leave_waiters_);
    self->leave_waiters_.clear();
    for (auto& w : waiters) w(result);
  };
  call->plain_hang_up([weak, hang_up_sub_code, finish](Result<void> r) {
    auto self = weak.lock();
    if (!self) return;
    if (!r) return finish(unexpected(breakout_error(hang_up_sub_code, r.error().message, r.error().inner)));
    auto main = self->main_call_.lock();
    if (!main || main->state() != CallState::LocalHold) return finish({});
    main->plain_resume([finish](Result<void> r2) {
      if (!r2) return finish(unexpected(breakout_error(subcode::resume_main_meeting_failed, r2.error().message, r2.error().inner)));
      finish({});
    });
  });
}

void BreakoutRoomsCallFeature::main_call_ended() {
  cancel_auto_move();
  cancel_return_on_close();
}

const BreakoutRoomsCallFeature::RoomData* BreakoutRoomsCallFeature::known_room(const std::string& join_url) const {
  if (assigned_data_ && assigned_data_->join_url == join_url) return &*assigned_data_;
  if (all_rooms_data_)
    for (const auto& r : *all_rooms_data_)
      if (r.join_url == join_url) return &r;
  return nullptr;
}

void BreakoutRoomsCallFeature::room_call_ended(const std::shared_ptr<Call>& call) {
  if (call != room_call_) return;
  room_call_.reset();
  room_call_url_.clear();
  joining_ = false;
  refresh_views();
}

}  // namespace breakout::sdk
