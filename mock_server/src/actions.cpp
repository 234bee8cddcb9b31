// Reading scripted server actions from JSON.
#include <breakout/mock_server/actions.hpp>

#include <algorithm>
#include <map>

namespace breakout::mock {
namespace {

using protocol::Json;

struct Failure {
  ActionError error;
};

[[noreturn]] void fail(std::string field, std::string message) { throw Failure{{std::move(field), std::move(message)}}; }

/// Reads the fields of one action object.
class Fields {
 public:
  explicit Fields(const Json& j) : j_(j) {}
  const Json* find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string string(const char* key) const {
    const Json* v = find(key);
    if (!v) fail(key, std::string("missing field '") + key + "'");
    if (!v->is_string() || v->get<std::string>().empty()) fail(key, "expected a non-empty string");
    return v->get<std::string>();
  }
  std::optional<std::string> optional_string(const char* key) const {
    return find(key) ? std::optional(string(key)) : std::nullopt;
  }
  std::optional<bool> optional_bool(const char* key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) fail(key, "expected true or false");
    return v->get<bool>();
  }
  std::optional<int> optional_int(const char* key, int lo, int hi) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    const std::string expected = "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!v->is_number_integer()) fail(key, expected);
    if (v->is_number_unsigned() ? v->get<std::uint64_t>() > static_cast<std::uint64_t>(hi) : v->get<std::int64_t>() < lo) fail(key, expected);
    auto n = v->get<std::int64_t>();
    if (n < lo || n > hi) fail(key, expected);
    return static_cast<int>(n);
  }
  std::optional<clock::Duration> optional_duration(const char* key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    std::optional<clock::Duration> d;
    if (v->is_string()) d = clock::parse_duration(v->get<std::string>());
    else if (v->is_number_unsigned() && v->get<std::uint64_t>() <= std::uint64_t{1'000'000'000'000}) d = clock::Duration(v->get<std::int64_t>());
    if (!d) fail(key, "expected a duration such as \"30s\", \"250ms\" or \"5m\"");
    return d;
  }

 private:
  const Json& j_;
};

struct Spec {
  std::vector<std::string> fields;
  Action (*parse)(const Fields&);
};

const std::map<std::string, Spec>& specs() {
  static const std::map<std::string, Spec> table = {
      {"createRoom", {{"room", "name", "autoMove"}, [](const Fields& f) -> Action {
         return CreateRoom{f.string("room"), f.optional_string("name"), f.optional_bool("autoMove").value_or(true)};
       }}},
      {"deleteRoom", {{"room"}, [](const Fields& f) -> Action { return DeleteRoom{f.string("room")}; }}},
      {"updateRoom", {{"room", "name", "autoMove", "joinUrl"}, [](const Fields& f) -> Action {
         std::optional<std::string> url;
         if (const Json* v = f.find("joinUrl")) {
           if (!v->is_string()) fail("joinUrl", "expected a string (\"\" for no URL)");
           url = v->get<std::string>();
         }
         return UpdateRoom{f.string("room"), f.optional_string("name"), f.optional_bool("autoMove"), url};
       }}},
      {"expireToken", {{"participant"}, [](const Fields& f) -> Action { return ExpireToken{f.string("participant")}; }}},
      {"revokeToken", {{"participant"}, [](const Fields& f) -> Action { return RevokeToken{f.string("participant")}; }}},
      {"dropConnection", {{"participant", "detectedAfter"}, [](const Fields& f) -> Action {
         return DropConnection{f.string("participant"), f.optional_duration("detectedAfter")};
       }}},
      {"refuseConnections", {{"participant", "for"}, [](const Fields& f) -> Action {
         auto d = f.optional_duration("for");
         if (!d) fail("for", "missing field 'for' (how long, such as \"30s\")");
         return RefuseConnections{f.optional_string("participant"), *d};
       }}},
      {"resendDetails", {{"participant", "which"}, [](const Fields& f) -> Action {
         std::string which = f.optional_string("which").value_or("previous");
         if (which != "previous" && which != "latest") fail("which", "expected \"previous\" (stale) or \"latest\" (duplicate)");
         return ResendDetails{f.string("participant"), which == "previous"};
       }}},
      {"delayNext", {{"participant", "count", "by"}, [](const Fields& f) -> Action {
         auto d = f.optional_duration("by");
         if (!d) fail("by", "missing field 'by' (how long to hold the messages back, such as \"2s\")");
         return DisturbNext{DisturbNext::Kind::delay, f.string("participant"), f.optional_int("count", 1, 10000).value_or(1), *d};
       }}},
      {"dropNext", {{"participant", "count"}, [](const Fields& f) -> Action {
         return DisturbNext{DisturbNext::Kind::drop, f.string("participant"), f.optional_int("count", 1, 10000).value_or(1), {}};
       }}},
      {"duplicateNext", {{"participant", "count"}, [](const Fields& f) -> Action {
         return DisturbNext{DisturbNext::Kind::duplicate, f.string("participant"), f.optional_int("count", 1, 10000).value_or(1), {}};
       }}},
      {"reorderNext", {{"participant", "count"}, [](const Fields& f) -> Action {
         return DisturbNext{DisturbNext::Kind::reorder, f.string("participant"), f.optional_int("count", 1, 10000).value_or(1), {}};
       }}},
      {"setFeatureEnabled", {{"enabled"}, [](const Fields& f) -> Action {
         auto enabled = f.optional_bool("enabled");
         if (!enabled) fail("enabled", "missing field 'enabled' (true or false)");
         return SetFeatureEnabled{*enabled};
       }}},
      {"sendFrame", {{"participant", "text"}, [](const Fields& f) -> Action {
         return SendFrame{f.string("participant"), f.string("text")};
       }}},
      {"sendUnreadableDetails", {{"participant"}, [](const Fields& f) -> Action {
         return SendUnreadableDetails{f.string("participant")};
       }}},
      {"assign", {{"participant", "room"}, [](const Fields& f) -> Action {
         return Assign{f.string("participant"), f.optional_string("room")};
       }}},
      {"unassign", {{"participant"}, [](const Fields& f) -> Action { return Assign{f.string("participant"), std::nullopt}; }}},
      {"openRoom", {{"room"}, [](const Fields& f) -> Action { return OpenRoom{f.string("room")}; }}},
      {"closeRoom", {{"room"}, [](const Fields& f) -> Action { return CloseRoom{f.string("room")}; }}},
      {"openAllRooms", {{}, [](const Fields&) -> Action { return OpenAllRooms{}; }}},
      {"endMeeting", {{}, [](const Fields&) -> Action { return EndMeeting{}; }}},
      {"closeAllRooms", {{}, [](const Fields&) -> Action { return CloseAllRooms{}; }}},
      {"updateSettings", {{"disableReturnToMainMeeting", "roomEndAfter", "clearRoomEnd"}, [](const Fields& f) -> Action {
         return UpdateSettings{f.optional_bool("disableReturnToMainMeeting"), f.optional_duration("roomEndAfter"),
                               f.optional_bool("clearRoomEnd").value_or(false)};
       }}},
      {"failNext", {{"method", "participant", "count", "code", "subCode", "message"}, [](const Fields& f) -> Action {
         std::string method = f.string("method");
         const auto& methods = protocol::method_names();
         if (std::find(methods.begin(), methods.end(), method) == methods.end()) fail("method", "unknown method '" + method + "'");
         FailNext a;
         a.method = method;
         a.participant = f.optional_string("participant");
         a.count = f.optional_int("count", 1, 1000).value_or(1);
         a.error.code = f.optional_int("code", 100, 599).value_or(500);
         a.error.sub_code = f.optional_int("subCode", 0, 999999).value_or(0);
         a.error.message = f.optional_string("message").value_or("injected failure");
         return a;
       }}},
  };
  return table;
}

}  // namespace

