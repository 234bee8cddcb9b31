// The story generator: seeded, portable (its own integer mixing, no std distributions, so the same
// seed gives the same stories with any standard library), and guided by the model: every step is
// tried on a copy of the simulation first, so a story never reaches a case no rule decides.
#include <breakout/explore/explore.hpp>

#include <algorithm>

namespace breakout::explore {
namespace {

using model::Kind;
using model::Simulation;
using model::Step;

/// splitmix64: small, fast, well mixed, and the same everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// 0 .. n-1 (n > 0).
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool percent(int p) { return below(100) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))]; }

 private:
  std::uint64_t state_;
};

const std::vector<std::string> kListenerNames = {"second", "third"};

Step make(Kind k) {
  Step s;
  s.kind = k;
  return s;
}

class Generator {
 public:
  Generator(std::uint64_t seed, std::uint64_t index, const GeneratorOptions& o) : rng_(seed ^ (index * 0xD1B54A32D192ED03ull)), o_(o) {
    rng_.next();
  }

  Story story() {
    Story s;
    int np = std::max(1, o_.participants), nr = std::max(1, o_.rooms);
    for (int i = 1; i <= np; ++i) {
      model::Participant p;
      p.id = "p" + std::to_string(i);
      p.microsoft365 = rng_.percent(50);
      // Every role for both identities: Microsoft 365 organizers and co-organizers see every room.
      static const std::vector<std::string> roles = {"Attendee", "Attendee", "Presenter", "Organizer", "Co-organizer"};
      p.role = rng_.pick(roles);
      s.participants.push_back(p);
    }
    created_ = nr;
    for (int i = 1; i <= nr; ++i)
      s.rooms.push_back(model::Room{"room" + std::to_string(i), "Room " + std::to_string(i), rng_.percent(60), rng_.percent(30)});
    for (const auto& p : s.participants)
      if (rng_.percent(80)) s.assigned[p.id] = rng_.pick(s.rooms).id;
    s.return_disabled = rng_.percent(25);

    Simulation sim(s);
    sim.keep_events(false);
    int total = std::max(1, o_.steps);
    for (int i = 0; static_cast<int>(s.steps.size()) < total - 1 && i < total * 20; ++i) {
      Step step = choose(s, sim);
      Simulation trial = sim;
      if (!trial.play(step, static_cast<int>(s.steps.size()))) continue;
      sim = std::move(trial);
      s.steps.push_back(step);
    }
    // Time enough at the end for every timer still running to fire, so what it does is checked.
    // (Unless what a timer would do is a case no rule decides: then the story ends before it.)
    Step last = make(Kind::advance);
    auto timers = sim.timers();
    last.by = timers.empty() ? 1000 : timers.back() - sim.now() + 1;
    if (Simulation trial = sim; trial.play(last, static_cast<int>(s.steps.size()))) s.steps.push_back(last);
    return s;
  }

 private:
  Step choose(const Story& s, const Simulation& sim) {
    // A delayNext or dropNext is for the update the very next step sends that participant.
    if (auto p = sim.holding_next()) return update_for(*p, sim);
    const Weights& w = o_.weights;
    int total = std::max(0, w.server) + std::max(0, w.call) + std::max(0, w.listener) + std::max(0, w.fault) + std::max(0, w.advance);
    if (total == 0) return advance(sim);
    int r = rng_.below(total);
    if ((r -= std::max(0, w.server)) < 0) return server(s, sim);
    if ((r -= std::max(0, w.call)) < 0) return call(s, sim);
    if ((r -= std::max(0, w.listener)) < 0) return listener(s, sim);
    if ((r -= std::max(0, w.fault)) < 0) return fault(s);
    return advance(sim);
  }

  const std::string& participant(const Story& s) { return rng_.pick(s.participants).id; }
  /// A room of the meeting as it is now (rooms come and go); "room1" when there is none (the
  /// model then refuses the step and another is chosen).
  std::string room(const Simulation& sim) {
    auto ids = sim.room_ids();
    return ids.empty() ? std::string("room1") : rng_.pick(ids);
  }

  Step server(const Story& s, const Simulation& sim) {
    Step step;
    // The feature turned off, and mostly back on.
    if (rng_.percent(3)) {
      step.kind = Kind::set_feature;
      step.flag = rng_.percent(55);
      return step;
    }
    // Endings are rare: a story that ends early has little left to tell.
    if (rng_.percent(3)) {
      step.kind = rng_.percent(40) ? Kind::end_meeting : rng_.percent(50) ? Kind::expire_token : Kind::revoke_token;
      if (rng_.percent(50)) step.kind = Kind::drop_connection;  // one that a reconnect mends
      step.participant = participant(s);
      if (step.kind == Kind::end_meeting) step.participant.clear();
      return step;
    }
    // Rooms come and go now and then; all at once, sometimes.
    if (rng_.percent(8)) {
      int k = rng_.below(4);
      step.kind = k == 0 ? Kind::create_room : k == 1 ? Kind::delete_room : k == 2 ? Kind::open_all_rooms : Kind::close_all_rooms;
      if (step.kind == Kind::create_room) {
        step.room = "room" + std::to_string(++created_);
        step.flag = rng_.percent(60);
      } else if (step.kind == Kind::delete_room) {
        step.room = room(sim);
      }
      return step;
    }
    switch (rng_.below(7)) {
      case 0:
      case 1:
        step.kind = Kind::open_room;
        step.room = room(sim);
        break;
      case 2:
        step.kind = Kind::close_room;
        step.room = room(sim);
        break;
      case 3:
        step.kind = Kind::assign;
        step.participant = participant(s);
        step.room = room(sim);
        break;
      case 4:
        step.kind = Kind::unassign;
        step.participant = participant(s);
        break;
      case 5:
        step.kind = Kind::set_return_disabled;
        step.flag = rng_.percent(50);
        break;
      default:
        step.kind = Kind::set_auto_move;
        step.room = room(sim);
        step.flag = rng_.percent(50);
        break;
    }
    return step;
  }

