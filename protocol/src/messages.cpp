// Encoding and strict decoding of the signaling messages.
#include <breakout/protocol/messages.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace breakout::protocol {
namespace {

/// Thrown inside this file only, and turned into a DecodeError at each decode_* entry point.
struct DecodeFailure {
  DecodeError error;
};

[[noreturn]] void fail(std::string path, std::string message) {
  throw DecodeFailure{{std::move(path), std::move(message), std::nullopt}};
}

std::string_view type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    default: return "value";
  }
}

/// Reads the fields of one JSON object, failing with the field's path on any mismatch.
class ObjectReader {
 public:
  ObjectReader(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail(path_.empty() ? "/" : path_, "expected an object, got " + std::string(type_name(j_)));
  }

  const Json* find(std::string_view key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const Json& require(std::string_view key) const {
    const Json* v = find(key);
    if (!v) fail(path_, "missing field '" + std::string(key) + "'");
    return *v;
  }
  std::string at(std::string_view key) const { return path_ + "/" + std::string(key); }

  std::string string(std::string_view key) const {
    const Json& v = require(key);
    if (!v.is_string()) fail(at(key), "expected a string, got " + std::string(type_name(v)));
    return v.get<std::string>();
  }
  std::string non_empty_string(std::string_view key) const {
    std::string s = string(key);
    if (s.empty()) fail(at(key), "must not be empty");
    return s;
  }
  std::optional<std::string> optional_string(std::string_view key) const {
    const Json* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) fail(at(key), "expected a string, got " + std::string(type_name(*v)));
    return v->get<std::string>();
  }
  bool boolean(std::string_view key) const {
    const Json& v = require(key);
    if (!v.is_boolean()) fail(at(key), "expected a boolean, got " + std::string(type_name(v)));
    return v.get<bool>();
  }
  std::uint64_t unsigned_integer(std::string_view key) const {
    const Json& v = require(key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
      fail(at(key), "expected a non-negative integer, got " + std::string(type_name(v)));
    return v.get<std::uint64_t>();
  }
  int integer(std::string_view key) const {
    const Json& v = require(key);
    if (!v.is_number_integer()) fail(at(key), "expected an integer, got " + std::string(type_name(v)));
    auto n = v.get<std::int64_t>();
    if (n < -1000000 || n > 1000000) fail(at(key), "integer out of range");
    return static_cast<int>(n);
  }
  const Json& array(std::string_view key) const {
    const Json& v = require(key);
    if (!v.is_array()) fail(at(key), "expected an array, got " + std::string(type_name(v)));
    return v;
  }
  const Json& object(std::string_view key) const {
    const Json& v = require(key);
    if (!v.is_object()) fail(at(key), "expected an object, got " + std::string(type_name(v)));
    return v;
  }
  /// Fails on any field not in `allowed`: what the server reads from clients is checked strictly.
  void only(std::initializer_list<std::string_view> allowed) const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
        fail(at(it.key()), "unknown field '" + it.key() + "'");
    }
  }

 private:
  const Json& j_;
  std::string path_;
};

ErrorBody read_error_body(const Json& j, const std::string& path) {
  ObjectReader r(j, path);
  ErrorBody e;
  e.code = r.integer("code");
  e.sub_code = r.find("subCode") ? r.integer("subCode") : 0;
  e.message = r.optional_string("message").value_or("");
  return e;
}

Json error_json(const ErrorBody& e) {
  return Json{{"code", e.code}, {"subCode", e.sub_code}, {"message", e.message}};
}

template <class T>
Expected<T, DecodeError> guarded(auto&& body) {
  try {
    return body();
  } catch (DecodeFailure& f) {
    return unexpected(std::move(f.error));
  } catch (const Json::exception& e) {
    return unexpected(DecodeError{"/", e.what(), std::nullopt});
  }
}

}  // namespace

/// Rejects JSON nested deeper than max_json_depth without parsing it (the parser recurses).
bool nesting_within_limit(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max_json_depth) return false;
    } else if (c == '}' || c == ']') --depth;
  }
  return true;
}

