// mock_server: the mock Teams signaling server on its own, for any client to be pointed at.
#include <breakout/scenario/groups.hpp>
#include <breakout/scenario/scenario.hpp>
#include <breakout/mock_server/server.hpp>

#include <breakout/protocol/messages.hpp>
#include <breakout/protocol/numbers.hpp>
#include <breakout/protocol/text.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

using namespace breakout;

namespace {

/// Plays a scenario's server steps in real time: actions at once, `advance` as a real wait. The
/// scenario's client steps and expectations are the client's business and are skipped.
class StepPlayer {
 public:
  StepPlayer(const scenario::Scenario& story, mock::Server& server, clock::Clock& clock, bool verbose,
             trace::Recorder* recorder)
      : scenario_(story), server_(server), clock_(clock), verbose_(verbose), recorder_(recorder) {}

  void next() {
    while (index_ < scenario_.steps.size()) {
      const auto& step = scenario_.steps[index_++];
      if (auto* s = std::get_if<scenario::ServerStep>(&step.body)) {
        if (!s->group) {
          apply(step, s->action, s->parsed);
          continue;
        }
        // A group's action is applied once per member, the room's members read as it is played.
        auto members = scenario::members_now(*s->group, scenario_, server_.meeting(), false);
        if (members.empty())
          std::cerr << text::terminal_safe(step.loc.to_string() + ": " + step.summary + ": no members now, nothing done") << "\n";
        for (const auto& member : members) {
          auto action = scenario::action_for(*s, member);
          if (!action) std::cerr << text::terminal_safe(step.loc.to_string() + ": " + action.error()) << "\n";
          else apply(step, action->json, action->parsed);
        }
      } else if (auto* a = std::get_if<scenario::AdvanceStep>(&step.body)) {
        if (verbose_) std::cerr << text::terminal_safe(step.loc.to_string() + ": " + step.summary) << "\n";
        clock_.schedule(a->by, [this] { next(); });
        return;
      }
    }
    if (verbose_) std::cerr << "all server steps played\n";
  }

 private:
  void apply(const scenario::Step& step, const scenario::Json& json, const mock::Action& action) {
    if (recorder_) recorder_->server_action(json);
    auto applied = server_.apply(action);
    if (verbose_ || !applied)
      std::cerr << text::terminal_safe(step.loc.to_string() + ": " + step.summary + (applied ? "" : ": refused: " + applied.error()))
                << "\n";
  }