  Step call(const Story& s, const Simulation& sim) {
    Step step;
    step.participant = participant(s);
    bool in_room = sim.in_room(step.participant);
    int r = rng_.below(10);
    if (in_room && rng_.percent(15)) step.kind = Kind::hang_up_room;
    else if (r < 4) step.kind = in_room && rng_.percent(70) ? Kind::return_to_main : Kind::join;
    else if (r < 7) step.kind = Kind::return_to_main;
    else step.kind = sim.main_held(step.participant) ? Kind::resume_main : Kind::hold_main;
    return step;
  }

  Step listener(const Story& s, const Simulation& sim) {
    Step step;
    step.participant = participant(s);
    auto current = sim.listeners(step.participant);
    if (!current.empty() && rng_.percent(45)) {
      step.kind = Kind::unsubscribe;
      step.listener = rng_.pick(current);
    } else {
      step.kind = Kind::subscribe;
      step.listener = rng_.pick(kListenerNames);
    }
    // Now and then the change is made inside a listener's callback, while an event is delivered;
    // and so, sometimes, is a join, a return or a hold.
    if (!current.empty() && rng_.percent(35)) {
      if (rng_.percent(40)) {
        static const std::vector<Kind> calls = {Kind::join, Kind::join, Kind::return_to_main, Kind::hold_main};
        step.kind = rng_.pick(calls);
        step.listener.clear();
      }
      static const std::vector<std::string> events = {"assignedBreakoutRooms", "assignedBreakoutRooms", "breakoutRoomsSettings", "join"};
      step.inside = true;
      step.inside_listener = rng_.pick(current);
      step.inside_event = rng_.pick(events);
    }
    return step;
  }

  /// A Teams-side step that sends `p` an update (the model refuses it if it does not).
  Step update_for(const std::string& p, const Simulation& sim) {
    Step step;
    switch (rng_.below(5)) {
      case 0:
        step.kind = Kind::assign;
        step.participant = p;
        step.room = room(sim);
        break;
      case 1:
        step.kind = Kind::unassign;
        step.participant = p;
        break;
      case 2:
        step.kind = Kind::set_return_disabled;
        step.flag = rng_.percent(50);
        break;
      default:
        step.kind = rng_.percent(50) ? Kind::open_room : Kind::close_room;
        step.room = sim.assigned_room(p).value_or(room(sim));
        break;
    }
    return step;
  }

  Step fault(const Story& s) {
    Step step;
    step.participant = participant(s);
    static const std::vector<Kind> kinds = {Kind::duplicate_next, Kind::resend_stale, Kind::resend_latest, Kind::unreadable,
                                            Kind::fail_next, Kind::fail_next, Kind::delay_next, Kind::delay_next, Kind::drop_next};
    step.kind = rng_.pick(kinds);
    if (step.kind == Kind::delay_next) {
      static const std::vector<Ms> delays = {1, 100, 1000, 2999, 3000, 4000, 6000};
      step.by = rng_.pick(delays);
    }
    if (step.kind == Kind::fail_next) {
      static const std::vector<std::string> methods = {"hold", "joinBreakoutRoom", "hangUp", "resume"};
      step.method = rng_.pick(methods);
    }
    return step;
  }

  /// Mostly to the edges of the SDK's next timer: just before it, at it, just after it.
  Step advance(const Simulation& sim) {
    Step step = make(Kind::advance);
    auto timers = sim.timers();
    if (!timers.empty() && rng_.percent(75)) {
      Ms to = timers.front() - sim.now();
      static const std::vector<Ms> edges = {-1, 0, 0, 1};
      step.by = std::max<Ms>(1, to + rng_.pick(edges));
      return step;
    }
    static const std::vector<Ms> spans = {1, 500, 1000, 2999, 3000, 4999, 5000, 10000};
    step.by = rng_.pick(spans);
    return step;
  }

  Rng rng_;
  GeneratorOptions o_;
  /// Rooms named so far (the story's own, then those it creates).
  int created_ = 0;
};

}  // namespace

Story generate(std::uint64_t seed, std::uint64_t index, const GeneratorOptions& options) {
  return Generator(seed, index, options).story();
}

}  // namespace breakout::explore
