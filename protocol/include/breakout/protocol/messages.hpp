// The signaling messages between the SDK and the mock server, with JSON encoding and strict decoding.
// docs/protocol.md describes each one with an example.
#pragma once

#include <breakout/protocol/expected.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace breakout::protocol {

using Json = nlohmann::json;

/// Frames larger than this are refused by both ends.
inline constexpr std::size_t max_frame_bytes = 1 << 20;
/// JSON nested deeper than this is refused before it is parsed.
inline constexpr int max_json_depth = 32;

/// Why a message could not be decoded: where (a JSON pointer) and what.
struct DecodeError {
  std::string path;
  std::string message;
  /// The request's id when it could be read, so the error reply can name it.
  std::optional<std::uint64_t> request_id;
  std::string to_string() const;
};

/// An error as the service reports it.
struct ErrorBody {
  int code = 0;
  int sub_code = 0;
  std::string message;
  bool operator==(const ErrorBody&) const = default;
};

// ---- requests, client to server --------------------------------------------------------------

struct JoinMeeting { std::string meeting_link; };
struct JoinBreakoutRoom { std::string join_url; };
struct Hold { std::string call_id; };
struct Resume { std::string call_id; };
struct HangUp { std::string call_id; };

using RequestParams = std::variant<JoinMeeting, JoinBreakoutRoom, Hold, Resume, HangUp>;

struct Request {
  std::uint64_t id = 0;
  RequestParams params;
};

/// The wire name of a request ("joinMeeting", "joinBreakoutRoom", "hold", "resume", "hangUp").
std::string_view method_name(const RequestParams& params);
/// Every method name, in the order of RequestParams.
const std::vector<std::string_view>& method_names();

// ---- server to client ------------------------------------------------------------------------

struct Identity {
  /// "communicationUser" or "microsoftTeamsUser".
  std::string kind;
  std::string id;
  bool operator==(const Identity&) const = default;
};

/// Sent once the token is accepted: who the server thinks this client is.
struct Welcome {
  std::string participant_id;
  std::string display_name;
  Identity identity;
};

/// Result of joinMeeting and joinBreakoutRoom.
struct JoinResult {
  std::string call_id;
  std::string thread_id;
  /// "teamsMeeting", "room", "oneToOne", "group", "oneToOneTeamsInterop", "groupTeamsInterop".
  std::string call_kind;
  /// "Organizer", "Co-organizer", "Presenter", "Attendee" (M365) or "Unknown".
  std::string role;
};

struct Response {
  std::uint64_t id = 0;
  std::optional<ErrorBody> error;
  Json result = Json::object();
};

/// A call leg's state changed on the server's side (the meeting ended, the room call was ended).
struct CallStateUpdate {
  std::string call_id;
  std::string state;
  std::optional<ErrorBody> end_reason;
};

/// The participant's breakout details, replacing the previous ones whole. The details are kept
/// raw here: reading them is the receiver's business (the SDK reports 46258 when it cannot).
struct LocalParticipantUpdate {
  std::string call_id;
  std::uint64_t sequence_number = 0;
  Json breakout_details;
};

/// The two objects of a conversationUpdate, encoded (encode_settings).
struct EncodedSettings {
  std::string meeting_details;
  std::string additional_data;
};

/// Meeting-level breakout settings, raw for the same reason.
struct ConversationUpdate {
  std::string call_id;
  std::uint64_t sequence_number = 0;
  Json meeting_details;
  Json additional_data;
  /// For a sender: the two objects above already encoded, shared by every recipient of a fan-out
  /// instead of copied and encoded once per recipient. When set, encode() writes these and does not
  /// look at the two trees. Decoding never sets it.
  std::shared_ptr<const EncodedSettings> encoded;
};

struct RemoteParticipant {
  std::string id;
  std::string display_name;
  bool operator==(const RemoteParticipant&) const = default;
};

/// The full list of other participants in a call.
struct ParticipantsUpdate {
  std::string call_id;
  /// Who came into the call (or, in the first update of a call, everyone already in it).
  std::vector<RemoteParticipant> added;
  /// The identifiers of those who left it.
  std::vector<std::string> removed;
};

/// The server could not accept what the client sent.
struct ProtocolError {
  int code = 400;
  std::string message;
  std::optional<std::uint64_t> request_id;
};

using ServerMessage = std::variant<Welcome, Response, CallStateUpdate, LocalParticipantUpdate,
                                   ConversationUpdate, ParticipantsUpdate, ProtocolError>;

std::string_view message_type(const ServerMessage& message);

std::string encode(const Request& request);
std::string encode(const ServerMessage& message);
Json to_json(const JoinResult& result);

Expected<Request, DecodeError> decode_request(std::string_view text);
Expected<ServerMessage, DecodeError> decode_server_message(std::string_view text);
Expected<JoinResult, DecodeError> decode_join_result(const Json& result);

/// Parses JSON text with the frame size and nesting limits applied.
Expected<Json, DecodeError> parse_json(std::string_view text);
/// Whether JSON text nests no deeper than max_json_depth, found without parsing it.
bool nesting_within_limit(std::string_view text);

// ---- breakout details --------------------------------------------------------------------------

/// A breakout room as the service describes it.
struct WireRoom {
  std::string name;
  std::string meeting_join_url;
  bool is_open = false;
  bool allow_move_participants_automatically = false;
  /// Invitee identifiers; sent in allBreakoutRooms only.
  std::vector<std::string> invitees;
  bool operator==(const WireRoom&) const = default;
};

/// breakoutDetails.mainMeetingProperties of a localParticipantUpdate.
struct MainMeetingProperties {
  std::vector<WireRoom> assigned_breakout_rooms;
  /// Present for breakout room managers only.
  std::optional<std::vector<WireRoom>> all_breakout_rooms;
  bool operator==(const MainMeetingProperties&) const = default;
};

Json encode_breakout_details(const MainMeetingProperties& properties);
Expected<MainMeetingProperties, DecodeError> decode_breakout_details(const Json& breakout_details);

/// Meeting-level breakout settings of a conversationUpdate.
struct MeetingBreakoutSettings {
  /// ISO 8601 UTC, absent when no end time is set.
  std::optional<std::string> room_end_time;
  std::string main_meeting_join_url;
  std::vector<std::string> breakout_room_managers;
  bool allow_join_back_to_main_meeting = true;
  bool operator==(const MeetingBreakoutSettings&) const = default;
};

Json encode_meeting_details(const MeetingBreakoutSettings& settings);
Json encode_additional_data(const MeetingBreakoutSettings& settings);
/// Both, encoded once for a fan-out (ConversationUpdate::encoded).
std::shared_ptr<const EncodedSettings> encode_settings(const MeetingBreakoutSettings& settings);
Expected<MeetingBreakoutSettings, DecodeError> decode_meeting_settings(const Json& meeting_details,
                                                                      const Json& additional_data);

/// The thread id carried by a Teams join URL: the URL-decoded segment after /l/meetup-join/.
/// nullopt when the URL has no such segment.
std::optional<std::string> thread_id_from_join_url(std::string_view url);
/// A Teams join URL for a thread id (the inverse of thread_id_from_join_url).
std::string join_url_for_thread(std::string_view thread_id);

/// Every CallState name of the shipped SDK.
const std::vector<std::string_view>& call_state_names();

}  // namespace breakout::protocol
