// The SDK's seam to the network: a message pipe to the signaling service.
#pragma once

#include <breakout/protocol/traffic.hpp>

#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace breakout::sdk {

/// How a connection ended.
struct TransportClosed {
  enum class Kind {
    /// The service refused the token on connect (HTTP 401).
    token_rejected,
    /// The service closed the connection on purpose, with a WebSocket close code and reason.
    closed_by_service,
    /// Anything else: refused, reset, dropped.
    network,
  };
  Kind kind = Kind::network;
  int code = 0;
  std::string reason;
};

/// Close codes the service uses for token problems; the SDK reports them as invalidToken.
inline constexpr int close_token_expired = 4001;
inline constexpr int close_token_revoked = 4003;

/// One connection attempt to the service. Handlers are called on the io_context's thread; none
/// is called after the transport is destroyed.
class Transport {
 public:
  struct Handlers {
    std::function<void()> on_open;
    std::function<void(std::string)> on_message;
    std::function<void(TransportClosed)> on_closed;
  };
  virtual ~Transport() = default;
  virtual void open(Handlers handlers) = 0;
  virtual void send(std::string text) = 0;
  virtual void close() = 0;
};

/// Makes a fresh transport for each connection attempt, given the token to present.
using TransportFactory = std::function<std::unique_ptr<Transport>(const std::string& token)>;

/// A WebSocket transport to `url` (ws://127.0.0.1:PORT/signaling) that presents the token as
/// "Authorization: Bearer". `traffic` may be null.
TransportFactory websocket_transport(boost::asio::io_context& io, std::string url,
                                     protocol::TrafficMonitor* traffic = nullptr);

}  // namespace breakout::sdk
