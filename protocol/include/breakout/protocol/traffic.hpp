// Accounting hooks that let an in-process owner know when every message sent has been received.
#pragma once

#include <cstdint>

namespace breakout::protocol {

enum class Side { client, server };

/// Told about every WebSocket connection and frame by both ends. The harness implements it to
/// detect when the system has settled; standalone programs pass none. Connections are identified
/// by the client's ephemeral port, which both ends know. Called on the io_context's thread.
class TrafficMonitor {
 public:
  virtual ~TrafficMonitor() = default;
  /// A client started connecting (TCP connect plus WebSocket handshake).
  virtual void connect_started() = 0;
  /// That attempt ended, opened or failed.
  virtual void connect_finished() = 0;
  virtual void opened(Side side, std::uint16_t client_port) = 0;
  /// A frame was queued for sending on this side.
  virtual void frame_sent(Side side, std::uint16_t client_port) = 0;
  /// A frame was read on this side.
  virtual void frame_received(Side side, std::uint16_t client_port) = 0;
  /// This side will neither send nor read on the connection any more.
  virtual void closed(Side side, std::uint16_t client_port) = 0;
};

}  // namespace breakout::protocol
