// Fuzz target: the SDK's reading of what the server sends, breakout details and settings above all.
#include <breakout/protocol/messages.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace protocol = breakout::protocol;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = protocol::decode_server_message(text);
  if (!message) return 0;
  if (auto* update = std::get_if<protocol::LocalParticipantUpdate>(&*message)) {
    if (auto details = protocol::decode_breakout_details(update->breakout_details)) {
      for (const auto& room : details->assigned_breakout_rooms) (void)protocol::thread_id_from_join_url(room.meeting_join_url);
      if (details->all_breakout_rooms)
        for (const auto& room : *details->all_breakout_rooms) (void)protocol::thread_id_from_join_url(room.meeting_join_url);
      // What was read can be written back and read again the same.
      auto again = protocol::decode_breakout_details(protocol::encode_breakout_details(*details));
      if (!again || !(*again == *details)) __builtin_trap();
    }
  }
  if (auto* update = std::get_if<protocol::ConversationUpdate>(&*message))
    (void)protocol::decode_meeting_settings(update->meeting_details, update->additional_data);
  if (auto* response = std::get_if<protocol::Response>(&*message))
    if (!response->error) (void)protocol::decode_join_result(response->result);
  return 0;
}
