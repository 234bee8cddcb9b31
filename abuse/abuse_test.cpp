// The abuse test: a standalone mock_server on loopback, attacked by thousands of hostile
// connections at once, while a legitimate participant (the SDK under test) plays a story to the
// end and /healthz keeps answering. Bounded in count and time; stops the server itself.
//   abuse_test MOCK_SERVER MEETING.yaml
// Attacks: idle connections, half-open requests, upgrades with bad tokens, a replacement flood of
// one participant, a client that never reads, an oversized frame, and requests a web page could
// forge against the control endpoint. Then SIGTERM, which must close WebSockets with 1001.
#include <utility>

#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/messages.hpp>
#include <breakout/sdk/breakout_rooms.hpp>
#include <breakout/sdk/calling.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

using namespace breakout;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

constexpr int kIdle = 2000;         // idle connections at once, half from the participant's own address
constexpr int kHalfOpen = 200;      // requests that never finish their head
constexpr int kBadTokens = 200;     // upgrades with tokens the meeting does not know
constexpr int kReplacements = 300;  // upgrades of one participant, each replacing the one before
constexpr auto kBudget = 150s;      // the whole test, attacks and story

/// Runs the loop for a while even if it ran out of work before (a stopped io_context returns at once).
void run_for(net::io_context& io, std::chrono::milliseconds d) {
  if (io.stopped()) io.restart();
  io.run_for(d);
}

std::vector<std::string> failures;
void fail(const std::string& what) {
  std::cerr << "abuse_test: FAIL: " << what << "\n";
  failures.push_back(what);
}

// ---- the server process ----------------------------------------------------------------------

struct ServerProcess {
  pid_t pid = -1;
  std::uint16_t port = 0;
  std::string secret;

  bool start(const std::string& binary, const std::string& meeting) {
    int out[2];
    if (::pipe(out) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    // The slow-reader deadline is shortened so the test takes seconds, not the default's tens of them.
    std::vector<std::string> args = {binary, "--scenario", meeting, "--listen", "127.0.0.1:0", "--no-steps",
                                     "--slow-reader-deadline-ms", "2000"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) return false;
    // "port N", then "control URL secret S": read with a bound, never a blind wait.
    std::string buffer;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (secret.empty() && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char chunk[256];
      ssize_t n = ::read(out[0], chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
        std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        if (line.starts_with("port ")) port = static_cast<std::uint16_t>(std::stoi(line.substr(5)));
        if (line.starts_with("control ")) secret = line.substr(line.rfind(' ') + 1);
      }
    }
    ::close(out[0]);
    return port != 0 && !secret.empty();
  }

  /// Sends SIGTERM and waits (with a bound) for the exit status; -1 if it did not exit.
  int stop(net::io_context& io) {
    ::kill(pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      run_for(io, 10ms);  // the clients see their close frames meanwhile
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
  }
};

ServerProcess server;

// ---- helpers ----------------------------------------------------------------------------------

awaitable<tcp::socket> connect_from(const std::string& source) {
  tcp::socket socket(co_await net::this_coro::executor);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(net::ip::make_address(source), 0));
  co_await socket.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port), use_awaitable);
  co_return socket;
}

/// Waits until `done` holds, checking every few milliseconds, for at most `limit`.
awaitable<bool> until(std::function<bool()> done, std::chrono::milliseconds limit) {
  net::steady_timer timer(co_await net::this_coro::executor);
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    timer.expires_after(5ms);
    co_await timer.async_wait(use_awaitable);
  }
  co_return true;
}

/// One HTTP request from 127.0.0.1 with a deadline; the status, or 0 when there was no answer.
awaitable<int> http_status(http::verb verb, std::string target, std::string body, std::map<std::string, std::string> headers,
                           std::chrono::milliseconds limit = 5000ms) {
  try {
    beast::tcp_stream stream(co_await connect_from("127.0.0.1"));
    stream.expires_after(limit);
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    co_await http::async_write(stream, req, use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, use_awaitable);
    co_return static_cast<int>(res.result_int());
  } catch (const std::exception&) {
    co_return 0;
  }
}

awaitable<int> control(std::string action) {
  std::map<std::string, std::string> headers;
  headers["X-Control-Secret"] = server.secret;
  headers["Content-Type"] = "application/json";
  int status = co_await http_status(http::verb::post, std::string("/actions"), std::move(action), std::move(headers));
  co_return status;
}

using Ws = websocket::stream<beast::tcp_stream>;

