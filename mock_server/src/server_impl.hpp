// The mock server's network side, shared by its two Beast translation units: the server's state,
// the WebSocket session, and the accounting of connections that have not been upgraded yet.
// Private to mock_server/src; only server.cpp and http_session.cpp include it.
#pragma once

#include <breakout/mock_server/server.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace breakout::mock {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

class WsSession;
class HttpSession;
class PendingSlot;

struct Server::Impl {
  Impl(net::io_context& io_, clock::Clock& clock_, MeetingConfig config, ServerOptions options_)
      : io(io_), clock(clock_), options(std::move(options_)),
        meeting(std::move(config), clock_, [this](const std::string& pid, const protocol::ServerMessage& m) { deliver(pid, m); }),
        acceptor(io_) {}

  void deliver(const std::string& pid, const protocol::ServerMessage& message);
  Expected<void, std::string> apply(const Action& action);
  void do_accept();
  void attach(const std::shared_ptr<WsSession>& session);
  /// Forgets the session if it is the participant's current one; returns whether it was.
  bool detach(WsSession* session);
  std::shared_ptr<WsSession> session_of(const std::string& pid) const {
    auto it = by_participant.find(pid);
    return it == by_participant.end() ? nullptr : it->second.lock();
  }
  /// Whether new connections of this participant are being refused now.
  bool refusing(const std::string& pid) const {
    if (refuse_all_until && clock.now() < *refuse_all_until) return true;
    auto it = refuse_until.find(pid);
    return it != refuse_until.end() && clock.now() < it->second;
  }
  void send_now(const std::string& pid, std::string text);
  /// Something the protocol forbids was asked of the server: recorded, and refused.
  void violation(std::string what) { violations.push_back(std::move(what)); }
  /// Called when a connection ends; finishes a shutdown() once none is left.
  void connection_ended();

  net::io_context& io;
  clock::Clock& clock;
  ServerOptions options;
  Meeting meeting;
  tcp::acceptor acceptor;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  bool stopped = false;
  std::size_t live_sessions = 0;
  /// Connections not yet upgraded, oldest first, and their number by source address.
  std::list<PendingSlot*> pending;
  std::map<net::ip::address, std::size_t> pending_by_source;
  /// Makes room for one more pending connection from `source` by evicting the oldest one that is
  /// over a limit (of that source first, then of all).
  void make_pending_room(const net::ip::address& source);
  std::shared_ptr<Impl>* self = nullptr;
  std::map<std::string, std::weak_ptr<WsSession>> by_participant;
  /// Every WebSocket session still open, the replaced ones among them, to close on stop().
  std::vector<std::weak_ptr<WsSession>> ws_sessions;
  /// Every plain HTTP session's stream, to close on stop().
  std::vector<std::weak_ptr<beast::tcp_stream>> streams;
  /// Scripted disturbances of the messages to each participant, applied in order.
  std::map<std::string, std::deque<DisturbNext>> disturbances;
  /// Messages held back by reorderNext until the next one has gone out.
  std::map<std::string, std::vector<std::string>> held;
  std::optional<clock::TimePoint> refuse_all_until;
  std::map<std::string, clock::TimePoint> refuse_until;
  std::vector<std::string> violations;
  /// Set by shutdown(): called once the last connection has ended.
  std::function<void()> on_shutdown_done;
  std::unique_ptr<net::steady_timer> shutdown_timer;
};

/// Counts itself into the server's open connections for the connection limit.
class SessionCount {
 public:
  explicit SessionCount(std::shared_ptr<Server::Impl> server) : server_(std::move(server)) { ++server_->live_sessions; }
  ~SessionCount() {
    --server_->live_sessions;
    server_->connection_ended();
  }
  SessionCount(const SessionCount&) = delete;
  SessionCount& operator=(const SessionCount&) = delete;
  Server::Impl& server() const { return *server_; }
  const std::shared_ptr<Server::Impl>& server_ptr() const { return server_; }

 private:
  std::shared_ptr<Server::Impl> server_;
};

/// Holds one of the server's slots for connections that are not upgraded yet (in all and for the
/// source address), until the upgrade succeeds or the connection ends. When the slots are full, the
/// oldest holder is evicted (its connection closed) to make room: a legitimate client needs its
/// slot for the moment it takes to send a request, an idle flood needs it for ever.
class PendingSlot {
 public:
  PendingSlot(Server::Impl& server, net::ip::address source);
  ~PendingSlot() { release(); }
  PendingSlot(const PendingSlot&) = delete;
  PendingSlot& operator=(const PendingSlot&) = delete;
  /// How to close the connection holding the slot, should it be evicted.
  void on_evict(std::function<void()> evict) { evict_ = std::move(evict); }
  void release();
  /// Closes the connection and gives the slot back at once.
  void evict();
  const net::ip::address& source() const { return source_; }

 private:
  Server::Impl* server_;
  net::ip::address source_;
  std::list<PendingSlot*>::iterator position_;
  std::function<void()> evict_;
};

/// One admitted client: reads requests, hands them to the meeting, writes what the meeting says.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<Server::Impl> server, tcp::socket socket, std::string participant,
            std::unique_ptr<PendingSlot> pending);

  const std::string& participant() const { return participant_; }
  /// Completes the upgrade for the request already read.
  void run(http::request<http::string_body> req);
  void send(std::string text);
  /// Closes with a reason once the frame being written (if any) has gone; what is still queued is
  /// not sent. The connection is dropped if the close handshake is not over by the close deadline.
  void close(websocket::close_reason reason);
  /// Drops the TCP connection without a close handshake.
  void drop();
  /// Drops the TCP connection, but the meeting learns of it only `after` (on the injected clock).
  void drop_detected_after(clock::Duration after);

 private:
  Server::Impl& server() const { return count_.server(); }
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t);
  void do_write();
  void on_write(beast::error_code ec, std::size_t);
  void do_close();
  void arm_stall_timer(std::chrono::steady_clock::duration after);
  /// Drops the connection if it is still open after the close deadline; armed once.
  void arm_close_deadline();
  /// The connection is over: the transport at once, the meeting now or, for a drop detected
  /// late, when it is detected.
  void finish();
  void leave_meeting();

  SessionCount count_;
  std::unique_ptr<PendingSlot> pending_;
  // On the socket itself: the timeout layer of beast::tcp_stream is a quarter of the cost of every
  // write; the session's two real-time deadlines (upgrade, close) are its own timer.
  websocket::stream<tcp::socket> ws_;
  net::steady_timer deadline_;
  /// Watches the write queue: a client that has not caught up with what it was sent (the queue has
  /// not been empty) for the slow-reader deadline is closed. A reader that trickles is as stuck as
  /// one that stopped. One timer per deadline, armed while anything is queued.
  net::steady_timer stall_timer_;
  bool stall_armed_ = false;
  std::chrono::steady_clock::time_point backlog_since_;
  std::string participant_;
  std::uint16_t port_ = 0;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  websocket::close_reason close_reason_;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
  bool close_deadline_armed_ = false;
  bool read_paused_ = false;
  std::optional<clock::Duration> detected_after_;
};

/// A plain HTTP connection: becomes a WebSocket session on an authorised upgrade, answers
/// /healthz and the control endpoint, refuses everything else (http_session.cpp).
void start_http_session(const std::shared_ptr<Server::Impl>& server, tcp::socket socket, std::unique_ptr<PendingSlot> slot);

}  // namespace breakout::mock
