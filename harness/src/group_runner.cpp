// Steps about several participants at once (docs/scenarios.md, "Groups"): who a group's members
// are when the step runs, the captures each member sees, and failures that name the member.
#include "run.hpp"

#include <breakout/scenario/groups.hpp>
#include <breakout/protocol/text.hpp>

#include <algorithm>

namespace breakout::harness {

std::vector<std::string> Run::members(const Group& group, const SourceLoc& loc, bool clients_only) const {
  std::vector<std::string> out = scenario::members_now(group, s_, server_->meeting(), clients_only);
  if (out.empty())
    throw Stop{Outcome::fail, diag(loc, "the step is for " + group.text + ", which has no members now (no one is assigned there on the Teams side)"),
               current_step_, std::nullopt};
  return out;
}

Run::Captures Run::captures_for(const std::string& participant, bool as_member) const {
  Captures out = captures_;
  if (auto it = member_captures_.find(participant); it != member_captures_.end())
    for (const auto& [name, value] : it->second) out[name] = value;
  if (as_member) {
    out["member"] = participant;
    if (auto r = rank_.find(participant); r != rank_.end()) out["member.displayName"] = s_.participants[r->second].config.display_name;
    auto room = server_->meeting().assigned_room(participant);
    out["member.room"] = room ? Json(*room) : Json(nullptr);
    auto name = room ? server_->meeting().room_name(*room) : std::nullopt;
    out["member.roomName"] = name ? Json(*name) : Json(nullptr);
  }
  return out;
}

void Run::for_each_member(const Group& group, const SourceLoc& loc, bool clients_only,
                          const std::function<void(const std::string&)>& body) {
  auto who = members(group, loc, clients_only);
  for (std::size_t i = 0; i < who.size(); ++i) {
    try {
      body(who[i]);
    } catch (Stop& stop) {
      stop.diagnostic.message = "for " + who[i] + " (member " + std::to_string(i + 1) + " of " + std::to_string(who.size()) + ", " +
                                group.text + "): " + stop.diagnostic.message;
      throw;
    }
  }
}

void Run::expand(const EventExpectation& x, const SourceLoc& loc, std::vector<EventExpectation>& out, std::vector<Captures>& captures) {
  if (!x.group) {
    out.push_back(x);
    captures.push_back(captures_for(x.participant, false));
    return;
  }
  for (const auto& member : members(*x.group, loc, true)) {
    EventExpectation one = x;
    one.group.reset();
    one.participant = member;
    out.push_back(std::move(one));
    captures.push_back(captures_for(member, true));
  }
}

const std::vector<std::size_t>& Run::entries(const std::string& participant) const {
  static const std::vector<std::size_t> kNone;
  auto it = by_participant_.find(participant);
  return it == by_participant_.end() ? kNone : it->second;
}

std::vector<std::size_t>::const_iterator Run::entries_from(const std::string& participant, std::size_t from) const {
  const auto& mine = entries(participant);
  return std::lower_bound(mine.begin(), mine.end(), from);
}

}  // namespace breakout::harness