/// A WebSocket client from `source` with a participant's token.
awaitable<std::shared_ptr<Ws>> upgrade(const std::string& source, const std::string& token) {
  auto ws = std::make_shared<Ws>(co_await connect_from(source));
  ws->set_option(websocket::stream_base::decorator(
      [token](websocket::request_type& req) { req.set(http::field::authorization, "Bearer " + token); }));
  beast::get_lowest_layer(*ws).expires_after(10s);
  co_await ws->async_handshake("127.0.0.1", "/signaling", use_awaitable);
  beast::get_lowest_layer(*ws).expires_never();
  co_return ws;
}

constexpr int kTimedOut = -3;

/// Reads until the server closes; the close code, -1 if the connection just ended, or kTimedOut.
awaitable<int> close_code(std::shared_ptr<Ws> ws, std::chrono::milliseconds limit) {
  beast::get_lowest_layer(*ws).expires_after(limit);
  try {
    for (;;) {
      beast::flat_buffer buffer;
      co_await ws->async_read(buffer, use_awaitable);
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() == websocket::error::closed) co_return static_cast<int>(ws->reason().code);
    if (e.code() == beast::error::timeout) co_return kTimedOut;
  }
  co_return -1;
}

// ---- attacks -----------------------------------------------------------------------------------

/// Sockets the attacks hold open until the end.
std::vector<std::shared_ptr<tcp::socket>> held;
std::vector<std::shared_ptr<Ws>> held_ws;
int attacks_running = 0;

void attack(net::io_context& io, std::function<awaitable<void>()> body) {
  ++attacks_running;
  net::co_spawn(io, std::move(body), [](std::exception_ptr) { --attacks_running; });
}

