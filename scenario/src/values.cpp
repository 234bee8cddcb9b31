// The values of the scenario language: the SDK's words for states, reasons and categories as a
// scenario writes them, and the fields of every event and of a participant's state.
#include <breakout/scenario/values.hpp>

#include <map>

namespace breakout::scenario {
namespace {

ValueSpec words(std::string name, std::vector<std::string> list, bool nullable = false) {
  ValueSpec v;
  v.kind = ValueSpec::Kind::enumeration;
  v.words = std::move(list);
  v.nullable = nullable;
  v.name = std::move(name);
  return v;
}

ValueSpec plain(ValueSpec::Kind kind, std::string name, bool nullable = false) {
  ValueSpec v;
  v.kind = kind;
  v.name = std::move(name);
  v.nullable = nullable;
  return v;
}

ValueSpec object(std::string name, std::vector<ValueSpec::Field> fields, bool nullable = false) {
  ValueSpec v;
  v.kind = ValueSpec::Kind::object;
  v.fields = std::move(fields);
  v.nullable = nullable;
  v.name = std::move(name);
  return v;
}

ValueSpec list_of(ValueSpec item, bool nullable = false) {
  ValueSpec v;
  v.kind = ValueSpec::Kind::list;
  v.name = "a list of " + item.name;
  v.item.push_back(std::move(item));
  v.nullable = nullable;
  return v;
}

using K = ValueSpec::Kind;

ValueSpec call_state(bool nullable = false) {
  return words("a call state",
               {"None", "Connecting", "Ringing", "Connected", "LocalHold", "RemoteHold", "InLobby", "Disconnecting", "Disconnected",
                "EarlyMedia"},
               nullable);
}
ValueSpec connection_state() { return words("a connection state", {"Connected", "Disconnected"}); }
ValueSpec category() { return words("an error category", {"ExpectedError", "UnexpectedClientError", "UnexpectedServerError"}); }

ValueSpec room(bool nullable) {
  return object("a room",
                {{"displayName", plain(K::string, "a room name")},
                 {"threadId", plain(K::string, "a thread id")},
                 {"state", words("a room state", {"open", "closed"})},
                 {"autoMoveParticipantToBreakoutRoom", plain(K::boolean, "true or false")},
                 {"invitees", list_of(plain(K::string, "an identifier"))},
                 {"call", words("the room's call", {"room"}, true)}},
                nullable);
}

ValueSpec settings(bool nullable) {
  return object("the settings",
                {{"disableReturnToMainMeeting", plain(K::boolean, "true or false")},
                 {"roomEndTime", plain(K::string, "a UTC time", true)}},
                nullable);
}

ValueSpec call_info() {
  return object("a call's information",
                {{"id", plain(K::string, "a call id")},
                 {"threadId", plain(K::string, "a thread id")},
                 {"kind", words("a call kind", {"teamsMeeting", "room", "oneToOne", "group", "oneToOneTeamsInterop", "groupTeamsInterop"})},
                 {"role", plain(K::string, "a role")}},
                true);
}

ValueSpec remote_participants() {
  return list_of(object("a remote participant", {{"displayName", plain(K::string, "a name")}, {"identifier", plain(K::string, "an identifier")}}),
                 true);
}

}  // namespace

const ValueSpec* event_data_spec(const std::string& type) {
  static const std::map<std::string, ValueSpec> specs = {
      {"assignedBreakoutRooms", room(true)},
      {"breakoutRooms", list_of(room(false), true)},
      {"breakoutRoomsSettings", settings(true)},
      {"join", object("a join", {{"call", words("the room's call", {"room"})}, {"callId", plain(K::string, "a call id")},
                                 {"threadId", plain(K::string, "a thread id")}})},
      {"callStateChanged", object("a call state change", {{"call", words("a call name", {"main", "room"})},
                                                          {"callId", plain(K::string, "a call id")},
                                                          {"state", call_state()},
                                                          {"oldState", call_state()}})},
      {"connectionStateChanged",
       object("a connection state change", {{"newValue", connection_state()},
                                            {"oldValue", connection_state()},
                                            {"reason", words("a reason", {"invalidToken", "connectionIssue"}, true)}})},
      {"automaticActionFailed",
       object("a failed automatic action", {{"action", words("an automatic action", {"autoMove", "returnOnClose", "reassignment",
                                                                                     "unassignment", "readDetails"})},
                                            {"code", plain(K::integer, "a code")},
                                            {"subCode", plain(K::integer, "a subCode")},
                                            {"category", category()},
                                            {"message", plain(K::string, "a message")}})},
      {"callResult",
       object("the result of a call made in a callback",
              {{"action", words("a client action", {"subscribe", "unsubscribe", "join", "returnToMainMeeting", "hold", "resume", "hangUp"})},
               {"ok", plain(K::boolean, "true or false")},
               {"code", plain(K::integer, "a code")},
               {"subCode", plain(K::integer, "a subCode")},
               {"category", category()},
               {"message", plain(K::string, "a message")}})},
  };
  auto it = specs.find(type);
  return it == specs.end() ? nullptr : &it->second;
}

const ValueSpec& state_spec() {
  static const ValueSpec spec = object("a participant's state", {{"connectionState", connection_state()},
                                                                 {"mainCall", call_state(true)},
                                                                 {"roomCall", call_state(true)},
                                                                 {"mainCallInfo", call_info()},
                                                                 {"roomCallInfo", call_info()},
                                                                 {"assignedBreakoutRooms", room(true)},
                                                                 {"breakoutRooms", list_of(room(false), true)},
                                                                 {"breakoutRoomsSettings", settings(true)},
                                                                 {"mainCallRemoteParticipants", remote_participants()},
                                                                 {"roomCallRemoteParticipants", remote_participants()}});
  return spec;
}

const ValueSpec& error_spec() {
  static const ValueSpec spec =
      object("an error", {{"code", plain(K::integer, "a code")}, {"subCode", plain(K::integer, "a subCode")}, {"category", category()}});
  return spec;
}

}  // namespace breakout::scenario
