// The breakout-rooms error table and service error mapping.
#include <breakout/sdk/errors.hpp>

#include <array>

namespace breakout::sdk {
namespace {

struct Row {
  int sub_code;
  int code;
  ResultCategory category;
  std::string_view message;
};

constexpr std::array<Row, 14> kTable = {{
    {46250, 400, ResultCategory::expected_error, "the breakout rooms feature is only available in Teams meetings"},
    {46251, 405, ResultCategory::expected_error, "the breakout rooms feature is currently disabled by the service"},
    {46252, 422, ResultCategory::expected_error, "cannot subscribe to an unknown breakout rooms event"},
    {46253, 422, ResultCategory::expected_error, "cannot unsubscribe from an unknown breakout rooms event"},
    {46254, 500, ResultCategory::unexpected_server_error, "unable to join the breakout room"},
    {46255, 500, ResultCategory::unexpected_server_error, "unable to hold the main meeting"},
    {46256, 412, ResultCategory::expected_error, "unable to join the breakout room as the room is closed"},
    {46257, 412, ResultCategory::unexpected_server_error, "unable to resume the main meeting"},
    {46258, 412, ResultCategory::unexpected_client_error, "unable to read the breakout room details"},
    {46259, 500, ResultCategory::unexpected_server_error, "could not hang up the breakout room call"},
    {46260, 412, ResultCategory::unexpected_client_error, "cannot join a breakout room that is not assigned"},
    {46261, 412, ResultCategory::unexpected_client_error, "unable to return to the main meeting"},
    {46262, 412, ResultCategory::expected_error, "cannot return to the main meeting: already in the main meeting"},
    {46263, 412, ResultCategory::unexpected_client_error, "could not hang up the previous breakout room call"},
}};

}  // namespace

std::string_view to_string(ResultCategory category) {
  switch (category) {
    case ResultCategory::expected_error: return "ExpectedError";
    case ResultCategory::unexpected_client_error: return "UnexpectedClientError";
    case ResultCategory::unexpected_server_error: return "UnexpectedServerError";
  }
  return "UnexpectedClientError";
}

CallError breakout_error(int sub_code, std::string_view detail, std::optional<protocol::ErrorBody> inner) {
  for (const auto& row : kTable) {
    if (row.sub_code != sub_code) continue;
    CallError e{row.code, row.sub_code, row.category, std::string(row.message), std::move(inner)};
    if (!detail.empty()) e.message += ": " + std::string(detail);
    return e;
  }
  return CallError{500, sub_code, ResultCategory::unexpected_client_error, std::string(detail), std::move(inner)};
}

CallError service_error(const protocol::ErrorBody& body) {
  ResultCategory category = body.code >= 500 ? ResultCategory::unexpected_server_error
                                             : ResultCategory::unexpected_client_error;
  return CallError{body.code, body.sub_code, category, body.message, body};
}

}  // namespace breakout::sdk