void launch_attacks(net::io_context& io) {
  for (int i = 0; i < kIdle; ++i)
    attack(io, [i]() -> awaitable<void> {
      held.push_back(std::make_shared<tcp::socket>(co_await connect_from(i % 2 ? "127.0.0.2" : "127.0.0.1")));
    });
  for (int i = 0; i < kHalfOpen; ++i)
    attack(io, []() -> awaitable<void> {
      auto s = std::make_shared<tcp::socket>(co_await connect_from("127.0.0.3"));
      std::string head = "GET /signaling HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websock";
      co_await net::async_write(*s, net::buffer(head), use_awaitable);
      held.push_back(s);
    });
  static int refused = 0;
  for (int i = 0; i < kBadTokens; ++i)
    attack(io, []() -> awaitable<void> {
      try {
        co_await upgrade("127.0.0.4", "forged-token");
      } catch (const std::exception&) {
        ++refused;  // refused before the upgrade, as it must be
      }
      if (refused == kBadTokens) std::cout << "abuse_test: " << kBadTokens << " upgrades with bad tokens refused\n";
    });
  for (int i = 0; i < kReplacements; ++i)
    attack(io, []() -> awaitable<void> {
      try {
        held_ws.push_back(co_await upgrade("127.0.0.5", "token-mallory"));  // never reads: never answers a close
      } catch (const std::exception&) {
      }
    });
  // A client that asks and asks and never reads what it is told.
  attack(io, [&io]() -> awaitable<void> {
    // The system's own receive buffer: a reader that has stopped reading never lets it grow, so
    // the server's writes stall after its send buffer and this one (a few hundred kilobytes). A
    // buffer set far below loopback's 64 KiB segments is not what a real client has, and under load
    // it made the kernel drop segments both ways until both ends sat in retransmission back-off for
    // minutes, the server's queue empty, and no slow reader for it to see.
    auto socket = co_await connect_from("127.0.0.6");
    auto ws = std::make_shared<Ws>(std::move(socket));
    ws->set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(http::field::authorization, "Bearer token-eve"); }));
    co_await ws->async_handshake("127.0.0.1", "/signaling", use_awaitable);
    std::string join = protocol::encode(
        protocol::Request{1, protocol::JoinMeeting{protocol::join_url_for_thread("19:meeting_main@thread.v2")}});
    co_await ws->async_write(net::buffer(join), use_awaitable);
    // Requests until the server stops taking them: its replies fill the buffers, it stops reading,
    // and at the slow-reader deadline it ends the connection. That is seen on the socket itself
    // (the peer's FIN or RST), not through a write failing: a write blocked on a full send buffer
    // need not learn of a FIN.
    auto started = std::chrono::steady_clock::now();
    auto progress = std::make_shared<std::pair<std::uint64_t, std::chrono::steady_clock::time_point>>(0, started);
    auto writer_done = std::make_shared<std::string>();
    // The writer is an attack of its own, so the test waits for it to end (the close below ends it).
    attack(io, [ws, progress, writer_done]() -> awaitable<void> {
      try {
        for (std::uint64_t id = 2; id < 10'000'000; ++id) {
          std::string hold = protocol::encode(protocol::Request{id, protocol::Hold{"eve-call-1"}});
          co_await ws->async_write(net::buffer(hold), use_awaitable);
          ++progress->first;
          progress->second = std::chrono::steady_clock::now();
        }
        *writer_done = "answered 10,000,000 times";
      } catch (const std::exception& x) {
        *writer_done = x.what();
      }
    });
    int fd = beast::get_lowest_layer(*ws).socket().native_handle();
    auto peer_gone = [fd] {
      pollfd p{fd, POLLRDHUP, 0};
      return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    };
    bool cut = co_await until([&] { return peer_gone() || !writer_done->empty(); }, 90s);
    auto now = std::chrono::steady_clock::now();
    auto seconds = [](auto d) { return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0); };
    std::string what = std::to_string(progress->first) + " requests written, the last " + seconds(now - progress->second) + " s before";
    if (!cut) fail("a client that never reads was not cut off within 90 s (" + what + ")");
    else std::cout << "abuse_test: a client that never reads was cut off after " << seconds(now - started) << " s (" << what << ")\n";
    beast::error_code ignored;
    beast::get_lowest_layer(*ws).socket().close(ignored);  // ends the writer, blocked or not
  });
  // A frame over the protocol's limit: the server closes with 1009.
  attack(io, []() -> awaitable<void> {
    auto ws = co_await upgrade("127.0.0.7", "token-frank");
    std::string huge(protocol::max_frame_bytes + 1, 'x');
    try {
      co_await ws->async_write(net::buffer(huge), use_awaitable);
    } catch (const std::exception&) {
    }
    int code = co_await close_code(ws, 10s);
    if (code != 1009) fail("an oversized frame was answered with close code " + std::to_string(code) + ", not 1009");
    else std::cout << "abuse_test: an oversized frame was closed with 1009\n";
  });
  // What a web page could send to the control endpoint.
  attack(io, []() -> awaitable<void> {
    const std::string open = R"({"action":"closeRoom","room":"room1"})";
    struct Forged {
      std::map<std::string, std::string> headers;
      int status;
      const char* what;
    };
    std::vector<Forged> forged = {
        {{{"Content-Type", "application/x-www-form-urlencoded"}}, 401, "a form post without the secret"},
        {{{"X-Control-Secret", server.secret}, {"Content-Type", "text/plain"}}, 415, "a text/plain post"},
        {{{"X-Control-Secret", server.secret}, {"Content-Type", "application/json"}, {"Origin", "http://evil.example"}}, 403,
         "a post from a foreign origin"},
        {{{"X-Control-Secret", server.secret}, {"Content-Type", "application/json"}, {"Host", "rebound.example:80"}}, 403,
         "a post through DNS rebinding"},
        {{{"X-Control-Secret", "guess"}, {"Content-Type", "application/json"}}, 401, "a guessed secret"},
    };
    for (const auto& f : forged) {
      int status = co_await http_status(http::verb::post, std::string("/actions"), open, f.headers);
      if (status != f.status) fail(std::string(f.what) + " got HTTP " + std::to_string(status) + ", not " + std::to_string(f.status));
    }
    std::cout << "abuse_test: " << forged.size() << " forged control requests refused\n";
  });
}

// ---- the legitimate participant -----------------------------------------------------------------

