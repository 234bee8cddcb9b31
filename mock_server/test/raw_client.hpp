// Test helpers for the mock server seen from outside: the server on a thread of its own, a raw
// WebSocket client (not the SDK) and one-shot HTTP requests, all with blocking calls.
#pragma once

#include <breakout/mock_server/server.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <future>
#include <map>
#include <thread>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace breakout::mock_test {

using protocol::Json;

inline constexpr const char* kSecret = "test-secret";

/// Server options with the control endpoint on, behind the test secret.
inline mock::ServerOptions with_control(mock::ServerOptions options = {}) {
  options.control_endpoint = true;
  options.control_secret = kSecret;
  return options;
}


inline mock::MeetingConfig meeting() {
  mock::MeetingConfig c;
  c.participants.push_back({"alice", "Alice", mock::IdentityKind::communication_user, "Attendee", "", false});
  c.participants.push_back({"bob", "Bob", mock::IdentityKind::microsoft_365, "Organizer", "", false});
  c.rooms.push_back({"room1", "Room 1", true, false, {"alice"}});
  return c;
}

/// The server on a thread of its own; everything that touches it is posted there.
struct ServerThread {
  net::io_context io;
  clock::VirtualClock clock;
  mock::Server server;
  std::uint16_t port = 0;
  std::thread thread;

  explicit ServerThread(mock::ServerOptions options = with_control()) : server(io, clock, meeting(), options) {
    port = *server.listen("127.0.0.1", 0);
    thread = std::thread([this] { io.run(); });
  }
  ~ServerThread() {
    net::post(io, [this] {
      server.stop();
      io.stop();
    });
    thread.join();
  }
  template <class F>
  auto on_server(F fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    net::post(io, [&task] { task(); });
    return result.get();
  }
  std::size_t sessions() { return on_server([this] { return server.session_count(); }); }
};

struct RawClient {
  net::io_context io;
  websocket::stream<tcp::socket> ws{io};
  http::response<http::string_body> handshake_response;

  /// Connects from `source` (any 127.x.y.z address is this machine) and upgrades with the token.
  beast::error_code connect(std::uint16_t port, const std::string& token, const std::string& source = "127.0.0.1") {
    beast::error_code ec;
    ws.next_layer().open(tcp::v4(), ec);
    if (!ec) ws.next_layer().bind(tcp::endpoint(net::ip::make_address(source), 0), ec);
    if (!ec) ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return ec;
    ws.set_option(websocket::stream_base::decorator(
        [token](websocket::request_type& req) { req.set(http::field::authorization, "Bearer " + token); }));
    ws.handshake(handshake_response, "127.0.0.1", "/signaling", ec);
    return ec;
  }
  void send(const std::string& text, bool binary = false) {
    ws.binary(binary);
    ws.write(net::buffer(text));
  }
  Json read() {
    beast::flat_buffer buffer;
    ws.read(buffer);
    return Json::parse(beast::buffers_to_string(buffer.data()));
  }
  /// Reads until a message of this type arrives.
  Json read_until(const std::string& type) {
    for (;;) {
      Json j = read();
      if (j["type"] == type) return j;
    }
  }
};

/// One HTTP request. Control requests carry the test secret and a JSON content type unless
/// `headers` says otherwise (a header given an empty value is left out).
inline http::response<http::string_body> http_request(std::uint16_t port, http::verb verb, const std::string& target,
                                               const std::string& body = "",
                                               const std::map<std::string, std::string>& headers = {}) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{verb, target, 11};
  std::map<std::string, std::string> all = {{"Host", "127.0.0.1"}, {"X-Control-Secret", kSecret}};
  if (verb == http::verb::post) all["Content-Type"] = "application/json";
  for (const auto& [k, v] : headers) all[k] = v;
  for (const auto& [k, v] : all)
    if (!v.empty()) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return res;
}

inline std::string join_request(int id) {
  return protocol::encode(protocol::Request{static_cast<std::uint64_t>(id),
                                            protocol::JoinMeeting{protocol::join_url_for_thread("19:meeting_main@thread.v2")}});
}

}  // namespace breakout::mock_test
