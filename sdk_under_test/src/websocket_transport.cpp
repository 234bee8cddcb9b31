// The WebSocket client transport: the only Beast code in the SDK.
#include <breakout/protocol/messages.hpp>
#include <breakout/sdk/transport.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <optional>

namespace breakout::sdk {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct ParsedUrl {
  std::string host;
  std::uint16_t port = 0;
  std::string target;
};

std::optional<ParsedUrl> parse_ws_url(const std::string& url) {
  constexpr std::string_view scheme = "ws://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  ParsedUrl out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  out.host = authority.substr(0, colon);
  try {
    int port = std::stoi(authority.substr(colon + 1));
    if (port <= 0 || port > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(port);
  } catch (...) {
    return std::nullopt;
  }
  if (out.host == "localhost") out.host = "127.0.0.1";
  return out;
}

/// One connection: connect, handshake, read loop, write queue with one write in flight.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(net::io_context& io, std::string url, std::string token, protocol::TrafficMonitor* traffic)
      : ws_(io), url_(std::move(url)), token_(std::move(token)), traffic_(traffic) {}

  void open(Transport::Handlers handlers) {
    handlers_ = std::move(handlers);
    auto parsed = parse_ws_url(url_);
    beast::error_code ec;
    auto address = parsed ? net::ip::make_address(parsed->host, ec) : net::ip::address();
    if (!parsed || ec) {
      net::post(ws_.get_executor(), [self = shared_from_this()] { self->closed({TransportClosed::Kind::network, 0, "bad service URL"}); });
      return;
    }
    url_parts_ = *parsed;
    if (traffic_) traffic_->connect_started();
    connecting_ = true;
    beast::get_lowest_layer(ws_).async_connect(tcp::endpoint(address, parsed->port),
                                               beast::bind_front_handler(&Session::on_connect, shared_from_this()));
  }

  void send(std::string text) {
    if (!open_ || closing_) return;
    queue_.push_back(std::move(text));
    if (traffic_) traffic_->frame_sent(protocol::Side::client, port_);
    if (queue_.size() == 1) do_write();
  }

  void close() {
    if (closing_ || finished_) return;
    closing_ = true;
    if (!open_) {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().close(ec);
      return;
    }
    if (queue_.empty()) do_close();
  }

  /// The owner is gone: no more handler calls, and the connection is closed.
  void detach() {
    handlers_ = {};
    close();
  }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return closed({TransportClosed::Kind::network, 0, ec.message()});
    beast::error_code pec;
    port_ = beast::get_lowest_layer(ws_).socket().local_endpoint(pec).port();
    // Small frames in both directions: without this, Nagle and delayed ACKs stall each exchange.
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), pec);
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator([token = token_](websocket::request_type& req) {
      req.set(http::field::authorization, "Bearer " + token);
      req.set(http::field::user_agent, "breakout-sdk-under-test");
    }));
    ws_.read_message_max(protocol::max_frame_bytes);
    ws_.async_handshake(response_, url_parts_.host + ":" + std::to_string(url_parts_.port), url_parts_.target,
                        beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      if (response_.result() == http::status::unauthorized)
        return closed({TransportClosed::Kind::token_rejected, 401, "the service refused the token"});
      return closed({TransportClosed::Kind::network, static_cast<int>(response_.result_int()), ec.message()});
    }
    connecting_ = false;
    if (traffic_) traffic_->connect_finished();
    open_ = true;
    if (traffic_) traffic_->opened(protocol::Side::client, port_);
    if (closing_) {
      do_close();
    } else if (handlers_.on_open) {
      handlers_.on_open();
    }
    do_read();
  }

  static constexpr std::size_t kKeptBufferBytes = 16 * 1024;

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == websocket::error::closed)
        return closed({TransportClosed::Kind::closed_by_service, ws_.reason().code, std::string(ws_.reason().reason.c_str())});
      return closed({TransportClosed::Kind::network, 0, ec.message()});
    }
    if (traffic_) traffic_->frame_received(protocol::Side::client, port_);
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    // A large message (the roster of a meeting of a thousand) does not keep its room for good.
    if (buffer_.capacity() > kKeptBufferBytes) buffer_.shrink_to_fit();
    if (handlers_.on_message && !closing_) handlers_.on_message(std::move(text));
    do_read();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;  // the read loop reports the failure
    queue_.pop_front();
    if (!queue_.empty()) do_write();
    else if (closing_) do_close();
  }

  void do_close() {
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code ec) {
      // A close we started ends the read loop too; if the socket is already gone, finish here.
      if (ec) self->closed({TransportClosed::Kind::network, 0, ec.message()});
    });
  }

  void closed(TransportClosed info) {
    if (finished_) return;
    finished_ = true;
    if (connecting_) {
      connecting_ = false;
      if (traffic_) traffic_->connect_finished();
    }
    if (open_ && traffic_) traffic_->closed(protocol::Side::client, port_);
    open_ = false;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    auto on_closed = std::move(handlers_.on_closed);
    handlers_ = {};
    if (on_closed) on_closed(std::move(info));
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string url_;
  ParsedUrl url_parts_;
  std::string token_;
  protocol::TrafficMonitor* traffic_;
  Transport::Handlers handlers_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::uint16_t port_ = 0;
  bool connecting_ = false;
  bool open_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

class WebSocketTransport final : public Transport {
 public:
  WebSocketTransport(net::io_context& io, std::string url, std::string token, protocol::TrafficMonitor* traffic)
      : session_(std::make_shared<Session>(io, std::move(url), std::move(token), traffic)) {}
  ~WebSocketTransport() override { session_->detach(); }
  void open(Handlers handlers) override { session_->open(std::move(handlers)); }
  void send(std::string text) override { session_->send(std::move(text)); }
  void close() override { session_->close(); }

 private:
  std::shared_ptr<Session> session_;
};

}  // namespace

TransportFactory websocket_transport(net::io_context& io, std::string url, protocol::TrafficMonitor* traffic) {
  return [&io, url = std::move(url), traffic](const std::string& token) -> std::unique_ptr<Transport> {
    return std::make_unique<WebSocketTransport>(io, url, token, traffic);
  };
}

}  // namespace breakout::sdk
