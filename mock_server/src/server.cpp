// The WebSocket side of the mock server: the listener, each participant's session with its bounded
// write queue and real-time deadlines, delivery with scripted disturbances, and the Server API.
#include "server_impl.hpp"

#include <breakout/protocol/numbers.hpp>
#include <breakout/protocol/text.hpp>

#include <random>

namespace breakout::mock {
namespace {

/// Close code for a session replaced by a newer connection of the same participant.
constexpr auto kCloseReplaced = static_cast<websocket::close_code>(4002);
/// Close codes for token problems; the SDK reports these as invalidToken.
constexpr auto kCloseTokenExpired = static_cast<websocket::close_code>(4001);
constexpr auto kCloseTokenRevoked = static_cast<websocket::close_code>(4003);

}  // namespace

std::string generate_control_secret() {
  std::random_device random;
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 4; ++i) {
    std::uint32_t word = random();
    for (int k = 0; k < 8; ++k, word >>= 4) out += kHex[word & 0xF];
  }
  return out;
}

// ---- WsSession ----------------------------------------------------------------------------------

WsSession::WsSession(std::shared_ptr<Server::Impl> server, tcp::socket socket, std::string participant,
                     std::unique_ptr<PendingSlot> pending)
    : count_(std::move(server)), pending_(std::move(pending)), ws_(std::move(socket)), deadline_(ws_.get_executor()),
      stall_timer_(ws_.get_executor()), participant_(std::move(participant)) {
  beast::error_code ec;
  auto remote = ws_.next_layer().remote_endpoint(ec);
  port_ = ec ? 0 : remote.port();
  if (pending_) pending_->on_evict([this] { drop(); });
}

void WsSession::run(http::request<http::string_body> req) {
  // Beast's own timers stay off: stories never wait on the network's clock. The upgrade and the
  // close handshake have real-time deadlines of their own (deadline_).
  ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false});
  ws_.read_message_max(protocol::max_frame_bytes);
  deadline_.expires_after(server().options.upgrade_deadline);
  deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec && !self->open_) self->drop();
  });
  ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::send(std::string text) {
  if (closing_ || !open_) return;
  if (text.size() > protocol::max_frame_bytes) {
    server().violation("a message of " + std::to_string(text.size()) + " bytes to " + participant_ +
                       "; the protocol allows at most " + std::to_string(protocol::max_frame_bytes));
    return;
  }
  if (queue_.size() >= server().options.write_queue_limit ||
      queued_bytes_ + text.size() > server().options.write_queue_bytes_limit) {
    close(websocket::close_reason(websocket::close_code::policy_error, "slow reader: write queue limit reached"));
    return;
  }
  if (auto* r = server().options.recorder) r->frame(participant_, trace::Direction::down, text, false);
  if (queue_.empty()) {
    backlog_since_ = std::chrono::steady_clock::now();
    if (!stall_armed_) arm_stall_timer(server().options.slow_reader_deadline);
  }
  queued_bytes_ += text.size();
  queue_.push_back(std::move(text));
  if (auto* t = server().options.traffic) t->frame_sent(protocol::Side::server, port_);
  if (!writing_) do_write();
}

void WsSession::close(websocket::close_reason reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = std::move(reason);
  // What is queued behind the frame in flight is not sent: the close goes next.
  while (queue_.size() > (writing_ ? 1u : 0u)) {
    queued_bytes_ -= queue_.back().size();
    queue_.pop_back();
  }
  arm_close_deadline();
  if (!writing_) do_close();
}

void WsSession::arm_close_deadline() {
  if (close_deadline_armed_) return;
  close_deadline_armed_ = true;
  deadline_.expires_after(server().options.close_deadline);
  // Whatever is still going on at the deadline (our close frame stuck behind a peer that does not
  // read, Beast's own close after a protocol error, a read loop that ended while the close goes
  // on), the socket goes.
  deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->drop();
  });
}

void WsSession::drop() {
  beast::error_code ec;
  auto& socket = ws_.next_layer();
  if (!socket.is_open()) return;
  // An abortive close (RST): a peer that does not read learns of it at once, and the kernel does
  // not keep what was queued for it (a FIN would wait behind that data for a window that never
  // opens).
  socket.set_option(net::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec || server().stopped) return;
  deadline_.cancel();
  pending_.reset();  // upgraded and authenticated: no longer counts against the pending limits
  open_ = true;
  if (auto* t = server().options.traffic) t->opened(protocol::Side::server, port_);
  if (auto* r = server().options.recorder) r->connection(participant_, "opened", "");
  server().ws_sessions.push_back(weak_from_this());
  server().attach(shared_from_this());
  const ParticipantConfig* p = server().meeting.participant(participant_);
  protocol::Identity identity{p->identity == IdentityKind::microsoft_365 ? "microsoftTeamsUser" : "communicationUser",
                              identifier_of(*p)};
  send(protocol::encode(protocol::ServerMessage(protocol::Welcome{participant_, p->display_name, identity})));
  server().meeting.participant_connected(participant_);
  do_read();
}

