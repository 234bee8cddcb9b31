// Load generator for the side-by-side benchmarks: N WebSocket clients on one thread.
//   ws_load PORT CLIENTS ROUNDS fanout|roundtrip [--mock]
// fanout: each round, one update reaches every client; the time is from the trigger to the last
//   client's receipt. Plain servers (Node ws, bare Beast) broadcast what client 0 sends; the mock
//   server is triggered by POST /actions updateSettings, and every client (a joined participant
//   p1..pN) counts its conversationUpdate messages.
// roundtrip: one client, ROUNDS requests one after the other (the mock: hold and resume; a plain
//   server: a message and its echo).
// --server-pid PID: also report the server's CPU time over the timed part (all its threads, from
//   /proc), so that its cost per delivery is known even when the load generator is the bottleneck;
//   the load generator's own CPU share says whether it was.
// Prints one JSON line.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

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

/// CPU time of this process so far, in seconds.
double own_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

/// CPU time of another process so far: the sum over its threads of the time on a CPU (nanosecond
/// resolution, from schedstat), and user and system time as the kernel accounts them (in ticks).
struct ProcessCpu {
  double total_s = 0, user_s = 0, system_s = 0;
};
ProcessCpu process_cpu(int pid) {
  ProcessCpu c;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    double ns = 0;
    if (in >> ns) c.total_s += ns / 1e9;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the command name (which is in parentheses and may hold spaces): state is the
  // 3rd field, utime the 14th and stime the 15th.
  if (auto close = line.rfind(')'); close != std::string::npos) {
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    for (int i = 3; rest >> field; ++i) {
      if (i == 14) c.user_s = std::stod(field) / ticks;
      if (i == 15) {
        c.system_s = std::stod(field) / ticks;
        break;
      }
    }
  }
  return c;
}

/// One POST /actions on its own connection, the trigger of a mock server round. It is
/// asynchronous, on the clients' own loop, so that they read their updates while it completes,
/// as they do while a plain server broadcasts; `done` is set when the reply has come.
struct ActionPost : std::enable_shared_from_this<ActionPost> {
  beast::tcp_stream stream;
  http::request<http::string_body> req{http::verb::post, "/actions", 11};
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  bool& done;
  ActionPost(net::io_context& io, const std::string& body, bool& done_flag) : stream(io), done(done_flag) {
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    // The mock server's control endpoint wants its secret; bench/run.sh gives both the same one.
    if (const char* secret = std::getenv("MOCK_SERVER_CONTROL_SECRET")) req.set("X-Control-Secret", secret);
    req.body() = body;
    req.prepare_payload();
  }
  static void fail(const std::string& what, const beast::error_code& ec) {
    std::cerr << "ws_load: POST /actions: " << what << ": " << ec.message() << "\n";
    std::exit(1);
  }
  void start(unsigned short port) {
    stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [self = shared_from_this()](beast::error_code ec) {
      if (ec) fail("connect", ec);
      http::async_write(self->stream, self->req, [self](beast::error_code ec, std::size_t) {
        if (ec) fail("write", ec);
        http::async_read(self->stream, self->buffer, self->res, [self](beast::error_code ec, std::size_t) {
          if (ec) fail("read", ec);
          if (self->res.result() != http::status::ok) {
            std::cerr << "ws_load: POST /actions: " << self->res.body() << "\n";
            std::exit(1);
          }
          self->done = true;
        });
      });
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: ws_load PORT CLIENTS ROUNDS fanout|roundtrip [--mock] [--server-pid PID]\n";
    return 2;
  }
  auto port = static_cast<unsigned short>(std::stoi(argv[1]));
  int clients = std::stoi(argv[2]), rounds = std::stoi(argv[3]);
  std::string mode = argv[4];
  bool mock = false;
  int server_pid = 0;
  for (int i = 5; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--mock") mock = true;
    else if (a == "--server-pid" && i + 1 < argc) server_pid = std::stoi(argv[++i]);
    else {
      std::cerr << "ws_load: unknown option '" << a << "'\n";
      return 2;
    }
  }
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
  // The timed part's wall time, and the CPU both sides spent in it.
  Clock::time_point started;
  double load_cpu_before = 0;
  ProcessCpu server_before;
  auto start_timing = [&] {
    if (server_pid) server_before = process_cpu(server_pid);
    load_cpu_before = own_cpu_s();
    started = Clock::now();
  };
  auto stop_timing = [&](double operations) {
    double s = std::chrono::duration<double>(Clock::now() - started).count();
    out["seconds"] = s;
    out["load_cpu_share"] = (own_cpu_s() - load_cpu_before) / s;
    if (server_pid) {
      ProcessCpu after = process_cpu(server_pid);
      double cpu = after.total_s - server_before.total_s;
      out["server_cpu_s"] = cpu;
      out["server_user_s"] = after.user_s - server_before.user_s;
      out["server_system_s"] = after.system_s - server_before.system_s;
      out["server_cpu_us_per_op"] = cpu / operations * 1e6;
    }
    return s;
  };
  if (mode == "fanout") {
    int target = 0, done_clients = 0;
    for (auto& c : all) {
      c->received = 0;
      c->on_text = [&](Client& self, const std::string& text) {
        if (mock && text.find("\"type\":\"conversationUpdate\"") == std::string::npos) return;
        if (++self.received == target) ++done_clients;
      };
    }
    start_timing();
    for (int r = 1; r <= rounds; ++r) {
      target = r;
      done_clients = 0;
      bool replied = !mock;
      if (mock)
        std::make_shared<ActionPost>(io, std::string(R"({"action":"updateSettings","disableReturnToMainMeeting":)") + (r % 2 ? "true}" : "false}"),
                                     replied)
            ->start(port);
      else all.front()->send(kPayload);
      while ((done_clients < clients || !replied) && io.run_one()) {}
    }
    double deliveries = static_cast<double>(clients) * rounds;
    double s = stop_timing(deliveries);
    out["deliveries_per_s"] = deliveries / s;
    if (server_pid) out["deliveries_per_server_cpu_s"] = deliveries / out["server_cpu_s"].get<double>();
  } else {
    auto& c = *all.front();
    int replies = 0;
    c.on_text = [&](Client&, const std::string& text) {
      if (!mock || text.find("\"type\":\"response\"") != std::string::npos) ++replies;
    };
    start_timing();
    for (int r = 1; r <= rounds; ++r) {
      if (mock)
        c.send(std::string(R"({"type":"request","id":)") + std::to_string(r + 1) + R"(,"method":")" + (r % 2 ? "hold" : "resume") +
               R"(","params":{"callId":"p1-call-1"}})");
      else c.send(kPayload);
      while (replies < r && io.run_one()) {}
    }
    out["round_trips_per_s"] = rounds / stop_timing(rounds);
  }
  std::cout << out.dump() << std::endl;
  for (auto& c : all) {
    beast::error_code ec;
    beast::get_lowest_layer(c->ws).socket().close(ec);
  }
  return 0;
}
