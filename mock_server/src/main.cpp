// mock_server: the mock Teams signaling server on its own, for any client to be pointed at.
#include <breakout/harness/runner.hpp>
#include <breakout/harness/scenario.hpp>
#include <breakout/mock_server/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <iostream>

using namespace breakout;

namespace {

/// Plays a scenario's server steps in real time: actions at once, `advance` as a real wait. The
/// scenario's client steps and expectations are the client's business and are skipped.
class StepPlayer {
 public:
  StepPlayer(const harness::Scenario& scenario, mock::Server& server, clock::Clock& clock, bool verbose,
             trace::Recorder* recorder)
      : scenario_(scenario), server_(server), clock_(clock), verbose_(verbose), recorder_(recorder) {}

  void next() {
    while (index_ < scenario_.steps.size()) {
      const auto& step = scenario_.steps[index_++];
      if (auto* s = std::get_if<harness::ServerStep>(&step.body)) {
        if (recorder_) recorder_->server_action(s->action);
        auto applied = server_.apply(s->parsed);
        if (verbose_ || !applied)
          std::cerr << step.loc.to_string() << ": " << step.summary << (applied ? "" : ": refused: " + applied.error()) << "\n";
      } else if (auto* a = std::get_if<harness::AdvanceStep>(&step.body)) {
        if (verbose_) std::cerr << step.loc.to_string() << ": " << step.summary << "\n";
        clock_.schedule(a->by, [this] { next(); });
        return;
      }
    }
    if (verbose_) std::cerr << "all server steps played\n";
  }

 private:
  const harness::Scenario& scenario_;
  mock::Server& server_;
  clock::Clock& clock_;
  bool verbose_;
  trace::Recorder* recorder_;
  std::size_t index_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The mock Teams signaling server: plays a scenario's meeting for any client (docs/mock-server.md)."};
  std::string scenario_path;
  std::string listen = "127.0.0.1:0";
  bool no_steps = false;
  bool verbose = false;
  std::size_t max_connections = 1024;
  app.add_option("--scenario", scenario_path, "scenario whose set-up (participants, rooms, settings) is the meeting")->required();
  app.add_option("--listen", listen, "address:port to bind; port 0 picks a free one")->capture_default_str();
  app.add_flag("--no-steps", no_steps, "set up only; take actions from POST /actions instead of the scenario's steps");
  app.add_option("--max-connections", max_connections, "connections beyond this are closed at once")->capture_default_str();
  app.add_flag("-v,--verbose", verbose, "print each server step as it is played");
  std::string record;
  app.add_option("--record", record, "write a trace of the session (docs/traces.md) to this file, one record per line as it happens");
  CLI11_PARSE(app, argc, argv);

  auto loaded = harness::load_scenario_file(scenario_path);
  if (!loaded.ok()) {
    std::cerr << harness::render_errors(loaded);
    return 2;
  }
  const harness::Scenario& scenario = loaded.scenarios.front();

  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "mock_server: --listen takes address:port, got '" << listen << "'\n";
    return 2;
  }
  std::string address = listen.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    std::cerr << "mock_server: not a port: '" << listen.substr(colon + 1) << "'\n";
    return 2;
  }

  boost::asio::io_context io;
  auto clock = clock::make_steady_clock(io);
  mock::ServerOptions options;
  options.max_connections = max_connections;
  std::unique_ptr<trace::FileRecorder> recorder;
  if (!record.empty()) {
    trace::Json header = trace::header("mock_server", scenario.name, harness::setup_json(scenario));
    header["file"] = scenario.file;
    recorder = std::make_unique<trace::FileRecorder>(record, header, [&clock] { return clock->now().count(); });
    if (!recorder->ok()) {
      std::cerr << "mock_server: cannot write " << record << "\n";
      return 2;
    }
    options.recorder = recorder.get();
  }
  mock::Server server(io, *clock, scenario.meeting, options);
  auto bound = server.listen(address, static_cast<std::uint16_t>(port));
  if (!bound) {
    std::cerr << "mock_server: " << bound.error() << "\n";
    return 1;
  }
  std::cout << "listening on " << server.url() << "\n" << "port " << *bound << std::endl;
  for (const auto& p : scenario.participants)
    std::cerr << "participant " << p.config.id << ": token " << (p.config.token.empty() ? "token-" + p.config.id : p.config.token) << "\n";

  StepPlayer player(scenario, server, *clock, verbose, recorder.get());
  if (!no_steps) player.next();

  // SIGINT and SIGTERM stop the server cleanly: sessions closed, then the loop ends.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    std::cerr << "mock_server: stopping\n";
    server.stop();
    io.stop();
  });
  io.run();
  if (recorder) recorder->finish();
  return 0;
}