void WsSession::do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this())); }

void WsSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) return finish();
  if (auto* t = server().options.traffic) t->frame_received(protocol::Side::server, port_);
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (server().stopped) return finish();
  if (auto* r = server().options.recorder) r->frame(participant_, trace::Direction::up, text, !ws_.got_text());
  if (closing_) {
    // A closing session answers nothing more; it reads on to see the peer's close.
  } else if (!ws_.got_text()) {
    send(protocol::encode(protocol::ServerMessage(protocol::ProtocolError{400, "binary frames are not accepted", std::nullopt})));
  } else if (auto request = protocol::decode_request(text); !request) {
    const auto& e = request.error();
    send(protocol::encode(protocol::ServerMessage(protocol::ProtocolError{400, e.to_string(), e.request_id})));
  } else {
    server().meeting.handle(participant_, *request);
  }
  // Back-pressure: a client whose replies pile up is not read from until they have drained.
  if (queue_.size() * 2 >= server().options.write_queue_limit && !closing_) {
    read_paused_ = true;
    return;
  }
  do_read();
}

void WsSession::arm_stall_timer(std::chrono::steady_clock::duration after) {
  stall_armed_ = true;
  stall_timer_.expires_after(after);
  stall_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    self->stall_armed_ = false;
    if (self->queue_.empty() || self->closing_) return;
    auto behind = std::chrono::steady_clock::now() - self->backlog_since_;
    auto limit = self->server().options.slow_reader_deadline;
    if (behind >= limit) {
      self->close(websocket::close_reason(websocket::close_code::policy_error, "slow reader: not caught up"));
    } else {
      self->arm_stall_timer(limit - behind);
    }
  });
}

void WsSession::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return;  // the read loop sees the failure and finishes the session
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (read_paused_ && queue_.size() * 2 < server().options.write_queue_limit && !closing_) {
    read_paused_ = false;
    do_read();
  }
  if (!queue_.empty()) do_write();
  else if (closing_) do_close();
}

void WsSession::do_close() {
  if (close_sent_ || finished_) return;
  close_sent_ = true;
  // A paused read loop must run again to see the peer's answer to the close.
  if (read_paused_) {
    read_paused_ = false;
    do_read();
  }
  ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {});
}

void WsSession::drop_detected_after(clock::Duration after) {
  detected_after_ = after;
  drop();
}

void WsSession::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  stall_timer_.cancel();
  // The read loop is over; the socket may not be (a close handshake in progress, or one Beast began
  // on a protocol error): it has the close deadline to end.
  if (open_ && ws_.next_layer().is_open()) arm_close_deadline();
  else deadline_.cancel();
  if (!open_) return;
  if (auto* t = server().options.traffic) t->closed(protocol::Side::server, port_);
  if (auto* r = server().options.recorder) r->connection(participant_, "closed", "");
  if (!detected_after_ || server().stopped) return leave_meeting();
  server().clock.schedule(*detected_after_, [self = shared_from_this()] { self->leave_meeting(); });
}

void WsSession::leave_meeting() {
  // Only the participant's current connection going away makes the participant gone: a replaced
  // session that ends later must not cut the live one off from updates.
  bool current = server().detach(this);
  if (current && !server().stopped) server().meeting.participant_disconnected(participant_);
}