namespace {

const std::array<std::string_view, 5> kMethods = {"joinMeeting", "joinBreakoutRoom", "hold", "resume", "hangUp"};

std::string call_id_of(const ObjectReader& params) { return params.non_empty_string("callId"); }

WireRoom read_room(const Json& j, const std::string& path, bool with_invitees) {
  ObjectReader r(j, path);
  WireRoom room;
  room.name = r.string("name");
  room.meeting_join_url = r.string("meetingJoinUrl");
  room.is_open = r.boolean("isOpen");
  room.allow_move_participants_automatically = r.boolean("allowMoveParticipantsAutomatically");
  if (with_invitees && r.find("invitees")) {
    const Json& inv = r.array("invitees");
    for (std::size_t i = 0; i < inv.size(); ++i) {
      ObjectReader ir(inv[i], r.at("invitees") + "/" + std::to_string(i));
      room.invitees.push_back(ir.non_empty_string("id"));
    }
  }
  return room;
}

Json room_json(const WireRoom& room, bool with_invitees) {
  Json j{{"name", room.name},
         {"meetingJoinUrl", room.meeting_join_url},
         {"isOpen", room.is_open},
         {"allowMoveParticipantsAutomatically", room.allow_move_participants_automatically}};
  if (with_invitees) {
    Json inv = Json::array();
    for (const auto& id : room.invitees) inv.push_back(Json{{"id", id}});
    j["invitees"] = std::move(inv);
  }
  return j;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::string DecodeError::to_string() const { return path + ": " + message; }

std::string_view method_name(const RequestParams& params) { return kMethods[params.index()]; }

const std::vector<std::string_view>& method_names() {
  static const std::vector<std::string_view> names(kMethods.begin(), kMethods.end());
  return names;
}

std::string_view message_type(const ServerMessage& message) {
  static constexpr std::array<std::string_view, 7> names = {
      "welcome", "response", "callStateUpdate", "localParticipantUpdate",
      "conversationUpdate", "participantsUpdate", "protocolError"};
  return names[message.index()];
}

const std::vector<std::string_view>& call_state_names() {
  static const std::vector<std::string_view> names = {
      "None", "Connecting", "Ringing", "Connected", "LocalHold",
      "RemoteHold", "InLobby", "Disconnecting", "Disconnected", "EarlyMedia"};
  return names;
}

Expected<Json, DecodeError> parse_json(std::string_view text) {
  if (text.size() > max_frame_bytes)
    return unexpected(DecodeError{"/", "message of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                                           std::to_string(max_frame_bytes), std::nullopt});
  if (!nesting_within_limit(text))
    return unexpected(DecodeError{"/", "JSON nested deeper than " + std::to_string(max_json_depth) + " levels", std::nullopt});
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return unexpected(DecodeError{"/", "malformed JSON", std::nullopt});
  return j;
}

std::string encode(const Request& request) {
  Json params = std::visit(
      [](const auto& p) -> Json {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, JoinMeeting>) return {{"meetingLink", p.meeting_link}};
        else if constexpr (std::is_same_v<P, JoinBreakoutRoom>) return {{"joinUrl", p.join_url}};
        else return {{"callId", p.call_id}};
      },
      request.params);
  return Json{{"type", "request"}, {"id", request.id}, {"method", method_name(request.params)}, {"params", params}}.dump();
}

Expected<Request, DecodeError> decode_request(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed) return unexpected(parsed.error());
  const Json& j = *parsed;
  std::optional<std::uint64_t> id;
  auto result = guarded<Request>([&]() -> Request {
    ObjectReader r(j, "");
    r.only({"type", "id", "method", "params"});
    if (r.string("type") != "request") fail("/type", "expected \"request\", got \"" + r.string("type") + "\"");
    Request req;
    req.id = r.unsigned_integer("id");
    id = req.id;
    std::string method = r.string("method");
    ObjectReader p(r.object("params"), "/params");
    if (method == "joinMeeting") {
      p.only({"meetingLink"});
      req.params = JoinMeeting{p.non_empty_string("meetingLink")};
    } else if (method == "joinBreakoutRoom") {
      p.only({"joinUrl"});
      req.params = JoinBreakoutRoom{p.non_empty_string("joinUrl")};
    } else if (method == "hold") {
      p.only({"callId"});
      req.params = Hold{call_id_of(p)};
    } else if (method == "resume") {
      p.only({"callId"});
      req.params = Resume{call_id_of(p)};
    } else if (method == "hangUp") {
      p.only({"callId"});
      req.params = HangUp{call_id_of(p)};
    } else {
      fail("/method", "unknown method '" + method + "'");
    }
    return req;
  });
  if (!result) {
    DecodeError e = result.error();
    e.request_id = id;
    return unexpected(std::move(e));
  }
  return result;
}

namespace {
/// Appends `text` as a JSON string, as nlohmann/json writes it. Ids and names are almost always
/// printable ASCII that needs no escaping; those are copied as they are, the rest go through the
/// library (which escapes and checks UTF-8).
void append_json_string(std::string& out, std::string_view text) {
  bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
  });
  if (plain) out.append("\"").append(text).append("\"");
  else out.append(Json(std::string(text)).dump());
}
}  // namespace

