// The words of the scenario language: event types and their fields, client actions and their
// arguments, and YAML values read as JSON.
#include <breakout/scenario/scenario.hpp>

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>

namespace breakout::scenario {

const std::map<std::string, std::vector<std::string>>& event_types() {
  static const std::map<std::string, std::vector<std::string>> types = {
      {"assignedBreakoutRooms", {"displayName", "threadId", "state", "autoMoveParticipantToBreakoutRoom", "invitees", "call"}},
      {"breakoutRooms", {}},
      {"breakoutRoomsSettings", {"disableReturnToMainMeeting", "roomEndTime"}},
      {"join", {"call", "callId", "threadId"}},
      {"callStateChanged", {"call", "callId", "state", "oldState"}},
      {"connectionStateChanged", {"newValue", "oldValue", "reason"}},
      {"automaticActionFailed", {"action", "code", "subCode", "category", "message"}},
      {"callResult", {"action", "ok", "code", "subCode", "category", "message"}},
  };
  return types;
}

const std::vector<std::string>& listener_event_types() {
  static const std::vector<std::string> types = {"assignedBreakoutRooms", "breakoutRooms", "breakoutRoomsSettings", "join"};
  return types;
}

const std::map<std::string, std::vector<std::string>>& client_actions() {
  static const std::map<std::string, std::vector<std::string>> actions = {
      {"connect", {"token"}},
      {"join", {"room"}},
      {"returnToMainMeeting", {}},
      {"hold", {"call"}},
      {"resume", {"call"}},
      {"hangUp", {"call"}},
      {"subscribe", {"event", "listener"}},
      {"unsubscribe", {"event", "listener"}},
      {"getFeature", {}},
      {"dispose", {}},
  };
  return actions;
}

Json yaml_to_json(const YAML::Node& n) {
  if (n.IsNull()) return nullptr;
  if (n.IsMap()) {
    Json j = Json::object();
    for (auto it = n.begin(); it != n.end(); ++it) j[it->first.Scalar()] = yaml_to_json(it->second);
    return j;
  }
  if (n.IsSequence()) {
    Json j = Json::array();
    for (const auto& item : n) j.push_back(yaml_to_json(item));
    return j;
  }
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted
  if (s == "true") return true;
  if (s == "false") return false;
  if (s == "null" || s == "~") return nullptr;
  // A number too large for its type stays text, so the field that reads it says what it expected.
  if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-')) {
    char* end = nullptr;
    errno = 0;
    long long i = std::strtoll(s.c_str(), &end, 10);
    if (end && *end == '\0') return errno == ERANGE ? Json(s) : Json(i);
    errno = 0;
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0' && errno != ERANGE) return d;
  }
  return s;
}

}  // namespace breakout::scenario
