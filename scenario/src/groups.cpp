// Groups resolved when a step runs (see groups.hpp).
#include <breakout/scenario/groups.hpp>

#include <breakout/mock_server/meeting.hpp>

namespace breakout::scenario {

std::vector<std::string> members_now(const Group& group, const Scenario& scenario, const mock::Meeting& meeting, bool clients_only) {
  if (group.kind == Group::Kind::fixed) return group.members;
  std::vector<std::string> out;
  for (const auto& p : scenario.participants) {
    if (clients_only && !p.client) continue;
    auto room = meeting.assigned_room(p.config.id);
    if (room && (group.kind == Group::Kind::in_rooms || *room == group.room)) out.push_back(p.config.id);
  }
  return out;
}

Expected<MemberAction, std::string> action_for(const ServerStep& step, const std::string& member) {
  Json action = step.action;
  action["participant"] = member;
  auto parsed = mock::parse_action(action);
  if (!parsed) return unexpected("the action is not valid for " + member + ": " + parsed.error().message);
  return MemberAction{std::move(action), std::move(*parsed)};
}

}  // namespace breakout::scenario