Expected<Action, ActionError> parse_action(const Json& json) {
  try {
    if (!json.is_object()) fail("", "an action must be an object");
    auto name_it = json.find("action");
    if (name_it == json.end() || !name_it->is_string()) fail("action", "missing field 'action'");
    std::string name = name_it->get<std::string>();
    auto spec = specs().find(name);
    if (spec == specs().end()) fail("action", "unknown server action '" + name + "'");
    for (auto it = json.begin(); it != json.end(); ++it) {
      if (it.key() == "action") continue;
      const auto& fields = spec->second.fields;
      if (std::find(fields.begin(), fields.end(), it.key()) == fields.end())
        fail(it.key(), "action '" + name + "' has no field '" + it.key() + "'");
    }
    return spec->second.parse(Fields(json));
  } catch (Failure& f) {
    return unexpected(std::move(f.error));
  }
}

const std::vector<std::string>& action_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, spec] : specs()) out.push_back(name);
    return out;
  }();
  return names;
}

const std::vector<std::string>& action_fields(const std::string& action) {
  static const std::vector<std::string> none;
  auto it = specs().find(action);
  return it == specs().end() ? none : it->second.fields;
}

std::string_view action_name(const Action& action) {
  return std::visit(
      [](const auto& a) -> std::string_view {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, CreateRoom>) return "createRoom";
        else if constexpr (std::is_same_v<A, DeleteRoom>) return "deleteRoom";
        else if constexpr (std::is_same_v<A, UpdateRoom>) return "updateRoom";
        else if constexpr (std::is_same_v<A, Assign>) return a.room ? "assign" : "unassign";
        else if constexpr (std::is_same_v<A, OpenRoom>) return "openRoom";
        else if constexpr (std::is_same_v<A, CloseRoom>) return "closeRoom";
        else if constexpr (std::is_same_v<A, OpenAllRooms>) return "openAllRooms";
        else if constexpr (std::is_same_v<A, CloseAllRooms>) return "closeAllRooms";
        else if constexpr (std::is_same_v<A, UpdateSettings>) return "updateSettings";
        else if constexpr (std::is_same_v<A, FailNext>) return "failNext";
        else if constexpr (std::is_same_v<A, ExpireToken>) return "expireToken";
        else if constexpr (std::is_same_v<A, RevokeToken>) return "revokeToken";
        else if constexpr (std::is_same_v<A, DropConnection>) return "dropConnection";
        else if constexpr (std::is_same_v<A, RefuseConnections>) return "refuseConnections";
        else if constexpr (std::is_same_v<A, SendUnreadableDetails>) return "sendUnreadableDetails";
        else if constexpr (std::is_same_v<A, ResendDetails>) return "resendDetails";
        else if constexpr (std::is_same_v<A, SetFeatureEnabled>) return "setFeatureEnabled";
        else if constexpr (std::is_same_v<A, EndMeeting>) return "endMeeting";
        else if constexpr (std::is_same_v<A, SendFrame>) return "sendFrame";
        else {
          switch (a.kind) {
            case DisturbNext::Kind::delay: return "delayNext";
            case DisturbNext::Kind::drop: return "dropNext";
            case DisturbNext::Kind::duplicate: return "duplicateNext";
            case DisturbNext::Kind::reorder: break;
          }
          return "reorderNext";
        }
      },
      action);
}

}  // namespace breakout::mock
