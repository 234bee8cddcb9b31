// The WebSocket front of the mock server: listener, HTTP sessions (upgrade, /healthz) and
// WebSocket sessions with a bounded write queue. The only Beast code of the mock server.
#include <breakout/mock_server/server.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <map>

namespace breakout::mock {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

/// Close code for a session replaced by a newer connection of the same participant.
constexpr auto kCloseReplaced = static_cast<websocket::close_code>(4002);
/// Close codes for token problems; the SDK reports these as invalidToken.
constexpr auto kCloseTokenExpired = static_cast<websocket::close_code>(4001);
constexpr auto kCloseTokenRevoked = static_cast<websocket::close_code>(4003);

std::string bearer_token(const http::request<http::string_body>& req) {
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return {};
  std::string_view value(it->value().data(), it->value().size());
  constexpr std::string_view prefix = "Bearer ";
  return value.starts_with(prefix) ? std::string(value.substr(prefix.size())) : std::string();
}

}  // namespace

class WsSession;

struct Server::Impl {
  Impl(net::io_context& io_, clock::Clock& clock_, MeetingConfig config, ServerOptions options_)
      : io(io_), clock(clock_), options(options_),
        meeting(std::move(config), clock_, [this](const std::string& pid, const protocol::ServerMessage& m) { deliver(pid, m); }),
        acceptor(io_) {}

  void deliver(const std::string& pid, const protocol::ServerMessage& message);
  Expected<void, std::string> apply(const Action& action);
  void do_accept();
  void attach(const std::shared_ptr<WsSession>& session);
  void detach(WsSession* session);
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

  net::io_context& io;
  clock::Clock& clock;
  ServerOptions options;
  Meeting meeting;
  tcp::acceptor acceptor;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  bool stopped = false;
  std::size_t live_sessions = 0;
  std::shared_ptr<Impl>* self = nullptr;
  std::map<std::string, std::weak_ptr<WsSession>> by_participant;
  /// Scripted disturbances of the messages to each participant, applied in order.
  std::map<std::string, std::deque<DisturbNext>> disturbances;
  /// Messages held back by reorderNext until the next one has gone out.
  std::map<std::string, std::vector<std::string>> held;
  void send_now(const std::string& pid, std::string text);
  std::optional<clock::TimePoint> refuse_all_until;
  std::map<std::string, clock::TimePoint> refuse_until;
  std::vector<std::weak_ptr<beast::tcp_stream>> streams;  // every session's stream, to close on stop()
};

/// Counts itself into the server's live sessions for the connection limit.
class SessionCount {
 public:
  explicit SessionCount(std::shared_ptr<Server::Impl> server) : server_(std::move(server)) { ++server_->live_sessions; }
  ~SessionCount() { --server_->live_sessions; }
  SessionCount(const SessionCount&) = delete;
  SessionCount& operator=(const SessionCount&) = delete;
  Server::Impl& server() const { return *server_; }
  const std::shared_ptr<Server::Impl>& server_ptr() const { return server_; }

 private:
  std::shared_ptr<Server::Impl> server_;
};

