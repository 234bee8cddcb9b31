// The mock server's plain HTTP side: the upgrade to an authenticated WebSocket, /healthz, and the
// control endpoint with the checks that keep a web page in a browser from driving it.
#include "server_impl.hpp"

#include <breakout/protocol/text.hpp>

namespace breakout::mock {
namespace {

/// Request heads larger than this are refused; a control action body is small JSON.
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 64 * 1024;

std::string_view field(const http::request<http::string_body>& req, http::field name) {
  auto it = req.find(name);
  return it == req.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

std::string bearer_token(const http::request<http::string_body>& req) {
  std::string_view value = field(req, http::field::authorization);
  constexpr std::string_view prefix = "Bearer ";
  return value.starts_with(prefix) ? std::string(value.substr(prefix.size())) : std::string();
}

/// The host of a Host header value or of an origin's authority, without port or brackets.
std::string_view host_of(std::string_view authority) {
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    return close == std::string_view::npos ? std::string_view() : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

bool loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  beast::error_code ec;
  auto address = net::ip::make_address_v4(std::string(host), ec);
  return !ec && address.is_loopback();
}

/// Equal in time that does not depend on where the first difference is.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

}  // namespace

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<Server::Impl> server, tcp::socket socket, std::unique_ptr<PendingSlot> slot)
      : count_(std::move(server)), slot_(std::move(slot)), stream_(std::make_shared<beast::tcp_stream>(std::move(socket))) {
    slot_->on_evict([stream = std::weak_ptr<beast::tcp_stream>(stream_)] {
      beast::error_code ec;
      if (auto s = stream.lock()) s->socket().close(ec);
    });
  }

  void run() {
    auto& streams = count_.server().streams;
    std::erase_if(streams, [](const auto& w) { return w.expired(); });
    streams.push_back(stream_);
    parser_.header_limit(kMaxHeaderBytes);
    parser_.body_limit(kMaxBodyBytes);
    // Real time, not the story's: a client that never finishes its request loses the connection.
    stream_->expires_after(count_.server().options.upgrade_deadline);
    http::async_read(*stream_, buffer_, parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::header_limit || ec == http::error::body_limit)
      return respond(http::status::payload_too_large, "request too large\n");
    if (ec) return shutdown();
    req_ = parser_.release();
    Server::Impl& server = count_.server();
    if (websocket::is_upgrade(req_)) return upgrade();
    if (req_.method() == http::verb::get && req_.target() == "/healthz") return respond(http::status::ok, "ok\n");
    bool control_path = req_.target() == "/actions" || req_.target() == "/legs";
    if (!server.options.control_endpoint || !control_path) return respond(http::status::not_found, "not found\n");
    if (auto refusal = control_refusal(); refusal.first != http::status::ok)
      return respond_json(refusal.first, {{"error", {{"field", ""}, {"message", refusal.second}}}});
    if (req_.method() == http::verb::post && req_.target() == "/actions") return control_action();
    if (req_.method() == http::verb::get && req_.target() == "/legs") return legs();
    respond_json(http::status::method_not_allowed, {{"error", {{"field", ""}, {"message", "POST /actions, GET /legs"}}}});
  }

  void upgrade() {
    Server::Impl& server = count_.server();
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
    stream_->expires_never();
    slot_->on_evict(nullptr);
    auto session = std::make_shared<WsSession>(count_.server_ptr(), stream_->release_socket(), *participant, std::move(slot_));
    session->run(std::move(req_));
  }

  /// Why a control request is refused (a status and a message), or ok. A page in a browser can send
  /// a form post or, after DNS rebinding, any request to loopback; it cannot add a custom header,
  /// choose the Host it is rebound from, hide its Origin, or send JSON without asking first.
  std::pair<http::status, std::string> control_refusal() const {
    const Server::Impl& server = count_.server();
    std::string_view host = host_of(field(req_, http::field::host));
    if (!loopback_host(host) && host != server.address)
      return {http::status::forbidden, "the Host header must name this machine's loopback address"};
    std::string_view origin = field(req_, http::field::origin);
    if (!origin.empty()) {
      auto scheme = origin.find("://");
      if (scheme == std::string_view::npos || !loopback_host(host_of(origin.substr(scheme + 3))))
        return {http::status::forbidden, "requests from web pages of other origins are refused"};
    }
    std::string_view secret;
    if (auto it = req_.find("X-Control-Secret"); it != req_.end()) secret = std::string_view(it->value().data(), it->value().size());
    if (server.options.control_secret.empty() || !same_secret(secret, server.options.control_secret))
      return {http::status::unauthorized, "the control endpoint needs its secret in the X-Control-Secret header"};
    if (req_.method() == http::verb::post) {
      std::string_view type = field(req_, http::field::content_type);
      if (type.substr(0, type.find(';')) != "application/json")
        return {http::status::unsupported_media_type, "the body must be JSON (Content-Type: application/json)"};
    }
    return {http::status::ok, ""};
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
    respond(status, text::dump_json(body) + "\n", "application/json");
  }

  void respond(http::status status, std::string body, const char* content_type = "text/plain") {
    res_.result(status);
    res_.version(req_.version() ? req_.version() : 11);
    res_.set(http::field::content_type, content_type);
    res_.keep_alive(false);
    res_.body() = std::move(body);
    res_.prepare_payload();
    stream_->expires_after(count_.server().options.upgrade_deadline);
    http::async_write(*stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) { self->shutdown(); });
  }

  void shutdown() {
    beast::error_code ec;
    stream_->socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_->socket().close(ec);
  }

  SessionCount count_;
  std::unique_ptr<PendingSlot> slot_;
  std::shared_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void start_http_session(const std::shared_ptr<Server::Impl>& server, tcp::socket socket, std::unique_ptr<PendingSlot> slot) {
  std::make_shared<HttpSession>(server, std::move(socket), std::move(slot))->run();
}

}  // namespace breakout::mock
