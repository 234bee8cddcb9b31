// The harness's only view of an SDK: actions in, observations out. A second SDK implementation
// (another language, another process) plugs in here without touching the runner.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace breakout::harness {

/// Receives everything the SDK does that a scenario can expect, as (type, data) per participant.
/// Types and data shapes are listed in docs/scenarios.md ("Events"). `listener` names the listener
/// a breakout rooms event reached ("" for the default one and for other events).
class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  virtual void observe(const std::string& participant, const std::string& type, nlohmann::json data,
                       const std::string& listener) = 0;
};

struct ParticipantSpec {
  std::string id;
  std::string display_name;
  std::string token;
  bool join_meeting = true;
  /// Whether the client connects during set-up; when false, a "connect" action does it later.
  bool connect = true;
  std::string meeting_link;
  /// Client options ("autoMoveDelay", "hangUpDelay", in milliseconds); absent means the SDK's defaults.
  nlohmann::json options = nlohmann::json::object();
};

/// How an action ended: ok, or an error with code, subCode, category and message.
struct ActionOutcome {
  bool ok = true;
  nlohmann::json error;  // {code, subCode, category, message} when !ok
  static ActionOutcome success() { return {}; }
  static ActionOutcome failure(int code, int sub_code, std::string category, std::string message) {
    return {false, {{"code", code}, {"subCode", sub_code}, {"category", std::move(category)}, {"message", std::move(message)}}};
  }
};

class Driver {
 public:
  using Done = std::function<void(ActionOutcome)>;
  virtual ~Driver() = default;
  /// Creates the participant's client, connects it (unless spec.connect is false) and, if asked,
  /// joins the main meeting.
  virtual void add_participant(const ParticipantSpec& spec, Done done) = 0;
  /// Performs a client action (names and arguments: harness::client_actions()).
  virtual void perform(const std::string& participant, const std::string& action, const nlohmann::json& args, Done done) = 0;
  /// Arms a client action to be made inside a listener's callback: the next time the participant's
  /// listener `listener` ("default", or a name given to subscribe) receives an event of type
  /// `event`, the action is called from within that callback; `done` gets its outcome later.
  virtual void arm(const std::string& participant, const std::string& listener, const std::string& event, const std::string& action,
                   const nlohmann::json& args, Done done) = 0;
  /// The participant's observable state (docs/scenarios.md, "State").
  virtual nlohmann::json state(const std::string& participant) const = 0;
  /// Only these fields of it (a scenario checks a few; a meeting of a thousand makes the
  /// participant lists long). By default the whole state, trimmed.
  virtual nlohmann::json state(const std::string& participant, const std::vector<std::string>& fields) const {
    nlohmann::json whole = state(participant);
    if (!whole.is_object()) return whole;
    nlohmann::json out = nlohmann::json::object();
    for (const auto& f : fields)
      if (auto it = whole.find(f); it != whole.end()) out[f] = *it;
    return out;
  }
  /// Disconnects every client.
  virtual void shutdown() = 0;
};

}  // namespace breakout::harness