/// One admitted client: reads requests, hands them to the meeting, writes what the meeting says.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<Server::Impl> server, tcp::socket socket, std::string participant)
      : count_(std::move(server)), ws_(std::move(socket)), participant_(std::move(participant)) {
    beast::error_code ec;
    auto remote = ws_.next_layer().remote_endpoint(ec);
    port_ = ec ? 0 : remote.port();
  }

  const std::string& participant() const { return participant_; }

  void run(http::request<http::string_body> req) {
    // No real-time timeouts: under the harness, time is virtual.
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false});
    ws_.read_message_max(protocol::max_frame_bytes);
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

  void send(std::string text) {
    if (closing_ || !open_) return;
    if (queue_.size() >= server().options.write_queue_limit) {
      close(websocket::close_reason(websocket::close_code::policy_error, "write queue limit reached"));
      return;
    }
    if (auto* r = server().options.recorder) r->frame(participant_, trace::Direction::down, text, false);
    queue_.push_back(std::move(text));
    if (auto* t = server().options.traffic) t->frame_sent(protocol::Side::server, port_);
    if (queue_.size() == 1) do_write();
  }

  /// Closes with a reason once what is queued has been written.
  void close(websocket::close_reason reason) {
    if (closing_) return;
    closing_ = true;
    close_reason_ = std::move(reason);
    if (queue_.empty()) do_close();
  }

  /// Drops the TCP connection without a close handshake.
  void drop() {
    beast::error_code ec;
    ws_.next_layer().close(ec);
  }

 private:
  Server::Impl& server() const { return count_.server(); }

  void on_accept(beast::error_code ec) {
    if (ec || server().stopped) return;
    open_ = true;
    if (auto* t = server().options.traffic) t->opened(protocol::Side::server, port_);
    if (auto* r = server().options.recorder) r->connection(participant_, "opened", "");
    server().attach(shared_from_this());
    const ParticipantConfig* p = server().meeting.participant(participant_);
    protocol::Identity identity{p->identity == IdentityKind::microsoft_365 ? "microsoftTeamsUser" : "communicationUser",
                                identifier_of(*p)};
    send(protocol::encode(protocol::ServerMessage(protocol::Welcome{participant_, p->display_name, identity})));
    server().meeting.participant_connected(participant_);
    do_read();
  }

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return finish();
    if (auto* t = server().options.traffic) t->frame_received(protocol::Side::server, port_);
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (server().stopped) return finish();
    if (auto* r = server().options.recorder) r->frame(participant_, trace::Direction::up, text, !ws_.got_text());
    if (!ws_.got_text()) {
      send(protocol::encode(protocol::ServerMessage(protocol::ProtocolError{400, "binary frames are not accepted", std::nullopt})));
    } else if (auto request = protocol::decode_request(text); !request) {
      const auto& e = request.error();
      send(protocol::encode(protocol::ServerMessage(protocol::ProtocolError{400, e.to_string(), e.request_id})));
    } else {
      server().meeting.handle(participant_, *request);
    }
    // Back-pressure: a client whose replies pile up is not read from until they have drained.
    if (queue_.size() * 2 >= server().options.write_queue_limit) {
      read_paused_ = true;
      return;
    }
    do_read();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;  // the read loop sees the failure and finishes the session
    queue_.pop_front();
    if (read_paused_ && queue_.size() * 2 < server().options.write_queue_limit && !closing_) {
      read_paused_ = false;
      do_read();
    }
    if (!queue_.empty()) do_write();
    else if (closing_) do_close();
  }

  void do_close() {
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {});
  }

  /// The read loop ended: the session neither reads nor writes any more.
  void finish() {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    if (!open_) return;
    if (auto* t = server().options.traffic) t->closed(protocol::Side::server, port_);
    if (auto* r = server().options.recorder) r->connection(participant_, "closed", "");
    server().detach(this);
    if (!server().stopped) server().meeting.participant_disconnected(participant_);
  }

  SessionCount count_;
  // On the socket itself: the session needs no stream timeouts (time is virtual), and the
  // timeout layer of beast::tcp_stream is a quarter of the cost of every write.
  websocket::stream<tcp::socket> ws_;
  std::string participant_;
  std::uint16_t port_ = 0;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  websocket::close_reason close_reason_;
  bool open_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool read_paused_ = false;

  friend struct Server::Impl;
};

