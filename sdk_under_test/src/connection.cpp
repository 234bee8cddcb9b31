// Requests, admission and reconnect back-off over a Transport.
#include "connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace breakout::sdk {

Connection::Connection(boost::asio::io_context& io, clock::Clock& clock, TransportFactory factory, std::string token,
                       ReconnectPolicy policy, clock::Duration request_timeout)
    : io_(io), clock_(clock), factory_(std::move(factory)), token_(std::move(token)), policy_(policy),
      request_timeout_(request_timeout) {}

Connection::~Connection() {
  if (retry_timer_) clock_.cancel(*retry_timer_);
  for (auto& [id, p] : pending_) clock_.cancel(p.timeout);
}

void Connection::start(Handlers handlers) {
  handlers_ = std::move(handlers);
  connect_attempt();
}

void Connection::defer(std::function<void()> fn) {
  boost::asio::post(io_, [weak = weak_from_this(), fn = std::move(fn)] {
    if (weak.lock()) fn();
  });
}

void Connection::connect_attempt() {
  retry_timer_.reset();
  transport_ = factory_(token_);
  std::weak_ptr<Connection> weak = weak_from_this();
  transport_->open(Transport::Handlers{
      [] {},  // admission is the welcome message, not the open socket
      [weak](std::string text) {
        if (auto self = weak.lock()) self->on_text(text);
      },
      [weak](TransportClosed info) {
        if (auto self = weak.lock()) self->on_closed(info);
      },
  });
}

void Connection::request(protocol::RequestParams params, Reply reply) {
  if (!admitted_ || !transport_) {
    defer([reply = std::move(reply)] { reply(unexpected(protocol::ErrorBody{503, 0, "not connected to the service"})); });
    return;
  }
  std::uint64_t id = next_request_id_++;
  std::weak_ptr<Connection> weak = weak_from_this();
  auto timeout = clock_.schedule(request_timeout_, [weak, id] {
    auto self = weak.lock();
    if (!self) return;
    auto it = self->pending_.find(id);
    if (it == self->pending_.end()) return;
    Reply late = std::move(it->second.reply);
    self->pending_.erase(it);
    late(unexpected(protocol::ErrorBody{408, 0, "the service did not answer within " + clock::format_duration(self->request_timeout_)}));
  });
  pending_.emplace(id, Pending{std::move(reply), timeout});
  transport_->send(protocol::encode(protocol::Request{id, std::move(params)}));
}

void Connection::close() {
  finished_ = true;
  admitted_ = false;
  if (retry_timer_) clock_.cancel(*retry_timer_);
  retry_timer_.reset();
  if (transport_) transport_->close();
  fail_pending({503, 0, "the agent was disposed"});
}

void Connection::on_text(const std::string& text) {
  auto decoded = protocol::decode_server_message(text);
  if (!decoded) return;  // an unreadable message from the service carries nothing we can act on
  auto& message = *decoded;
  if (auto* welcome = std::get_if<protocol::Welcome>(&message)) {
    admitted_ = true;
    failed_attempts_ = 0;
    if (handlers_.on_admitted) handlers_.on_admitted(*welcome);
    return;
  }
  if (auto* response = std::get_if<protocol::Response>(&message)) {
    Reply reply = take_pending(response->id);
    if (!reply) return;  // a reply to nothing we asked (or asked and gave up on): ignored
    if (response->error) reply(unexpected(*response->error));
    else reply(response->result);
    return;
  }
  if (auto* error = std::get_if<protocol::ProtocolError>(&message)) {
    if (!error->request_id) return;
    Reply reply = take_pending(*error->request_id);
    if (!reply) return;
    reply(unexpected(protocol::ErrorBody{error->code, 0, error->message}));
    return;
  }
  if (handlers_.on_message) handlers_.on_message(message);
}

Connection::Reply Connection::take_pending(std::uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return nullptr;
  Reply reply = std::move(it->second.reply);
  clock_.cancel(it->second.timeout);
  pending_.erase(it);
  return reply;
}

void Connection::fail_pending(const protocol::ErrorBody& error) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    clock_.cancel(p.timeout);
    p.reply(unexpected(error));
  }
}

void Connection::on_closed(const TransportClosed& info) {
  // The transport is finished; keep it alive until this handler returns.
  auto finished_transport = std::move(transport_);
  admitted_ = false;
  fail_pending({503, 0, "the connection to the service was lost"});
  if (finished_) return;

  bool token_problem = info.kind == TransportClosed::Kind::token_rejected ||
                       (info.kind == TransportClosed::Kind::closed_by_service &&
                        (info.code == close_token_expired || info.code == close_token_revoked));
  if (token_problem) {
    finished_ = true;
    if (handlers_.on_lost) handlers_.on_lost(ConnectionStateReason::invalid_token);
    return;
  }
  if (failed_attempts_ >= policy_.max_attempts) {
    finished_ = true;
    if (handlers_.on_lost) handlers_.on_lost(ConnectionStateReason::connection_issue);
    return;
  }
  clock::Duration backoff = policy_.initial_backoff;
  for (int i = 0; i < failed_attempts_; ++i) backoff *= policy_.backoff_multiplier;
  ++failed_attempts_;
  std::weak_ptr<Connection> weak = weak_from_this();
  retry_timer_ = clock_.schedule(backoff, [weak] {
    if (auto self = weak.lock(); self && !self->finished_) self->connect_attempt();
  });
}

}  // namespace breakout::sdk
