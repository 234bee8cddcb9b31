// Errors as the SDK reports them: code, subCode, result category and message.
#pragma once

#include <breakout/protocol/expected.hpp>
#include <breakout/protocol/messages.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace breakout::sdk {

enum class ResultCategory { expected_error, unexpected_client_error, unexpected_server_error };

/// "ExpectedError", "UnexpectedClientError" or "UnexpectedServerError".
std::string_view to_string(ResultCategory category);

/// An error of an SDK operation. Tests compare code and sub_code; the message is for people.
struct CallError {
  int code = 0;
  int sub_code = 0;
  ResultCategory category = ResultCategory::unexpected_client_error;
  std::string message;
  /// The service's own error, when this one wraps it.
  std::optional<protocol::ErrorBody> inner;
};

template <class T>
using Result = Expected<T, CallError>;

/// The breakout-rooms subcodes (the shipped SDK's table; docs/conformance.md, BR-ERR).
namespace subcode {
inline constexpr int not_a_teams_meeting = 46250;
inline constexpr int feature_disabled = 46251;
inline constexpr int subscribe_unknown_event = 46252;
inline constexpr int unsubscribe_unknown_event = 46253;
inline constexpr int join_failed = 46254;
inline constexpr int hold_main_meeting_failed = 46255;
inline constexpr int room_closed = 46256;
inline constexpr int resume_main_meeting_failed = 46257;
inline constexpr int unreadable_details = 46258;
inline constexpr int hang_up_room_failed = 46259;
inline constexpr int no_room_assigned = 46260;
inline constexpr int return_failed = 46261;
inline constexpr int already_in_main_meeting = 46262;
inline constexpr int hang_up_previous_room_failed = 46263;
}  // namespace subcode

/// The error for a breakout-rooms subcode, with the table's code and category; `detail` is
/// appended to the message, `inner` kept as the service's error.
CallError breakout_error(int sub_code, std::string_view detail = {},
                         std::optional<protocol::ErrorBody> inner = std::nullopt);

/// An error the service returned for a plain call operation (hold, resume, hang up, join).
CallError service_error(const protocol::ErrorBody& body);

}  // namespace breakout::sdk