  const scenario::Scenario& scenario_;
  mock::Server& server_;
  clock::Clock& clock_;
  bool verbose_;
  trace::Recorder* recorder_;
  std::size_t index_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  // A recording written into a closed pipe is an error message and a clean exit, not death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"The mock Teams signaling server: plays a scenario's meeting for any client (docs/mock-server.md)."};
  app.set_version_flag("--version", std::string("mock_server ") + BREAKOUT_VERSION);
  std::string scenario_path;
  std::string listen = "127.0.0.1:0";
  bool no_steps = false;
  bool verbose = false;
  bool no_control = false;
  std::string control_secret;
  mock::ServerOptions options;
  app.add_option("--scenario", scenario_path, "scenario whose set-up (participants, rooms, settings) is the meeting")->required();
  app.add_option("--listen", listen, "address:port to bind ([address]:port for IPv6); port 0 picks a free one")->capture_default_str();
  app.add_flag("--no-steps", no_steps, "set up only; take actions from POST /actions instead of the scenario's steps");
  app.add_option("--max-connections", options.max_connections, "open connections in all; beyond this they are closed at once")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--max-pending", options.max_pending,
                 "connections not yet upgraded, in all; past this the oldest is closed to make room")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--max-pending-per-source", options.max_pending_per_source,
                 "connections not yet upgraded from one address; past this its oldest is closed to make room")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  auto deadline = [&](const char* name, std::chrono::milliseconds& value, const char* what) {
    app.add_option_function<std::int64_t>(
           name, [&value](std::int64_t ms) { value = std::chrono::milliseconds(ms); }, what)
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}));
  };
  deadline("--upgrade-deadline-ms", options.upgrade_deadline, "real time a connection has to upgrade (default 5000)");
  deadline("--close-deadline-ms", options.close_deadline, "real time a close handshake may take (default 2000)");
  deadline("--slow-reader-deadline-ms", options.slow_reader_deadline,
           "real time a client may stay behind what it was sent before it is closed with 1008 (default 10000)");
  app.add_option("--control-secret", control_secret,
                 "the secret POST /actions and GET /legs require in X-Control-Secret (default: "
                 "$MOCK_SERVER_CONTROL_SECRET, else a random one, printed at start)");
  app.add_flag("--no-control", no_control, "serve no control endpoint at all");
  app.add_flag("-v,--verbose", verbose, "print each server step as it is played");
  std::string record;
  app.add_option("--record", record, "write a trace of the session (docs/traces.md) to this file, one record per line as it happens");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // a usage mistake exits 2 (docs/mock-server.md)
  }

  auto where = numbers::parse_host_port(listen);
  if (!where) {
    std::cerr << "mock_server: --listen takes address:port or [IPv6 address]:port with a port from 0 to 65535, got '"
              << text::terminal_safe(listen) << "'\n";
    return 2;
  }

  auto loaded = scenario::load_scenario_file(scenario_path);
  if (!loaded.ok()) {
    std::cerr << text::terminal_safe(scenario::render_errors(loaded));
    return 2;
  }
  const scenario::Scenario& story = loaded.scenarios.front();

  if (!no_control) {
    options.control_endpoint = true;
    if (control_secret.empty())
      if (const char* env = std::getenv("MOCK_SERVER_CONTROL_SECRET")) control_secret = env;
    options.control_secret = control_secret.empty() ? mock::generate_control_secret() : control_secret;
  }

  boost::asio::io_context io;
  auto clock = clock::make_steady_clock(io);
  std::unique_ptr<trace::FileRecorder> recorder;
  int exit_code = 0;
  std::unique_ptr<mock::Server> server;
  auto stop_everything = [&] {
    if (server) server->stop();
    io.stop();
  };
  if (!record.empty()) {
    trace::Json header = trace::header("mock_server", story.name, scenario::setup_json(story));
    header["file"] = story.file;
    recorder = std::make_unique<trace::FileRecorder>(
        header, [&clock] { return clock->now().count(); },
        [&](const std::string& why) {
          std::cerr << "mock_server: " << why << "; the recording is incomplete, stopping\n";
          exit_code = 1;
          boost::asio::post(io, stop_everything);
        });
    if (auto opened = recorder->open(record); !opened) {
      std::cerr << "mock_server: " << opened.error() << "\n";
      return 2;
    }
    options.recorder = recorder.get();
  }
  server = std::make_unique<mock::Server>(io, *clock, story.meeting, options);
  auto bound = server->listen(where->address, where->port);
  if (!bound) {
    std::cerr << "mock_server: " << bound.error() << "\n";
    return 1;
  }
  boost::system::error_code ec;
  if (auto address = boost::asio::ip::make_address(where->address, ec); !ec && !address.is_loopback())
    std::cerr << "mock_server: warning: listening on " << where->address
              << ", which other machines can reach; anyone with a participant's token can connect"
              << (options.control_endpoint ? ", and anyone with the control secret can drive the meeting" : "") << "\n";
  std::cout << "listening on " << server->url() << "\n" << "port " << *bound << "\n";
  // The link a client joins the main meeting with (joinMeeting's meetingLink; docs/protocol.md).
  std::cout << "meeting " << protocol::join_url_for_thread(story.meeting.thread_id) << "\n";
  if (options.control_endpoint)
    std::cout << "control http://" << numbers::format_host_port(where->address, *bound) << "/actions secret " << options.control_secret
              << "\n";
  std::cout << std::flush;
  for (const auto& p : story.participants)
    std::cerr << "participant " << text::terminal_safe(p.config.id) << ": token "
              << text::terminal_safe(p.config.token.empty() ? "token-" + p.config.id : p.config.token) << "\n";

  StepPlayer player(story, *server, *clock, verbose, recorder.get());
  if (!no_steps) player.next();

  // SIGINT and SIGTERM: every WebSocket is closed with 1001 and a close handshake (with a deadline),
  // then the loop ends. A second signal stops at once.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& e, int) {
    if (e) return;
    std::cerr << "mock_server: stopping\n";
    signals.async_wait([&](const boost::system::error_code& again, int) {
      if (!again) stop_everything();
    });
    server->shutdown([&] { boost::asio::post(io, stop_everything); });
  };
  signals.async_wait(on_signal);
  io.run();
  if (recorder) recorder->finish();
  return exit_code;
}
