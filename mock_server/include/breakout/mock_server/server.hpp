// The mock Teams signaling server: WebSocket sessions in front of one Meeting.
#pragma once

#include <breakout/mock_server/actions.hpp>
#include <breakout/mock_server/meeting.hpp>
#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/expected.hpp>
#include <breakout/protocol/trace.hpp>
#include <breakout/protocol/traffic.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace breakout::mock {

/// Limits and deadlines of the real network side (docs/robustness.md has the table). Deadlines are
/// real time, never the injected clock: no story can observe them, and stories stay deterministic.
struct ServerOptions {
  /// Open connections in all (upgraded or not); connections beyond this are closed as soon as they
  /// are accepted.
  std::size_t max_connections = 1024;
  /// Connections not yet upgraded to an authenticated WebSocket (or plain HTTP requests), in all and
  /// from one source address: an idle or half-open flood from one place cannot lock others out.
  std::size_t max_pending = 512;
  std::size_t max_pending_per_source = 64;
  /// Real time a connection has to send its HTTP request and complete the upgrade or get its answer.
  std::chrono::milliseconds upgrade_deadline{5000};
  /// Real time a close handshake may take before the connection is dropped.
  std::chrono::milliseconds close_deadline{2000};
  /// Real time a client may stay behind what it was sent (its write queue not once empty); past it
  /// the client is a slow reader and is closed with 1008 (policy violation). A reader that trickles
  /// is caught as surely as one that stopped.
  std::chrono::milliseconds slow_reader_deadline{10000};
  /// Frames and bytes waiting to be written to one client. Past either, the client is a slow reader:
  /// what is queued is discarded and the connection is closed with 1008 (policy violation).
  std::size_t write_queue_limit = 1024;
  std::size_t write_queue_bytes_limit = std::size_t{16} << 20;
  /// The kernel's send buffer per connection (0: the system's own, which grows to megabytes): what
  /// a client that does not read can make the machine hold for it, and how soon its writes stall.
  std::size_t socket_send_buffer = std::size_t{256} << 10;
  /// Told about every connection and frame (the harness's settle detection); may be null.
  protocol::TrafficMonitor* traffic = nullptr;
  /// Serve POST /actions (apply one server action given as JSON) and GET /legs. Off unless asked;
  /// when on, every request must carry `control_secret` in X-Control-Secret, a loopback Host (or the
  /// bound address), no foreign Origin, and (for POST) a JSON body (docs/mock-server.md).
  bool control_endpoint = false;
  std::string control_secret;
  /// Told about every connection, frame and control action, for traces; may be null.
  trace::Recorder* recorder = nullptr;
};

/// A random secret for the control endpoint: 32 hexadecimal digits from the system's random source.
std::string generate_control_secret();

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

  /// Stops accepting and drops every connection at once. Safe to call more than once.
  void stop();
  /// Stops accepting and closes every WebSocket with 1001 (going away) and a close handshake;
  /// calls `done` once every connection has ended or the close deadline has passed.
  void shutdown(std::function<void()> done);

  /// What the server was asked to do that its protocol forbids (a frame over the size limit, say),
  /// in order. The server refuses to do it; a harness fails the run that asked.
  const std::vector<std::string>& protocol_violations() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace breakout::mock
