// The mock server from the outside: a raw WebSocket and HTTP client (not the SDK) sends it good
// and bad input. The server runs on its own thread; the client uses blocking calls.
#include <breakout/mock_server/server.hpp>

#include "raw_client.hpp"

#include <catch2/catch.hpp>

using namespace breakout;
using namespace breakout::mock_test;


TEST_CASE("GET /healthz answers 200 ok", "[mock][protocol]") {
  ServerThread s;
  auto res = http_request(s.port, http::verb::get, "/healthz");
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "ok\n");
}

TEST_CASE("an unknown token is refused with 401 before the upgrade", "[mock][protocol]") {
  ServerThread s;
  RawClient c;
  CHECK(c.connect(s.port, "stolen"));
  // The same upgrade request by hand, to read the status the server answered with.
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), s.port));
  http::request<http::string_body> req{http::verb::get, "/signaling", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::authorization, "Bearer stolen");
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  CHECK(res.result() == http::status::unauthorized);
}

TEST_CASE("a client with a valid token is welcomed and can join the meeting", "[mock][protocol]") {
  ServerThread s;
  RawClient c;
  REQUIRE_FALSE(c.connect(s.port, "token-alice"));
  auto welcome = c.read();
  CHECK(welcome["type"] == "welcome");
  CHECK(welcome["identity"]["id"] == "8:acs:alice");
  c.send(join_request(1));
  auto response = c.read_until("response");
  CHECK(response["id"] == 1);
  CHECK(response["result"]["callKind"] == "teamsMeeting");
}

TEST_CASE("bad messages get protocol errors and the session goes on", "[mock][protocol]") {
  ServerThread s;
  RawClient c;
  REQUIRE_FALSE(c.connect(s.port, "token-alice"));
  c.read();  // welcome
  struct Bad {
    std::string text;
    bool binary;
    std::string says;
  };
  std::vector<Bad> bad = {
      {"{not json", false, "malformed JSON"},
      {R"({"type":"request","id":1,"method":"hold","par)", false, "malformed JSON"},
      {"", false, "malformed JSON"},
      {R"({"type":"request","id":5})", false, "missing field 'method'"},
      {R"({"type":"request","id":6,"method":"teleport","params":{}})", false, "unknown method 'teleport'"},
      {R"({"type":"request","id":7,"method":"hold","params":{"callId":7}})", false, "expected a string"},
      {R"({"type":"hello"})", false, "expected \"request\""},
      {std::string(40, '['), false, "nested deeper"},
      {"\x01\x02\x03", true, "binary frames are not accepted"},
  };
  for (const auto& b : bad) {
    INFO(b.text);
    c.send(b.text, b.binary);
    auto error = c.read_until("protocolError");
    CHECK(error["code"] == 400);
    CHECK(error["message"].get<std::string>().find(b.says) != std::string::npos);
  }
  auto with_id = R"({"type":"request","id":9,"method":"hold","params":{"callId":1}})";
  c.send(with_id);
  CHECK(c.read_until("protocolError")["requestId"] == 9);
  c.send(join_request(10));
  CHECK(c.read_until("response")["result"]["callId"] == "alice-call-1");
}

TEST_CASE("a request in the wrong state gets an error reply, not a crash", "[mock][protocol]") {
  ServerThread s;
  RawClient c;
  REQUIRE_FALSE(c.connect(s.port, "token-alice"));
  c.read();
  c.send(protocol::encode(protocol::Request{3, protocol::Resume{"alice-call-1"}}));
  auto response = c.read_until("response");
  CHECK(response["error"]["code"] == 404);
  c.send(protocol::encode(protocol::Request{4, protocol::JoinBreakoutRoom{"https://example.com/nothing"}}));
  CHECK(c.read_until("response")["error"]["code"] == 404);
}

TEST_CASE("an oversized frame closes the connection with 1009, and other sessions are not disturbed", "[mock][protocol]") {
  ServerThread s;
  RawClient bob;
  REQUIRE_FALSE(bob.connect(s.port, "token-bob"));
  bob.read();
  RawClient alice;
  REQUIRE_FALSE(alice.connect(s.port, "token-alice"));
  alice.read();
  beast::error_code ec;
  alice.ws.write(net::buffer(std::string(protocol::max_frame_bytes + 10, 'x')), ec);
  beast::flat_buffer buffer;
  alice.ws.read(buffer, ec);
  CHECK(ec == websocket::error::closed);
  CHECK(alice.ws.reason().code == websocket::close_code::too_big);
  bob.send(join_request(1));
  CHECK(bob.read_until("response")["result"]["role"] == "Organizer");
}