/// A plain HTTP connection: becomes a WebSocket session on an authorised upgrade, answers
/// /healthz, refuses everything else.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<Server::Impl> server, tcp::socket socket)
      : count_(std::move(server)), stream_(std::make_shared<beast::tcp_stream>(std::move(socket))) {}

  void run() {
    auto& streams = count_.server().streams;
    std::erase_if(streams, [](const auto& w) { return w.expired(); });
    streams.push_back(stream_);
    http::async_read(*stream_, buffer_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return shutdown();
    Server::Impl& server = count_.server();
    if (websocket::is_upgrade(req_)) {
      if (req_.target() != "/signaling") return respond(http::status::not_found, "no WebSocket endpoint at this path\n");
      auto participant = server.meeting.authenticate(bearer_token(req_));
      if (!participant) {
        if (auto* r = server.options.recorder) r->connection("", "refused", "401");
        return respond(http::status::unauthorized, "invalid or expired token\n");
      }
      if (server.refusing(*participant)) {
        if (auto* r = server.options.recorder) r->connection(*participant, "refused", "503");
        return respond(http::status::service_unavailable, "not accepting connections now\n");
      }
      if (server.stopped) return shutdown();
      auto session = std::make_shared<WsSession>(count_.server_ptr(), stream_->release_socket(), *participant);
      session->run(std::move(req_));
      return;
    }
    if (req_.method() == http::verb::get && req_.target() == "/healthz") return respond(http::status::ok, "ok\n");
    if (server.options.control_endpoint) {
      if (req_.method() == http::verb::post && req_.target() == "/actions") return control_action();
      if (req_.method() == http::verb::get && req_.target() == "/legs") return legs();
    }
    respond(http::status::not_found, "not found\n");
  }

  /// POST /actions: one server action as JSON, applied now.
  void control_action() {
    auto json = protocol::parse_json(req_.body());
    if (!json) return respond_json(http::status::bad_request, {{"error", {{"field", ""}, {"message", json.error().message}}}});
    auto action = parse_action(*json);
    if (!action)
      return respond_json(http::status::bad_request, {{"error", {{"field", action.error().field}, {"message", action.error().message}}}});
    if (auto* r = count_.server().options.recorder) r->server_action(*json);
    auto applied = count_.server().apply(*action);
    if (!applied) return respond_json(http::status::conflict, {{"error", {{"field", ""}, {"message", applied.error()}}}});
    respond_json(http::status::ok, {{"ok", true}});
  }

  /// GET /legs: every call leg and its state.
  void legs() {
    protocol::Json list = protocol::Json::array();
    for (const auto& l : count_.server().meeting.legs())
      list.push_back({{"callId", l.call_id}, {"participant", l.participant}, {"room", l.room}, {"state", l.state}});
    respond_json(http::status::ok, {{"legs", list}});
  }

  void respond_json(http::status status, const protocol::Json& body) {
    respond(status, body.dump() + "\n", "application/json");
  }

  void respond(http::status status, std::string body, const char* content_type = "text/plain") {
    res_.result(status);
    res_.version(req_.version());
    res_.set(http::field::content_type, content_type);
    res_.keep_alive(false);
    res_.body() = std::move(body);
    res_.prepare_payload();
    http::async_write(*stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) { self->shutdown(); });
  }

  void shutdown() {
    beast::error_code ec;
    stream_->socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_->socket().close(ec);
  }

  SessionCount count_;
  std::shared_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void Server::Impl::send_now(const std::string& pid, std::string text) {
  if (auto session = session_of(pid)) session->send(std::move(text));
}

void Server::Impl::deliver(const std::string& pid, const protocol::ServerMessage& message) {
  std::string text = protocol::encode(message);
  auto scripted = disturbances.find(pid);
  bool sent = false;
  if (scripted == disturbances.end() || scripted->second.empty()) {
    send_now(pid, std::move(text));
    sent = true;
  } else {
    auto& queue = scripted->second;
    DisturbNext& d = queue.front();
    switch (d.kind) {
      case DisturbNext::Kind::drop:
        break;
      case DisturbNext::Kind::duplicate:
        send_now(pid, text);
        send_now(pid, std::move(text));
        sent = true;
        break;
      case DisturbNext::Kind::delay:
        clock.schedule(d.delay, [this, keep = *self, pid, text = std::move(text)]() mutable {
          if (!stopped) send_now(pid, std::move(text));
        });
        break;
      case DisturbNext::Kind::reorder:
        held[pid].push_back(std::move(text));
        break;
    }
    if (--d.count == 0) queue.pop_front();
  }
  // Messages held back by reorderNext go out right after the next one that was sent.
  if (sent && !held.empty()) {
    if (auto h = held.find(pid); h != held.end()) {
      auto later = std::move(h->second);
      held.erase(h);
      for (auto& t : later) send_now(pid, std::move(t));
    }
  }
}