/// Alice, on the SDK, joins the meeting; the organizer (the control endpoint) opens her room with
/// auto-move; she is moved in; the room closes; she is back in the main meeting.
awaitable<bool> legitimate_story(net::io_context& io, clock::Clock& clock) {
  std::string url = "ws://127.0.0.1:" + std::to_string(server.port) + "/signaling";
  sdk::CallClientOptions options{sdk::websocket_transport(io, url, nullptr), {}, {}};
  options.breakout_rooms.auto_move_delay = 50ms;
  options.breakout_rooms.hang_up_delay = 50ms;
  sdk::CallClient client(io, clock, std::move(options));
  std::shared_ptr<sdk::CallAgent> agent;
  std::optional<sdk::CallError> error;
  client.create_call_agent("token-alice", {"Alice"}, [&](sdk::Result<std::shared_ptr<sdk::CallAgent>> r) {
    if (r) agent = *r;
    else error = r.error();
  });
  if (!co_await until([&] { return agent || error; }, 20s) || !agent) {
    fail("the legitimate participant could not connect" + (error ? ": " + error->message : std::string()));
    co_return false;
  }
  auto main = agent->join({protocol::join_url_for_thread("19:meeting_main@thread.v2")});
  auto feature = main->feature(sdk::Features::BreakoutRooms);
  if (!feature) {
    fail("no breakout rooms feature");
    co_return false;
  }
  std::shared_ptr<sdk::Call> room_call;
  std::optional<sdk::BreakoutRoomState> room_state;
  (void)(*feature)->on("breakoutRoomsUpdated", [&](const sdk::BreakoutRoomsEventData& e) {
    if (auto* j = std::get_if<sdk::JoinBreakoutRoomsEvent>(&e)) room_call = j->data;
    if (auto* a = std::get_if<sdk::AssignedBreakoutRoomsEvent>(&e); a && a->data) room_state = a->data->state();
  });
  auto step = [&](const char* what, std::function<bool()> done) -> awaitable<bool> {
    if (co_await until(std::move(done), 20s)) co_return true;
    fail(std::string("the legitimate story stalled: ") + what);
    co_return false;
  };
  if (!co_await step("joining the meeting", [&] { return main->state() == sdk::CallState::Connected; })) co_return false;
  if (co_await control(R"({"action":"openRoom","room":"room1"})") != 200) fail("openRoom was not applied");
  if (!co_await step("being moved into the room", [&] { return room_call && room_call->state() == sdk::CallState::Connected; }))
    co_return false;
  if (co_await control(R"({"action":"closeRoom","room":"room1"})") != 200) fail("closeRoom was not applied");
  if (!co_await step("coming back to the main meeting", [&] {
        return room_state == sdk::BreakoutRoomState::closed && main->state() == sdk::CallState::Connected;
      }))
    co_return false;
  std::cout << "abuse_test: the legitimate participant played the story to the end\n";
  agent->dispose();
  co_await until([] { return false; }, 100ms);  // let the goodbye go out
  co_return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: abuse_test MOCK_SERVER MEETING.yaml\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  if (!server.start(argv[1], argv[2])) {
    std::cerr << "abuse_test: the mock server did not start\n";
    return 1;
  }
  std::cout << "abuse_test: mock server on port " << server.port << "\n";
  net::io_context io;
  auto clock = clock::make_steady_clock(io);
  auto started = std::chrono::steady_clock::now();

  // Bob listens on an ordinary connection, to see the close frame at the end.
  std::shared_ptr<Ws> bob;
  net::co_spawn(io, [&]() -> awaitable<void> { bob = co_await upgrade("127.0.0.1", "token-bob"); }, net::detached);
  run_for(io, 2s);
  if (!bob) fail("bob could not connect before the attacks");

  launch_attacks(io);
  bool story_done = false;
  net::co_spawn(io, [&]() -> awaitable<void> { co_await legitimate_story(io, *clock); },
                [&](std::exception_ptr e) {
                  if (e) fail("the legitimate story threw");
                  story_done = true;
                });
  // /healthz answers throughout, each time within 2 s.
  int health_checks = 0;
  bool health_done = false;
  net::co_spawn(io, [&]() -> awaitable<void> {
    net::steady_timer timer(co_await net::this_coro::executor);
    while (!story_done || attacks_running > 0) {
      int status = co_await http_status(http::verb::get, std::string("/healthz"), std::string(), std::map<std::string, std::string>(), 2000ms);
      ++health_checks;
      if (status != 200) fail("/healthz answered " + std::to_string(status) + " during the attacks");
      if (std::chrono::steady_clock::now() - started > kBudget) co_return;
      timer.expires_after(50ms);
      co_await timer.async_wait(use_awaitable);
    }
  }, [&](std::exception_ptr) { health_done = true; });

  while (!(story_done && health_done) && std::chrono::steady_clock::now() - started < kBudget) run_for(io, 50ms);
  if (!story_done) fail("the legitimate story did not finish within the budget");
  std::cout << "abuse_test: /healthz answered " << health_checks << " checks\n";

  // SIGTERM: bob's WebSocket is closed with 1001 and a handshake; the server exits 0.
  int bob_close = -2;
  if (bob) net::co_spawn(io, [&]() -> awaitable<void> { bob_close = co_await close_code(bob, 10s); }, net::detached);
  int status = server.stop(io);
  run_for(io, 200ms);
  if (status != 0) fail("the mock server exited with " + std::to_string(status) + " on SIGTERM");
  if (bob && bob_close != 1001) fail("SIGTERM closed a WebSocket with " + std::to_string(bob_close) + ", not 1001");

  held.clear();
  held_ws.clear();
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (failures.empty()) {
    std::printf("abuse_test: ok: %d hostile connections, the story played, in %.1f s\n",
                kIdle + kHalfOpen + kBadTokens + kReplacements + 2, seconds);
    return 0;
  }
  std::printf("abuse_test: %zu failure(s) in %.1f s\n", failures.size(), seconds);
  return 1;
}