std::shared_ptr<const EncodedSettings> encode_settings(const MeetingBreakoutSettings& settings) {
  return std::make_shared<const EncodedSettings>(
      EncodedSettings{encode_meeting_details(settings).dump(), encode_additional_data(settings).dump()});
}

namespace {
// The updates a fan-out sends to everyone (and the roster lists of a meeting of a thousand) are written directly, not built as a JSON tree first:
// the same bytes (keys in the order nlohmann/json writes them), without copying the details.
std::string write_update(const ConversationUpdate& m) {
  std::string owned_details, owned_data;
  if (!m.encoded) {
    owned_details = m.meeting_details.dump();
    owned_data = m.additional_data.dump();
  }
  const std::string& details = m.encoded ? m.encoded->meeting_details : owned_details;
  const std::string& data = m.encoded ? m.encoded->additional_data : owned_data;
  std::string out;
  out.reserve(details.size() + data.size() + m.call_id.size() + 112);
  out.append("{\"additionalData\":").append(data).append(",\"callId\":");
  append_json_string(out, m.call_id);
  return out.append(",\"meetingDetails\":").append(details).append(",\"sequenceNumber\":")
      .append(std::to_string(m.sequence_number)).append(",\"type\":\"conversationUpdate\"}");
}

std::string write_update(const LocalParticipantUpdate& m) {
  std::string details = m.breakout_details.dump();
  std::string out;
  out.reserve(details.size() + m.call_id.size() + 96);
  out.append("{\"breakoutDetails\":").append(details).append(",\"callId\":");
  append_json_string(out, m.call_id);
  return out.append(",\"sequenceNumber\":").append(std::to_string(m.sequence_number))
      .append(",\"type\":\"localParticipantUpdate\"}");
}

std::string write_update(const ParticipantsUpdate& m) {
  std::string out;
  std::size_t size = 64 + m.call_id.size();
  for (const auto& p : m.added) size += p.id.size() + p.display_name.size() + 32;
  for (const auto& id : m.removed) size += id.size() + 4;
  out.reserve(size);
  out.append("{\"added\":[");
  for (std::size_t i = 0; i < m.added.size(); ++i) {
    out.append(i ? ",{\"displayName\":" : "{\"displayName\":");
    append_json_string(out, m.added[i].display_name);
    out.append(",\"id\":");
    append_json_string(out, m.added[i].id);
    out.push_back('}');
  }
  out.append("],\"callId\":");
  append_json_string(out, m.call_id);
  out.append(",\"removed\":[");
  for (std::size_t i = 0; i < m.removed.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, m.removed[i]);
  }
  return out.append("],\"type\":\"participantsUpdate\"}");
}

/// The fields of the other messages, as a tree ("type" is added by encode()).
Json fields_of(const Welcome& m) {
  return {{"participantId", m.participant_id}, {"displayName", m.display_name},
          {"identity", {{"kind", m.identity.kind}, {"id", m.identity.id}}}};
}
Json fields_of(const Response& m) {
  Json r{{"id", m.id}};
  if (m.error) r["error"] = error_json(*m.error);
  else r["result"] = m.result;
  return r;
}
Json fields_of(const CallStateUpdate& m) {
  Json r{{"callId", m.call_id}, {"state", m.state}};
  if (m.end_reason) r["callEndReason"] = error_json(*m.end_reason);
  return r;
}
Json fields_of(const ProtocolError& m) {
  Json r{{"code", m.code}, {"message", m.message}};
  if (m.request_id) r["requestId"] = *m.request_id;
  return r;
}
}  // namespace

