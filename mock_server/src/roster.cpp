// The roster side of the meeting: who is told of whom, batched per call (docs/protocol.md,
// `participantsUpdate`), and who is assigned where, for scenarios' groups.
#include <breakout/mock_server/meeting.hpp>

#include <algorithm>

namespace breakout::mock {

void Meeting::publish_participants(const RosterChange& change) {
  if (!config_.roster_updates || !find(change.participant)) return;
  auto on_thread = legs_by_thread_.find(change.thread_id);
  static const std::vector<Leg*> kNone;
  const auto& legs = on_thread == legs_by_thread_.end() ? kNone : on_thread->second;
  PendingRoster* newcomer = nullptr;
  if (change.joined) {
    newcomer = &roster_pending_[change.call_id];
    newcomer->participant = change.participant;
    newcomer->first = true;
  }
  for (const Leg* leg : legs) {
    if (leg->participant == change.participant) continue;
    if (newcomer) ++newcomer->net[participant_index_.at(leg->participant)];
    PendingRoster& other = roster_pending_[leg->call_id];
    other.participant = leg->participant;
    other.net[participant_index_.at(change.participant)] += change.joined ? 1 : -1;
  }
  if (!roster_timer_) roster_timer_ = clock_.schedule(clock::Duration(0), [this, alive = std::weak_ptr<void>(alive_)] {
    if (alive.expired()) return;
    roster_timer_.reset();
    flush_roster();
  });
}

void Meeting::flush_roster() {
  std::map<std::string, PendingRoster> pending;
  pending.swap(roster_pending_);
  for (auto& [call_id, roster] : pending) {
    const Participant* to = find(roster.participant);
    if (!to || !to->connected || !leg_by_call_.count(call_id)) continue;
    std::vector<std::pair<std::size_t, int>> changed;
    for (const auto& [index, net] : roster.net)
      if (net != 0) changed.emplace_back(index, net);
    if (changed.empty() && !roster.first) continue;
    // In the order the meeting lists its participants, whatever order the changes came in.
    std::sort(changed.begin(), changed.end());
    // Several updates when one would come near the frame limit (a meeting of ten thousand).
    protocol::ParticipantsUpdate update{call_id, {}, {}};
    std::size_t bytes = 0;
    for (const auto& [index, net] : changed) {
      const ParticipantConfig& who = participants_[index].config;
      std::string id = identifier_of(who);
      bytes += id.size() + (net > 0 ? who.display_name.size() + 32 : 4);
      if (net > 0) update.added.push_back({std::move(id), who.display_name});
      else update.removed.push_back(std::move(id));
      if (bytes > protocol::max_frame_bytes / 4) {
        outbox_(roster.participant, update);
        update.added.clear();
        update.removed.clear();
        bytes = 0;
      }
    }
    if (bytes > 0 || changed.empty()) outbox_(roster.participant, update);
  }
}

std::optional<std::string> Meeting::assigned_room(const std::string& pid) const {
  auto it = participant_index_.find(pid);
  return it == participant_index_.end() ? std::nullopt : participants_[it->second].assigned_room;
}

std::vector<std::string> Meeting::room_members(const std::string& room_id) const {
  std::vector<std::string> out;
  for (const auto& p : participants_)
    if (p.assigned_room == room_id) out.push_back(p.config.id);
  return out;
}

std::optional<std::string> Meeting::room_name(const std::string& room_id) const {
  const Room* r = find_room(room_id);
  return r ? std::optional(r->name) : std::nullopt;
}

}  // namespace breakout::mock
