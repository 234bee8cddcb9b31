// Who a step's group (`participants:`) stands for when the step runs, and a server action made
// for one member: shared by the harness and the standalone mock server, which both play steps.
#pragma once

#include <breakout/scenario/scenario.hpp>
#include <breakout/protocol/expected.hpp>

#include <string>
#include <vector>

namespace breakout::mock {
class Meeting;
}

namespace breakout::scenario {

/// The group's members now, in the scenario's order: a room's (or every room's) are read from the
/// meeting on the Teams side. With clients_only, participants without a client are left out.
std::vector<std::string> members_now(const Group& group, const Scenario& scenario, const mock::Meeting& meeting, bool clients_only);

/// A server step's action with `participant` set to the member, as JSON and as the server reads it.
struct MemberAction {
  Json json;
  mock::Action parsed;
};
Expected<MemberAction, std::string> action_for(const ServerStep& step, const std::string& member);

}  // namespace breakout::scenario