// ---- Server::Impl -------------------------------------------------------------------------------

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
    if (a->detected_after) s->drop_detected_after(*a->detected_after);
    else s->drop();
    return {};
  }
  if (auto* a = std::get_if<SendFrame>(&action)) {
    if (auto r = known(a->participant); !r) return r;
    if (!session_of(a->participant)) return unexpected("participant '" + a->participant + "' is not connected");
    // The server never sends what its own protocol forbids, whoever asks.
    if (a->text.size() > protocol::max_frame_bytes) {
      std::string what = "sendFrame: a frame of " + std::to_string(a->text.size()) + " bytes; the protocol allows at most " +
                         std::to_string(protocol::max_frame_bytes);
      violation(what);
      return unexpected(what);
    }
    if (auto bad = text::invalid_utf8_at(a->text)) {
      std::string what = "sendFrame: the text is not valid UTF-8 (byte " + std::to_string(*bad) + "); a text frame must be";
      violation(what);
      return unexpected(what);
    }
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

void Server::Impl::attach(const std::shared_ptr<WsSession>& session) {
  auto& slot = by_participant[session->participant()];
  if (auto older = slot.lock(); older && older != session) {
    older->close(websocket::close_reason(kCloseReplaced, "replaced by a newer connection"));
  }
  slot = session;
}

bool Server::Impl::detach(WsSession* session) {
  std::erase_if(ws_sessions, [session](const auto& w) {
    auto s = w.lock();
    return !s || s.get() == session;
  });
  auto it = by_participant.find(session->participant());
  if (it == by_participant.end() || it->second.lock().get() != session) return false;
  by_participant.erase(it);
  return true;
}

void Server::Impl::connection_ended() {
  if (on_shutdown_done && live_sessions == 0) {
    auto done = std::move(on_shutdown_done);
    on_shutdown_done = nullptr;
    if (shutdown_timer) shutdown_timer->cancel();
    done();
  }
}

PendingSlot::PendingSlot(Server::Impl& server, net::ip::address source) : server_(&server), source_(source) {
  position_ = server_->pending.insert(server_->pending.end(), this);
  ++server_->pending_by_source[source_];
}

void PendingSlot::release() {
  if (!server_) return;
  server_->pending.erase(position_);
  if (auto it = server_->pending_by_source.find(source_); it != server_->pending_by_source.end() && --it->second == 0)
    server_->pending_by_source.erase(it);
  server_ = nullptr;
}

void PendingSlot::evict() {
  release();
  if (auto evict = std::move(evict_)) evict();
}

void Server::Impl::make_pending_room(const net::ip::address& source) {
  if (auto it = pending_by_source.find(source); it != pending_by_source.end() && it->second >= options.max_pending_per_source) {
    for (PendingSlot* slot : pending)
      if (slot->source() == source) return slot->evict();
  }
  if (!pending.empty() && pending.size() >= options.max_pending) pending.front()->evict();
}

void Server::Impl::do_accept() {
  acceptor.async_accept([this, keep = *self](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (!ec) {
      beast::error_code source_ec;
      auto source = socket.remote_endpoint(source_ec).address();
      beast::error_code ignored;
      if (live_sessions >= options.max_connections || source_ec) {
        socket.close(ignored);
      } else {
        make_pending_room(source);
        socket.set_option(tcp::no_delay(true), ignored);  // small frames: no Nagle stalls
        if (options.socket_send_buffer)
          socket.set_option(net::socket_base::send_buffer_size(static_cast<int>(options.socket_send_buffer)), ignored);
        start_http_session(keep, std::move(socket), std::make_unique<PendingSlot>(*this, source));
      }
    }
    do_accept();
  });
}

// ---- Server ---------------------------------------------------------------------------------------

Server::Server(net::io_context& io, clock::Clock& clock, MeetingConfig meeting, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, clock, std::move(meeting), std::move(options))) {
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
  if (ec) return unexpected("cannot listen on " + numbers::format_host_port(address, port) + ": " + ec.message());
  impl_->address = addr.to_string();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->do_accept();
  return impl_->port;
}

std::uint16_t Server::port() const { return impl_->port; }

std::string Server::url() const { return "ws://" + numbers::format_host_port(impl_->address, impl_->port) + "/signaling"; }

Expected<void, std::string> Server::apply(const Action& action) { return impl_->apply(action); }

const Meeting& Server::meeting() const { return impl_->meeting; }

std::size_t Server::session_count() const { return impl_->live_sessions; }

const std::vector<std::string>& Server::protocol_violations() const { return impl_->violations; }

void Server::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->on_shutdown_done = nullptr;
  if (impl_->shutdown_timer) impl_->shutdown_timer->cancel();
  beast::error_code ec;
  impl_->acceptor.close(ec);
  for (auto& weak : impl_->ws_sessions)
    if (auto s = weak.lock()) s->drop();
  for (auto& [pid, weak] : impl_->by_participant)
    if (auto s = weak.lock()) s->drop();
  for (auto& weak : impl_->streams)
    if (auto s = weak.lock()) s->socket().close(ec);
  impl_->by_participant.clear();
  impl_->ws_sessions.clear();
  impl_->streams.clear();
}

void Server::shutdown(std::function<void()> done) {
  beast::error_code ec;
  impl_->acceptor.close(ec);
  for (auto& weak : impl_->streams)
    if (auto s = weak.lock()) s->socket().close(ec);
  impl_->streams.clear();
  auto sessions = impl_->ws_sessions;
  for (auto& weak : sessions)
    if (auto s = weak.lock()) s->close(websocket::close_reason(websocket::close_code::going_away, "server shutting down"));
  impl_->on_shutdown_done = std::move(done);
  // The close handshakes have their deadline; one more moment covers the drops it causes.
  impl_->shutdown_timer = std::make_unique<net::steady_timer>(impl_->io, impl_->options.close_deadline + std::chrono::milliseconds(250));
  impl_->shutdown_timer->async_wait([impl = impl_.get()](beast::error_code e) {
    if (e || !impl->on_shutdown_done) return;
    auto finish = std::move(impl->on_shutdown_done);
    impl->on_shutdown_done = nullptr;
    finish();
  });
  impl_->connection_ended();
}

}  // namespace breakout::mock
