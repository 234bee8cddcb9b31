// The reference model: docs/conformance.md as an executable simulation. Given a story it predicts,
// per participant, every event the SDK raises, at which virtual time and in which order. It is a
// second, independent reading of the rules: it shares no code with the SDK under test, and each
// rule id in it marks the code that implements that rule.
#pragma once

#include <breakout/model/story.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace breakout::model {

using Json = nlohmann::json;

/// One thing a participant observes, as the harness logs it (docs/scenarios.md, "Events"). Fields
/// the model does not predict (a call's id, an error's message) are left out of `data`.
struct Event {
  Ms at = 0;
  std::string participant;
  std::string type;
  Json data;
  /// The listener a breakout rooms event reached: "" for the default one.
  std::string listener;
  /// The step during which it happened.
  int step = -1;
};

/// The simulation of one story, a step at a time. Copyable: the generator tries a step on a copy.
class Simulation {
 public:
  /// Starts the meeting of `story` (its steps are not played): everyone connected and in the main
  /// meeting, the first views and settings known, timers running from time 0.
  explicit Simulation(const Story& story);

  /// Plays one step. False when no rule decides what it must do (then `undecided()` says why and
  /// the simulation must not be used further).
  bool play(const Step& step, int index);

  const std::vector<Event>& events() const { return events_; }
  /// Whether events are kept (the generator, which only asks what a step would do, turns it off:
  /// it copies the simulation for every step it tries).
  void keep_events(bool keep) { keep_events_ = keep; }
  /// Every rule the story exercised.
  const std::set<std::string>& rules() const { return rules_; }
  /// State changes the model made (calls, views, timers, listeners).
  std::size_t transitions() const { return transitions_; }
  const std::string& undecided() const { return undecided_; }
  Ms now() const { return now_; }

  // What the generator asks, to choose steps that matter.
  bool in_room(const std::string& participant) const;
  bool main_held(const std::string& participant) const;
  std::optional<std::string> assigned_room(const std::string& participant) const;
  bool room_open(const std::string& room) const;
  std::vector<std::string> room_ids() const;
  /// Whose next update a delayNext or dropNext is waiting for, if anyone's.
  std::optional<std::string> holding_next() const;
  std::vector<std::string> listeners(const std::string& participant) const;
  /// The virtual times at which a timer of the SDK is due (auto-move, hang-up), soonest first.
  std::vector<Ms> timers() const;

  /// One participant's side, as the SDK should hold it.
  struct Player {
    std::string id;
    /// "8:acs:<id>" or "8:orgid:<id>": how invitee lists name them.
    std::string identifier;
    /// A Microsoft 365 Organizer or Co-organizer: sees every room with its invitees (BR-FEAT-3).
    bool manager = false;
    /// Every room as last raised (managers only; null otherwise), without the `call`s.
    Json all_rooms;
    std::string main = "Connected";
    /// In a room call (connected), and which room.
    bool in_room = false;
    std::string call_room;
    /// The assigned room as last raised (null: none), without its `call`, and its id.
    Json view;
    std::string view_room;
    Json settings;
    std::optional<Ms> auto_move_at;
    std::string auto_move_room;
    std::optional<Ms> hang_up_at;
    /// Subscribed listeners in the order they subscribed ("" is the default one).
    std::vector<std::string> listeners{""};
    /// Calls armed to be made inside a listener's callback, in the order they were armed.
    std::vector<Step> armed;
    /// The connection is gone for good (token expired or revoked): nothing reaches them any more.
    bool gone = false;
    /// The meeting ended for them: no calls left.
    bool ended = false;
    /// A duplicateNext not yet known to be used up, and whether the latest update was unreadable:
    /// what a later unreadable or repeated update does then is left open by the rules.
    int duplicate_pending = 0;  // duplicateNext steps not yet known to be used up
    bool latest_unreadable = false;
    /// Offline after a lost connection, until the SDK's reconnect (BR-CONN-3), and whether it ever
    /// reconnected (the service's "latest update" is then one the model does not follow).
    std::optional<Ms> reconnect_at;
    bool reconnected = false;
    /// Requests started so far (joins, leaves, holds, resumes), and whether a join or leave is being
    /// played out now: a call made inside a callback starts after the delivery (BR-EVT-9), and is
    /// decided only when nothing else that waits on the service races it.
    int operations = 0;
    bool busy = false;
    std::vector<std::pair<Step, int>> deferred;
    /// What the service last sent them (the SDK may not have it yet: held back, or lost).
    Json sent_view;
    std::string sent_view_room;
    Json sent_all;
    Json sent_settings;
    /// A delayNext (its delay) or dropNext waiting for the next message to them.
    std::optional<Ms> hold_next;
    bool drop_next = false;
    /// An update held back on its way: the breakout details, or the settings.
    struct Held {
      std::optional<Ms> release;  // none: lost
      bool details = true;
      Json view;
      std::string view_room;
      Json all;
      Json settings;
      /// A later message of the same kind arrived first: this one is stale (BR-EVT-3).
      bool overtaken = false;
    };
    std::vector<Held> held;
    /// Requests the service will refuse, by method, in the order they come.
    std::map<std::string, int> failing;
  };

 private:
  struct Meeting {
    std::vector<Room> rooms;
    std::map<std::string, std::string> assigned;
    bool return_disabled = false;
    bool ended = false;
    bool feature_off = false;
  };
  Player& player(const std::string& id);
  const Player* find(const std::string& id) const;
  const Room* room(const std::string& id) const;
  void update_everyone();
  void update(Player& p, bool whole_view = false);
  /// The SDK receives an update: breakout details and/or settings (null: not in this message).
  void receive(Player& p, const Json* view, const std::string& view_room, const Json* all, const Json* settings);
  void react(Player& p, const std::string& now_room);
  Json room_json(const Room& r) const;
  void consider_auto_move(Player& p);
  bool join(Player& p, bool automatic);
  /// Leaves the room call: `why` is "return", "returnOnClose", "reassignment" or "unassignment".
  void leave(Player& p, const char* why);
  /// Whether the service refuses this request (a failNext waiting for it), using it up.
  bool refused(Player& p, const char* method);
  /// The SDK's knowledge is behind the service's (an update held back or lost and not yet
  /// overtaken): what the service does with a request made on it no rule decides.
  static bool stale(const Player& p);
  bool play_call(Player& p, const Step& step);
  bool play_step(const Step& step, int index);
  void perform_armed(Player& p, const std::string& listener, const std::string& type);
  void end_calls(Player& p);
  /// Makes the calls made inside callbacks, now that the deliveries and reactions are over.
  void flush_deferred();
  bool advance_to(Ms target);
  void emit(Player& p, const std::string& type, Json data);
  void rule(const char* id) { rules_.insert(id); }
  bool undecide(std::string why);

  Meeting meeting_;
  std::vector<Player> players_;
  std::vector<Event> events_;
  bool keep_events_ = true;
  std::set<std::string> rules_;
  std::size_t transitions_ = 0;
  std::string undecided_;
  Ms now_ = 0;
  int step_ = -1;
};

struct Prediction {
  std::vector<Event> events;
  std::set<std::string> rules;
  std::size_t transitions = 0;
  /// Set when a step meets a case no rule decides: the step and why.
  int undecided_step = -1;
  std::string undecided;
};

/// Plays the whole story.
Prediction predict(const Story& story);

}  // namespace breakout::model