std::string encode(const ServerMessage& message) {
  return std::visit(
      [&](const auto& m) -> std::string {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, ConversationUpdate> || std::is_same_v<M, LocalParticipantUpdate> ||
                      std::is_same_v<M, ParticipantsUpdate>) {
          return write_update(m);
        } else {
          Json out{{"type", message_type(message)}};
          out.update(fields_of(m));
          return out.dump();
        }
      },
      message);
}

Json to_json(const JoinResult& result) {
  return {{"callId", result.call_id}, {"threadId", result.thread_id}, {"callKind", result.call_kind}, {"role", result.role}};
}

Expected<JoinResult, DecodeError> decode_join_result(const Json& result) {
  return guarded<JoinResult>([&]() -> JoinResult {
    ObjectReader r(result, "/result");
    return JoinResult{r.non_empty_string("callId"), r.string("threadId"), r.string("callKind"), r.string("role")};
  });
}

Expected<ServerMessage, DecodeError> decode_server_message(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed) return unexpected(parsed.error());
  const Json& j = *parsed;
  return guarded<ServerMessage>([&]() -> ServerMessage {
    ObjectReader r(j, "");
    std::string type = r.string("type");
    if (type == "welcome") {
      ObjectReader id(r.object("identity"), "/identity");
      return Welcome{r.non_empty_string("participantId"), r.string("displayName"),
                     Identity{id.non_empty_string("kind"), id.non_empty_string("id")}};
    }
    if (type == "response") {
      Response resp;
      resp.id = r.unsigned_integer("id");
      if (r.find("error")) resp.error = read_error_body(r.object("error"), "/error");
      else resp.result = r.object("result");
      return resp;
    }
    if (type == "callStateUpdate") {
      CallStateUpdate u{r.non_empty_string("callId"), r.string("state"), std::nullopt};
      const auto& states = call_state_names();
      if (std::find(states.begin(), states.end(), u.state) == states.end())
        fail("/state", "unknown call state '" + u.state + "'");
      if (r.find("callEndReason")) u.end_reason = read_error_body(r.object("callEndReason"), "/callEndReason");
      return u;
    }
    if (type == "localParticipantUpdate") {
      return LocalParticipantUpdate{r.non_empty_string("callId"), r.unsigned_integer("sequenceNumber"),
                                    r.require("breakoutDetails")};
    }
    if (type == "conversationUpdate") {
      return ConversationUpdate{r.non_empty_string("callId"), r.unsigned_integer("sequenceNumber"),
                                r.require("meetingDetails"),
                                r.find("additionalData") ? *r.find("additionalData") : Json::object(), nullptr};
    }
    if (type == "participantsUpdate") {
      ParticipantsUpdate u{r.non_empty_string("callId"), {}, {}};
      const Json& added = r.array("added");
      for (std::size_t i = 0; i < added.size(); ++i) {
        ObjectReader p(added[i], "/added/" + std::to_string(i));
        u.added.push_back({p.non_empty_string("id"), p.string("displayName")});
      }
      const Json& removed = r.array("removed");
      for (std::size_t i = 0; i < removed.size(); ++i) {
        if (!removed[i].is_string() || removed[i].get_ref<const std::string&>().empty())
          fail("/removed/" + std::to_string(i), "expected a participant identifier");
        u.removed.push_back(removed[i].get<std::string>());
      }
      return u;
    }
    if (type == "protocolError") {
      ProtocolError e{r.integer("code"), r.string("message"), std::nullopt};
      if (r.find("requestId")) e.request_id = r.unsigned_integer("requestId");
      return e;
    }
    fail("/type", "unknown message type '" + type + "'");
  });
}

Json encode_breakout_details(const MainMeetingProperties& properties) {
  Json assigned = Json::array();
  for (const auto& room : properties.assigned_breakout_rooms) assigned.push_back(room_json(room, false));
  Json mmp{{"assignedBreakoutRooms", assigned}};
  if (properties.all_breakout_rooms) {
    Json all = Json::array();
    for (const auto& room : *properties.all_breakout_rooms) all.push_back(room_json(room, true));
    mmp["allBreakoutRooms"] = std::move(all);
  }
  return Json{{"mainMeetingProperties", mmp}};
}

