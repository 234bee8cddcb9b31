// Load generator for the side-by-side benchmarks: N WebSocket clients on one thread.
//   ws_load PORT CLIENTS ROUNDS fanout|roundtrip [--mock]
// fanout: each round, one update reaches every client; the time is from the trigger to the last
//   client's receipt. Plain servers (Node ws, bare Beast) broadcast what client 0 sends; the mock
//   server is triggered by POST /actions updateSettings, and every client (a joined participant
//   p1..pN) counts its conversationUpdate messages.
// roundtrip: one client, ROUNDS requests one after the other (the mock: hold and resume; a plain
//   server: a message and its echo).
// Prints one JSON line.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// As large as the mock server's settings update, so every server moves the same bytes.
const std::string kPayload =
    R"({"type":"conversationUpdate","callId":"p1-call-1","sequenceNumber":1,"meetingDetails":{"breakoutDetails":{"breakoutRoomProperties":{"roomEndTime":null,"mainMeetingJoinUrl":"https://teams.microsoft.com/l/meetup-join/19%3ameeting_main%40thread.v2/0","breakoutRoomManagers":[]}}},"additionalData":{"allowJoinBackToMainMeeting":"false"}})";

struct Client : std::enable_shared_from_this<Client> {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::function<void(Client&, const std::string&)> on_text;
  int received = 0;
  explicit Client(net::io_context& io) : ws(io) {}

  void start(unsigned short port, const std::string& token, std::function<void(bool)> done) {
    auto self = shared_from_this();
    beast::get_lowest_layer(ws).async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [self, token, done](beast::error_code ec) {
      if (ec) return done(false);
      beast::get_lowest_layer(self->ws).socket().set_option(tcp::no_delay(true));
      beast::get_lowest_layer(self->ws).expires_never();
      if (!token.empty())
        self->ws.set_option(websocket::stream_base::decorator(
            [token](websocket::request_type& req) { req.set(http::field::authorization, "Bearer " + token); }));
      self->ws.async_handshake("127.0.0.1", token.empty() ? "/" : "/signaling", [self, done](beast::error_code ec) {
        if (ec) return done(false);
        self->read();
        done(true);
      });
    });
  }
  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      if (self->on_text) self->on_text(*self, text);
      self->read();
    });
  }
  void send(const std::string& text) { ws.write(net::buffer(text)); }
};

/// One blocking POST on its own connection (the trigger of a mock server round).
void post_action(unsigned short port, const std::string& body) {
  net::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::post, "/actions", 11};
  req.set(http::field::host, "127.0.0.1");
  req.body() = body;
  req.prepare_payload();
  http::write(s, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(s, b, res);
  if (res.result() != http::status::ok) throw std::runtime_error("POST /actions: " + res.body());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: ws_load PORT CLIENTS ROUNDS fanout|roundtrip [--mock]\n";
    return 2;
  }
  auto port = static_cast<unsigned short>(std::stoi(argv[1]));
  int clients = std::stoi(argv[2]), rounds = std::stoi(argv[3]);
  std::string mode = argv[4];
  bool mock = argc > 5 && std::string(argv[5]) == "--mock";
  if (mode == "roundtrip") clients = 1;

  net::io_context io;
  std::vector<std::shared_ptr<Client>> all;
  // Connect (and for the mock, join) everyone, at most 100 handshakes at a time.
  int connected = 0, joined = 0, failed = 0;
  std::size_t next = 0;
  std::function<void()> connect_next = [&] {
    if (next >= static_cast<std::size_t>(clients)) return;
    auto c = std::make_shared<Client>(io);
    all.push_back(c);
    std::string token = mock ? "token-p" + std::to_string(++next) : (++next, std::string());
    c->on_text = [&](Client& self, const std::string& text) {
      if (!mock) return;
      if (text.find("\"type\":\"welcome\"") != std::string::npos)
        self.send(R"({"type":"request","id":1,"method":"joinMeeting","params":{"meetingLink":"https://teams.microsoft.com/l/meetup-join/19%3ameeting_main%40thread.v2/0"}})");
      // Joined once the settings that follow the join have come: from then on, each settings
      // change is one conversationUpdate.
      else if (text.find("\"type\":\"conversationUpdate\"") != std::string::npos)
        ++joined;
    };
    c->start(port, token, [&](bool ok) {
      ok ? ++connected : ++failed;
      if (!mock) ++joined;
      connect_next();
    });
  };
  for (int i = 0; i < 100; ++i) connect_next();
  while ((connected + failed < clients || joined < connected) && io.run_one()) {}
  if (failed) {
    std::cerr << "ws_load: " << failed << " of " << clients << " clients could not connect\n";
    return 1;
  }

  Json out = {{"mode", mode}, {"clients", clients}, {"rounds", rounds}, {"server", mock ? "mock" : "plain"}};
  if (mode == "fanout") {
    int target = 0, done_clients = 0;
    for (auto& c : all) {
      c->received = 0;
      c->on_text = [&](Client& self, const std::string& text) {
        if (mock && text.find("\"type\":\"conversationUpdate\"") == std::string::npos) return;
        if (++self.received == target) ++done_clients;
      };
    }
    auto started = Clock::now();
    for (int r = 1; r <= rounds; ++r) {
      target = r;
      done_clients = 0;
      if (mock) post_action(port, std::string(R"({"action":"updateSettings","disableReturnToMainMeeting":)") + (r % 2 ? "true}" : "false}"));
      else all.front()->send(kPayload);
      while (done_clients < clients && io.run_one()) {}
    }
    double s = std::chrono::duration<double>(Clock::now() - started).count();
    out["seconds"] = s;
    out["deliveries_per_s"] = static_cast<double>(clients) * rounds / s;
  } else {
    auto& c = *all.front();
    int replies = 0;
    c.on_text = [&](Client&, const std::string& text) {
      if (!mock || text.find("\"type\":\"response\"") != std::string::npos) ++replies;
    };
    auto started = Clock::now();
    for (int r = 1; r <= rounds; ++r) {
      if (mock)
        c.send(std::string(R"({"type":"request","id":)") + std::to_string(r + 1) + R"(,"method":")" + (r % 2 ? "hold" : "resume") +
               R"(","params":{"callId":"p1-call-1"}})");
      else c.send(kPayload);
      while (replies < r && io.run_one()) {}
    }
    double s = std::chrono::duration<double>(Clock::now() - started).count();
    out["seconds"] = s;
    out["round_trips_per_s"] = rounds / s;
  }
  std::cout << out.dump() << std::endl;
  for (auto& c : all) {
    beast::error_code ec;
    beast::get_lowest_layer(c->ws).socket().close(ec);
  }
  return 0;
}
