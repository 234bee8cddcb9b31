// The mock Teams signaling server: WebSocket sessions in front of one Meeting.
#pragma once

#include <breakout/mock_server/actions.hpp>
#include <breakout/mock_server/meeting.hpp>
#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/expected.hpp>
#include <breakout/protocol/trace.hpp>
#include <breakout/protocol/traffic.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace breakout::mock {

struct ServerOptions {
  /// Connections beyond this are closed as soon as they are accepted.
  std::size_t max_connections = 1024;
  /// Frames waiting to be written to one client; past this the session is closed.
  std::size_t write_queue_limit = 1024;
  /// Told about every connection and frame (the harness's settle detection); may be null.
  protocol::TrafficMonitor* traffic = nullptr;
  /// Serve POST /actions (apply one server action given as JSON) and GET /legs.
  bool control_endpoint = true;
  /// Told about every connection, frame and control action, for traces; may be null.
  trace::Recorder* recorder = nullptr;
};

/// Accepts WebSocket clients on /signaling (token in the Authorization header), answers
/// GET /healthz, takes server actions on POST /actions (docs/mock-server.md), and plays one meeting. Runs on the given io_context; all its handlers run there,
/// so it is used from that thread only.
class Server {
 public:
  Server(boost::asio::io_context& io, clock::Clock& clock, MeetingConfig meeting, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts accepting. Port 0 picks an ephemeral port; the bound port is returned.
  Expected<std::uint16_t, std::string> listen(const std::string& address, std::uint16_t port);
  std::uint16_t port() const;
  /// ws://address:port/signaling
  std::string url() const;

  Expected<void, std::string> apply(const Action& action);
  const Meeting& meeting() const;
  /// Sessions currently open (WebSocket and plain HTTP).
  std::size_t session_count() const;

  /// Stops accepting and closes every session. Safe to call more than once.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace breakout::mock
