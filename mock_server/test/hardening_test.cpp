// The mock server against a careless or hostile peer: real-time deadlines on upgrades and close
// handshakes, slow readers, per-source limits, replaced connections, the control endpoint's checks,
// and the protocol's own limits on what the server sends (docs/robustness.md).
#include "raw_client.hpp"

#include <catch2/catch.hpp>

using namespace breakout;
using namespace breakout::mock_test;
using namespace std::chrono_literals;

namespace {

/// A TCP connection that sends nothing; `closed_by_server()` blocks until the server ends it.
struct IdleConnection {
  net::io_context io;
  tcp::socket socket{io};
  beast::error_code open(std::uint16_t port, const std::string& source = "127.0.0.1") {
    beast::error_code ec;
    socket.open(tcp::v4(), ec);
    if (!ec) socket.bind(tcp::endpoint(net::ip::make_address(source), 0), ec);
    if (!ec) socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    return ec;
  }
  bool closed_by_server() {
    char byte;
    beast::error_code ec;
    socket.read_some(net::buffer(&byte, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }
};

/// Waits (without sleeping) until the server's open connection count is `n`; false if it never is.
bool sessions_become(ServerThread& s, std::size_t n) {
  for (int i = 0; i < 2000000; ++i)
    if (s.sessions() == n) return true;
  return false;
}

/// Joins alice's meeting on a fresh connection and reads until the join is answered.
void join_as_alice(RawClient& c, std::uint16_t port) {
  REQUIRE_FALSE(c.connect(port, "token-alice"));
  c.read_until("welcome");
  c.send(join_request(1));
  c.read_until("response");
}

/// Alice joins on `older`, then connects again on `newer`, which replaces it.
void replace_connection(ServerThread& s, RawClient& older, RawClient& newer) {
  join_as_alice(older, s.port);
  REQUIRE_FALSE(newer.connect(s.port, "token-alice"));
  newer.read_until("welcome");
}

/// Reads breakout updates (the resynchronising one of a new connection first) until one shows
/// alice's room open.
bool reads_open_room(RawClient& c) {
  for (int i = 0; i < 10; ++i) {
    Json update = c.read_until("localParticipantUpdate");
    const Json& rooms = update["breakoutDetails"]["mainMeetingProperties"]["assignedBreakoutRooms"];
    if (!rooms.empty() && rooms[0]["isOpen"] == true) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a replaced connection that ends politely does not cut the live one off from updates (issue 14)",
          "[mock][hardening][reconnect]") {
  ServerThread s;
  RawClient older, newer;
  replace_connection(s, older, newer);
  // The older session is told it was replaced, and answers the close: its session ends.
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (!ec) older.ws.read(buffer, ec);
  CHECK(ec == websocket::error::closed);
  CHECK(older.ws.reason().code == 4002);
  REQUIRE(sessions_become(s, 1));
  // Updates still reach the live connection.
  REQUIRE(s.on_server([&] { return static_cast<bool>(s.server.apply(mock::OpenRoom{"room1"})); }));
  CHECK(reads_open_room(newer));
}

TEST_CASE("a replaced connection that drops abruptly does not cut the live one off from updates (issue 14)",
          "[mock][hardening][reconnect]") {
  ServerThread s;
  RawClient older, newer;
  replace_connection(s, older, newer);
  beast::error_code ec;
  older.ws.next_layer().close(ec);
  REQUIRE(sessions_become(s, 1));
  REQUIRE(s.on_server([&] { return static_cast<bool>(s.server.apply(mock::OpenRoom{"room1"})); }));
  CHECK(reads_open_room(newer));
}

TEST_CASE("a connection that never sends its request is closed at the upgrade deadline", "[mock][hardening][deadline]") {
  mock::ServerOptions options = with_control();
  options.upgrade_deadline = 50ms;
  ServerThread s(options);
  IdleConnection idle;
  REQUIRE_FALSE(idle.open(s.port));
  CHECK(idle.closed_by_server());
  CHECK(sessions_become(s, 0));
}

TEST_CASE("a close handshake that is never answered ends at the close deadline", "[mock][hardening][deadline]") {
  mock::ServerOptions options = with_control();
  options.close_deadline = 50ms;
  ServerThread s(options);
  RawClient silent, newer;
  join_as_alice(silent, s.port);
  // Replacing the connection closes the older one; it never reads, so never answers.
  REQUIRE_FALSE(newer.connect(s.port, "token-alice"));
  CHECK(sessions_become(s, 1));
}

TEST_CASE("a slow reader is closed with 1008 before the frames queued ahead of the close", "[mock][hardening][slow-reader]") {
  mock::ServerOptions options = with_control();
  options.write_queue_limit = 4;
  ServerThread s(options);
  RawClient c;
  join_as_alice(c, s.port);
  // Fifty changes in one handler: the fifth overflows the queue while the first is being written.
  s.on_server([&] {
    for (int i = 0; i < 50; ++i) (void)s.server.apply(mock::UpdateRoom{"room1", "Renamed " + std::to_string(i), std::nullopt, std::nullopt});
    return 0;
  });
  int renames = 0;
  beast::error_code ec;
  while (!ec) {
    beast::flat_buffer buffer;
    c.ws.read(buffer, ec);
    if (!ec && beast::buffers_to_string(buffer.data()).find("Renamed") != std::string::npos) ++renames;
  }
  CHECK(ec == websocket::error::closed);
  CHECK(c.ws.reason().code == websocket::close_code::policy_error);
  // Only the rename being written when the queue overflowed got out; the queued ones were dropped.
  CHECK(renames <= 1);
}

TEST_CASE("a client that stays behind what it was sent is closed at the slow-reader deadline", "[mock][hardening][slow-reader]") {
  mock::ServerOptions options = with_control();
  options.slow_reader_deadline = 100ms;
  options.close_deadline = 50ms;
  options.write_queue_bytes_limit = std::size_t{256} << 20;  // the queue limit is not what ends it here
  ServerThread s(options);
  RawClient c;
  join_as_alice(c, s.port);
  // Far more than the kernel's buffers hold, to a client that reads none of it.
  std::string big(protocol::max_frame_bytes - 64, 'x');
  s.on_server([&] {
    for (int i = 0; i < 40; ++i) (void)s.server.apply(mock::SendFrame{"alice", big});
    return 0;
  });
  CHECK(sessions_become(s, 0));
}

TEST_CASE("connections not yet upgraded are capped per source: the oldest idle one makes way", "[mock][hardening][limits]") {
  mock::ServerOptions options = with_control();
  options.max_pending_per_source = 3;
  ServerThread s(options);
  std::vector<std::unique_ptr<IdleConnection>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<IdleConnection>());
    REQUIRE_FALSE(idle.back()->open(s.port, "127.0.0.2"));
  }
  REQUIRE(sessions_become(s, 3));
  // A fourth from the same source: the oldest idle one is closed to make room.
  IdleConnection fourth;
  REQUIRE_FALSE(fourth.open(s.port, "127.0.0.2"));
  CHECK(idle.front()->closed_by_server());
  CHECK(sessions_become(s, 3));
  // A legitimate client gets in from that source and from any other.
  RawClient alice, bob;
  CHECK_FALSE(alice.connect(s.port, "token-alice", "127.0.0.2"));
  CHECK_FALSE(bob.connect(s.port, "token-bob", "127.0.0.1"));
  CHECK(http_request(s.port, http::verb::get, "/healthz").result() == http::status::ok);
}

TEST_CASE("connections not yet upgraded are capped in all: the oldest idle one makes way", "[mock][hardening][limits]") {
  mock::ServerOptions options = with_control();
  options.max_pending = 4;
  ServerThread s(options);
  std::vector<std::unique_ptr<IdleConnection>> idle;
  for (int i = 0; i < 6; ++i) {
    idle.push_back(std::make_unique<IdleConnection>());
    REQUIRE_FALSE(idle.back()->open(s.port, "127.0.0." + std::to_string(10 + i)));
  }
  CHECK(idle[0]->closed_by_server());
  CHECK(idle[1]->closed_by_server());
  CHECK(sessions_become(s, 4));
  RawClient alice;
  CHECK_FALSE(alice.connect(s.port, "token-alice"));
}

TEST_CASE("the control endpoint is off unless asked for", "[mock][hardening][control]") {
  ServerThread s{mock::ServerOptions{}};
  CHECK(http_request(s.port, http::verb::post, "/actions", R"({"action":"openAllRooms"})").result() == http::status::not_found);
  CHECK(http_request(s.port, http::verb::get, "/legs").result() == http::status::not_found);
}

TEST_CASE("the control endpoint refuses what a web page could send", "[mock][hardening][control]") {
  ServerThread s;
  const std::string open = R"({"action":"openRoom","room":"room1"})";
  auto status = [&](std::map<std::string, std::string> headers) {
    return http_request(s.port, http::verb::post, "/actions", open, headers).result();
  };
  CHECK(status({{"X-Control-Secret", ""}}) == http::status::unauthorized);
  CHECK(status({{"X-Control-Secret", "test-secreT"}}) == http::status::unauthorized);
  CHECK(status({{"Content-Type", "text/plain"}}) == http::status::unsupported_media_type);
  CHECK(status({{"Content-Type", "application/x-www-form-urlencoded"}}) == http::status::unsupported_media_type);
  CHECK(status({{"Origin", "https://attacker.example"}}) == http::status::forbidden);
  CHECK(status({{"Host", "attacker.example:8080"}}) == http::status::forbidden);
  CHECK(status({{"Host", "localhost"}, {"Origin", "http://localhost:3000"}}) == http::status::ok);
  CHECK(status({{"Host", "[::1]:1234"}}) == http::status::ok);
}

TEST_CASE("a control request with an out-of-range number is a 400 naming the field", "[mock][hardening][numbers]") {
  ServerThread s;
  for (const char* body : {R"({"action":"delayNext","participant":"alice","by":"99999999999999999999999999999999999999s"})",
                           R"({"action":"delayNext","participant":"alice","by":18446744073709551615})",
                           R"({"action":"refuseConnections","for":1e300})",
                           R"({"action":"failNext","method":"hold","count":99999999999999999999999})"}) {
    auto res = http_request(s.port, http::verb::post, "/actions", body);
    INFO(body);
    CHECK(res.result() == http::status::bad_request);
    CHECK_FALSE(Json::parse(res.body())["error"]["field"].get<std::string>().empty());
  }
  CHECK(http_request(s.port, http::verb::get, "/healthz").result() == http::status::ok);
}

TEST_CASE("the server refuses to send a frame larger than its protocol allows", "[mock][hardening][protocol-limits]") {
  ServerThread s;
  RawClient c;
  join_as_alice(c, s.port);
  std::string huge(protocol::max_frame_bytes + 1, 'x');
  auto refused = s.on_server([&] { return s.server.apply(mock::SendFrame{"alice", huge}); });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("at most") != std::string::npos);
  CHECK(s.on_server([&] { return s.server.protocol_violations().size(); }) == 1);
  // The session goes on.
  c.send(join_request(2));
  CHECK(c.read_until("response")["id"] == 2);
}

TEST_CASE("shutdown() closes every WebSocket with 1001 and a close handshake", "[mock][hardening][shutdown]") {
  ServerThread s;
  RawClient c;
  join_as_alice(c, s.port);
  std::promise<void> done;
  s.on_server([&] {
    s.server.shutdown([&] { done.set_value(); });
    return 0;
  });
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (!ec) c.ws.read(buffer, ec);
  CHECK(ec == websocket::error::closed);
  CHECK(c.ws.reason().code == websocket::close_code::going_away);
  CHECK(done.get_future().wait_for(10s) == std::future_status::ready);
}