void Server::Impl::attach(const std::shared_ptr<WsSession>& session) {
  auto& slot = by_participant[session->participant()];
  if (auto older = slot.lock(); older && older != session) {
    older->close(websocket::close_reason(kCloseReplaced, "replaced by a newer connection"));
  }
  slot = session;
}

void Server::Impl::detach(WsSession* session) {
  auto it = by_participant.find(session->participant());
  if (it != by_participant.end() && it->second.lock().get() == session) by_participant.erase(it);
}

void Server::Impl::do_accept() {
  acceptor.async_accept([this, keep = *self](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (!ec) {
      if (live_sessions >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // small frames: no Nagle stalls
        std::make_shared<HttpSession>(keep, std::move(socket))->run();
      }
    }
    do_accept();
  });
}

Server::Server(net::io_context& io, clock::Clock& clock, MeetingConfig meeting, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, clock, std::move(meeting), options)) {
  impl_->self = &impl_;
}

Server::~Server() {
  stop();
  impl_->self = nullptr;
}

Expected<std::uint16_t, std::string> Server::listen(const std::string& address, std::uint16_t port) {
  beast::error_code ec;
  auto addr = net::ip::make_address(address, ec);
  if (ec) return unexpected("not an IP address: '" + address + "'");
  tcp::endpoint endpoint(addr, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return unexpected("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  impl_->address = address;
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->do_accept();
  return impl_->port;
}

std::uint16_t Server::port() const { return impl_->port; }

std::string Server::url() const {
  return "ws://" + impl_->address + ":" + std::to_string(impl_->port) + "/signaling";
}

Expected<void, std::string> Server::Impl::apply(const Action& action) {
  auto participant_of = [](const auto& a) -> std::string { return a.participant; };
  auto known = [&](const std::string& pid) -> Expected<void, std::string> {
    if (!meeting.participant(pid)) return unexpected("no participant '" + pid + "'");
    return {};
  };
  if (auto* a = std::get_if<ExpireToken>(&action)) {
    if (auto r = meeting.revoke_token(participant_of(*a)); !r) return r;
    if (auto session = session_of(a->participant)) session->close(websocket::close_reason(kCloseTokenExpired, "token expired"));
    return {};
  }
  if (auto* a = std::get_if<RevokeToken>(&action)) {
    if (auto r = meeting.revoke_token(participant_of(*a)); !r) return r;
    if (auto session = session_of(a->participant)) session->close(websocket::close_reason(kCloseTokenRevoked, "token revoked"));
    return {};
  }
  if (auto* a = std::get_if<DropConnection>(&action)) {
    if (auto r = known(a->participant); !r) return r;
    auto s = session_of(a->participant);
    if (!s) return unexpected("participant '" + a->participant + "' is not connected");
    s->drop();
    return {};
  }
  if (auto* a = std::get_if<SendFrame>(&action)) {
    if (auto r = known(a->participant); !r) return r;
    if (!session_of(a->participant)) return unexpected("participant '" + a->participant + "' is not connected");
    send_now(a->participant, a->text);
    return {};
  }
  if (auto* a = std::get_if<DisturbNext>(&action)) {
    if (auto r = known(a->participant); !r) return r;
    disturbances[a->participant].push_back(*a);
    return {};
  }
  if (auto* a = std::get_if<RefuseConnections>(&action)) {
    clock::TimePoint until = clock.now() + a->duration;
    if (a->participant) {
      if (auto r = known(*a->participant); !r) return r;
      refuse_until[*a->participant] = until;
    } else {
      refuse_all_until = until;
    }
    return {};
  }
  return meeting.apply(action);
}

Expected<void, std::string> Server::apply(const Action& action) { return impl_->apply(action); }

const Meeting& Server::meeting() const { return impl_->meeting; }

std::size_t Server::session_count() const { return impl_->live_sessions; }

void Server::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  for (auto& [pid, weak] : impl_->by_participant)
    if (auto s = weak.lock()) s->drop();
  for (auto& weak : impl_->streams)
    if (auto s = weak.lock()) s->socket().close(ec);
  impl_->by_participant.clear();
  impl_->streams.clear();
}

}  // namespace breakout::mock
