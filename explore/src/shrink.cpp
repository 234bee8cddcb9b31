// Shrinking: the smallest story that still diverges the same way. Greedy passes, each keeping a
// change only when the story still fails, repeated until none helps: drop chunks of steps (halving
// the chunk, as delta debugging does), participants, rooms and assignments; merge and shorten
// advances; make values simpler. Candidates that reach a case no rule decides are skipped.
#include <breakout/explore/explore.hpp>

#include <algorithm>

namespace breakout::explore {
namespace {

using model::Kind;

bool mentions_room(const model::Step& s, const std::string& room) { return s.room == room; }

}  // namespace

Story shrink(Story story, const std::function<bool(const Story&)>& still_fails, int budget) {
  int tried = 0;
  auto keeps_failing = [&](const Story& candidate) {
    if (model::predict(candidate).undecided_step >= 0) return false;
    if (tried >= budget) return false;
    ++tried;
    return still_fails(candidate);
  };
  auto accept = [&](Story candidate) {
    if (!keeps_failing(candidate)) return false;
    story = std::move(candidate);
    return true;
  };

  for (bool progress = true; progress && tried < budget;) {
    progress = false;
    // Steps, in chunks from half the story down to one.
    for (std::size_t chunk = std::max<std::size_t>(1, story.steps.size() / 2); chunk >= 1; chunk /= 2) {
      for (std::size_t start = 0; start < story.steps.size();) {
        Story c = story;
        auto first = c.steps.begin() + static_cast<std::ptrdiff_t>(start);
        c.steps.erase(first, first + static_cast<std::ptrdiff_t>(std::min(chunk, story.steps.size() - start)));
        if (accept(std::move(c))) progress = true;
        else start += chunk;
      }
      if (chunk == 1) break;
    }
    // Participants (and what they do), then rooms (and what names them).
    for (std::size_t i = 0; story.participants.size() > 1 && i < story.participants.size();) {
      Story c = story;
      std::string id = c.participants[i].id;
      c.participants.erase(c.participants.begin() + static_cast<std::ptrdiff_t>(i));
      c.assigned.erase(id);
      std::erase_if(c.steps, [&](const model::Step& s) { return s.participant == id; });
      if (accept(std::move(c))) progress = true;
      else ++i;
    }
    for (std::size_t i = 0; story.rooms.size() > 1 && i < story.rooms.size();) {
      Story c = story;
      std::string id = c.rooms[i].id;
      c.rooms.erase(c.rooms.begin() + static_cast<std::ptrdiff_t>(i));
      std::erase_if(c.assigned, [&](const auto& a) { return a.second == id; });
      std::erase_if(c.steps, [&](const model::Step& s) { return mentions_room(s, id); });
      if (accept(std::move(c))) progress = true;
      else ++i;
    }
    for (const auto& [p, room] : std::map<std::string, std::string>(story.assigned)) {
      Story c = story;
      c.assigned.erase(p);
      if (accept(std::move(c))) progress = true;
    }
    // Advances: two in a row become one; each as short as still fails.
    for (std::size_t i = 0; i + 1 < story.steps.size(); ++i) {
      if (story.steps[i].kind != Kind::advance || story.steps[i + 1].kind != Kind::advance) continue;
      Story c = story;
      c.steps[i].by += c.steps[i + 1].by;
      c.steps.erase(c.steps.begin() + static_cast<std::ptrdiff_t>(i + 1));
      if (accept(std::move(c))) progress = true;
    }
    // The shortest advance that still fails, by bisection (what happens is mostly monotonic in
    // time: a timer either has fired by then or not).
    for (std::size_t i = 0; i < story.steps.size(); ++i) {
      if (story.steps[i].kind != Kind::advance || story.steps[i].by <= 1) continue;
      Ms lo = 1, hi = story.steps[i].by;
      while (lo < hi && tried < budget) {
        Ms mid = lo + (hi - lo) / 2;
        Story c = story;
        c.steps[i].by = mid;
        if (keeps_failing(c)) hi = mid;
        else lo = mid + 1;
      }
      if (hi < story.steps[i].by) {
        Story c = story;
        c.steps[i].by = hi;
        if (accept(std::move(c))) progress = true;
      }
    }
    // Simpler values.
    if (story.return_disabled) {
      Story c = story;
      c.return_disabled = false;
      if (accept(std::move(c))) progress = true;
    }
    for (std::size_t i = 0; i < story.rooms.size(); ++i) {
      for (int field = 0; field < 2; ++field) {
        Story c = story;
        bool& v = field == 0 ? c.rooms[i].open : c.rooms[i].auto_move;
        if (!v) continue;
        v = false;
        if (accept(std::move(c))) progress = true;
      }
    }
    for (std::size_t i = 0; i < story.participants.size(); ++i) {
      if (!story.participants[i].microsoft365 && story.participants[i].role == "Attendee") continue;
      Story c = story;
      c.participants[i].microsoft365 = false;
      c.participants[i].role = "Attendee";
      if (accept(std::move(c))) progress = true;
    }
  }
  return story;
}

}  // namespace breakout::explore