Expected<MainMeetingProperties, DecodeError> decode_breakout_details(const Json& breakout_details) {
  return guarded<MainMeetingProperties>([&]() -> MainMeetingProperties {
    ObjectReader top(breakout_details, "/breakoutDetails");
    ObjectReader r(top.object("mainMeetingProperties"), "/breakoutDetails/mainMeetingProperties");
    MainMeetingProperties p;
    const Json& assigned = r.array("assignedBreakoutRooms");
    for (std::size_t i = 0; i < assigned.size(); ++i)
      p.assigned_breakout_rooms.push_back(read_room(assigned[i], r.at("assignedBreakoutRooms") + "/" + std::to_string(i), false));
    if (r.find("allBreakoutRooms")) {
      const Json& all = r.array("allBreakoutRooms");
      p.all_breakout_rooms.emplace();
      for (std::size_t i = 0; i < all.size(); ++i)
        p.all_breakout_rooms->push_back(read_room(all[i], r.at("allBreakoutRooms") + "/" + std::to_string(i), true));
    }
    return p;
  });
}

Json encode_meeting_details(const MeetingBreakoutSettings& settings) {
  Json props{{"mainMeetingJoinUrl", settings.main_meeting_join_url},
             {"breakoutRoomManagers", settings.breakout_room_managers}};
  props["roomEndTime"] = settings.room_end_time ? Json(*settings.room_end_time) : Json(nullptr);
  return Json{{"breakoutDetails", {{"breakoutRoomProperties", props}}}};
}

Json encode_additional_data(const MeetingBreakoutSettings& settings) {
  return Json{{"allowJoinBackToMainMeeting", settings.allow_join_back_to_main_meeting ? "true" : "false"}};
}

Expected<MeetingBreakoutSettings, DecodeError> decode_meeting_settings(const Json& meeting_details,
                                                                      const Json& additional_data) {
  return guarded<MeetingBreakoutSettings>([&]() -> MeetingBreakoutSettings {
    ObjectReader md(meeting_details, "/meetingDetails");
    ObjectReader bd(md.object("breakoutDetails"), "/meetingDetails/breakoutDetails");
    ObjectReader props(bd.object("breakoutRoomProperties"), "/meetingDetails/breakoutDetails/breakoutRoomProperties");
    MeetingBreakoutSettings s;
    s.room_end_time = props.optional_string("roomEndTime");
    s.main_meeting_join_url = props.optional_string("mainMeetingJoinUrl").value_or("");
    if (props.find("breakoutRoomManagers")) {
      const Json& managers = props.array("breakoutRoomManagers");
      for (std::size_t i = 0; i < managers.size(); ++i) {
        if (!managers[i].is_string())
          fail(props.at("breakoutRoomManagers") + "/" + std::to_string(i), "expected a string");
        s.breakout_room_managers.push_back(managers[i].get<std::string>());
      }
    }
    ObjectReader ad(additional_data, "/additionalData");
    // The service sends this flag as the string "true"/"false"; anything but "true" forbids the return.
    s.allow_join_back_to_main_meeting = ad.optional_string("allowJoinBackToMainMeeting").value_or("false") == "true";
    return s;
  });
}

std::optional<std::string> thread_id_from_join_url(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  auto path_start = url.find('/', scheme + 3);
  if (path_start == std::string_view::npos) return std::nullopt;
  std::string_view path = url.substr(path_start);
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  constexpr std::string_view prefix = "/l/meetup-join/";
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view segment = path.substr(prefix.size());
  segment = segment.substr(0, segment.find('/'));
  if (segment.empty()) return std::nullopt;
  auto decoded = url_decode(segment);
  if (!decoded || decoded->empty()) return std::nullopt;
  return decoded;
}

std::string join_url_for_thread(std::string_view thread_id) {
  std::string encoded;
  for (unsigned char c : thread_id) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02x", c);
      encoded += buf;
    }
  }
  return "https://teams.microsoft.com/l/meetup-join/" + encoded + "/0";
}

}  // namespace breakout::protocol