TEST_CASE("a thousand connections opened and dropped abruptly leave no session behind", "[mock][protocol]") {
  ServerThread s;
  for (int i = 0; i < 1000; ++i) {
    RawClient c;
    REQUIRE_FALSE(c.connect(s.port, i % 2 ? "token-alice" : "token-bob"));
    if (i % 3 == 0) c.send(join_request(i));  // abrupt close mid-request
    c.ws.next_layer().close();
  }
  RawClient good;
  REQUIRE_FALSE(good.connect(s.port, "token-alice"));
  good.read();
  good.send(join_request(1));
  auto response = good.read_until("response");
  // Alice's main leg survives her dropped connections, as a real meeting keeps a dropped client's leg.
  CHECK((response.contains("result") || response["error"]["code"] == 409));
  // The dropped sessions finish as the server reads their ends; wait for that without sleeping.
  std::size_t sessions = 0;
  for (int i = 0; i < 100000 && (sessions = s.sessions()) != 1; ++i) {}
  CHECK(sessions == 1);
}

TEST_CASE("connections beyond the limit are closed at once", "[mock][protocol]") {
  mock::ServerOptions options;
  options.max_connections = 2;
  ServerThread s(options);
  RawClient a, b, c;
  REQUIRE_FALSE(a.connect(s.port, "token-alice"));
  REQUIRE_FALSE(b.connect(s.port, "token-bob"));
  CHECK(c.connect(s.port, "token-alice"));
}

TEST_CASE("POST /actions applies an action, and names what is wrong with a bad one", "[mock][protocol]") {
  ServerThread s;
  auto ok = http_request(s.port, http::verb::post, "/actions", R"({"action":"openRoom","room":"room1"})");
  CHECK(ok.result() == http::status::ok);
  auto bad = http_request(s.port, http::verb::post, "/actions", R"({"action":"openRoom","rom":"room1"})");
  CHECK(bad.result() == http::status::bad_request);
  CHECK(Json::parse(bad.body())["error"]["field"] == "rom");
  auto refused = http_request(s.port, http::verb::post, "/actions", R"({"action":"openRoom","room":"nope"})");
  CHECK(refused.result() == http::status::conflict);
  auto legs = http_request(s.port, http::verb::get, "/legs");
  CHECK(Json::parse(legs.body())["legs"].is_array());
}

TEST_CASE("a client that does not read is closed when its write queue is full", "[mock][protocol]") {
  mock::ServerOptions options;
  options.write_queue_limit = 4;
  ServerThread s(options);
  RawClient c;
  REQUIRE_FALSE(c.connect(s.port, "token-alice"));
  c.read();
  c.send(join_request(1));
  c.read_until("response");
  // Many changes in one go on the server's thread: the queue fills faster than writes complete.
  s.on_server([&] {
    for (int i = 0; i < 50; ++i) (void)s.server.apply(mock::UpdateRoom{"room1", "Room " + std::to_string(i), std::nullopt, std::nullopt});
    return 0;
  });
  beast::error_code ec;
  for (int i = 0; i < 100 && !ec; ++i) {
    beast::flat_buffer buffer;
    c.ws.read(buffer, ec);
  }
  CHECK(ec == websocket::error::closed);
  CHECK(c.ws.reason().code == websocket::close_code::policy_error);
}

TEST_CASE("a flood of requests from one client is answered in order, and the server then serves others", "[mock][protocol]") {
  ServerThread s;
  RawClient flood;
  REQUIRE_FALSE(flood.connect(s.port, "token-alice"));
  flood.read();  // welcome
  flood.send(join_request(1));
  flood.read_until("response");
  // 2,000 requests without waiting for a reply, then every reply, in order.
  constexpr int kRequests = 2000;
  for (int i = 0; i < kRequests; ++i)
    flood.send(protocol::encode(protocol::Request{static_cast<std::uint64_t>(100 + i),
                                                  i % 2 ? protocol::RequestParams(protocol::Resume{"alice-call-1"})
                                                        : protocol::RequestParams(protocol::Hold{"alice-call-1"})}));
  for (int i = 0; i < kRequests; ++i) {
    auto r = flood.read_until("response");
    REQUIRE(r["id"] == 100 + i);
    REQUIRE_FALSE(r.contains("error"));
  }
  RawClient bob;
  REQUIRE_FALSE(bob.connect(s.port, "token-bob"));
  bob.read();
  bob.send(join_request(1));
  CHECK(bob.read_until("response")["result"]["callId"] == "bob-call-1");
  CHECK(s.sessions() == 2);
}
