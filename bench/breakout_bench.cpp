// Benchmarks of the harness itself, in process: the suite, large meetings, many clients. Each
// prints one JSON object per line; bench/run.sh puts them in a table (docs/performance.md).
//   breakout_bench suite DIR [--repeat K]   every scenario but those tagged scale K times, serially: per-scenario times and frames
//   breakout_bench meeting P R              P participants in R rooms: assign all, open all (auto-move), close all, back
//   breakout_bench stress N                 N clients; one settings change fanned out to all
//   breakout_bench file PATH                one scenario file as `harness run` plays it (traces kept): load, set-up, steps, memory
#include <breakout/harness/runner.hpp>
#include <breakout/scenario/scenario.hpp>

#include "sdk_driver.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

using namespace breakout::harness;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Scenario load_or_die(const std::string& text, const std::string& name) {
  auto loaded = load_scenario_text(text, name);
  if (!loaded.ok()) {
    std::cerr << render_errors(loaded);
    std::exit(2);
  }
  return loaded.scenarios.front();
}

RunOptions long_runs() {
  RunOptions o;
  o.wall_timeout = std::chrono::minutes(10);
  return o;
}

int suite(const std::string& dir, int repeat) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    auto p = e.path();
    bool fixture = false;
    for (const auto& part : p) fixture = fixture || part == "fixtures";
    if (e.is_regular_file() && p.extension() == ".yaml" && !fixture) files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> scenarios;
  for (const auto& f : files) {
    auto loaded = load_scenario_file(f);
    // The thousand-participant story has a benchmark of its own (`file`); here it would be the
    // whole of every figure.
    for (auto& s : loaded.scenarios)
      if (std::find(s.tags.begin(), s.tags.end(), "scale") == s.tags.end()) scenarios.push_back(std::move(s));
  }
  auto drivers = sdk_driver_factory();
  std::vector<double> medians;
  std::uint64_t frames = 0;
  double total = 0;
  auto started = Clock::now();
  for (const auto& s : scenarios) {
    std::vector<double> times;
    for (int k = 0; k < repeat; ++k) {
      auto t = Clock::now();
      auto r = run_scenario(s, drivers, RunOptions{});
      times.push_back(seconds_since(t) * 1e6);
      if (r.outcome != Outcome::pass && r.outcome != Outcome::xfail) {
        std::cerr << "bench: " << s.name << " did not pass\n" << r.message;
        return 1;
      }
      if (k == 0) frames += r.frames;
    }
    medians.push_back(percentile(times, 0.5));
    for (double t : times) total += t;
  }
  double wall = seconds_since(started);
  double one_pass_us = 0;
  for (double m : medians) one_pass_us += m;
  std::cout << "{\"bench\":\"suite\",\"scenarios\":" << scenarios.size() << ",\"repeat\":" << repeat
            << ",\"wall_s\":" << wall << ",\"suite_pass_ms\":" << one_pass_us / 1000 << ",\"median_us\":" << percentile(medians, 0.5)
            << ",\"p95_us\":" << percentile(medians, 0.95) << ",\"frames\":" << frames
            << ",\"us_per_frame\":" << one_pass_us / static_cast<double>(frames) << "}\n";
  return 0;
}

/// Participants p1..pP, rooms r1..rR (participants spread evenly), with the steps given.
std::string meeting_yaml(int participants, int rooms, const std::string& steps, bool roster = true) {
  std::string y = std::string("name: bench\n") + (roster ? "" : "meeting:\n  rosterUpdates: false\n") + "ignore: [assignedBreakoutRooms, breakoutRooms, breakoutRoomsSettings, callStateChanged, join, "
                  "connectionStateChanged, automaticActionFailed]\nparticipants:\n";
  for (int i = 1; i <= participants; ++i) y += "  - id: p" + std::to_string(i) + "\n";
  if (rooms > 0) {
    y += "rooms:\n";
    for (int r = 1; r <= rooms; ++r) y += "  - id: r" + std::to_string(r) + "\n";
  }
  return y + "steps:\n" + steps;
}

int meeting(int participants, int rooms) {
  std::string cycle;
  for (int i = 1; i <= participants; ++i)
    cycle += "  - server: assign\n    participant: p" + std::to_string(i) + "\n    room: r" + std::to_string((i - 1) % rooms + 1) + "\n";
  cycle += "  - server: openAllRooms\n  - advance: 3s\n  - server: closeAllRooms\n  - advance: 5s\n";
  auto drivers = sdk_driver_factory();
  auto full = load_or_die(meeting_yaml(participants, rooms, cycle), "cycle.yaml");
  auto t0 = Clock::now();
  auto b = run_scenario(full, drivers, long_runs());
  double total_s = seconds_since(t0);
  if (b.outcome != Outcome::pass) {
    std::cerr << b.message;
    return 1;
  }
  // Everyone went and came back: a join event and a return to Connected per participant.
  std::size_t joins = 0, back = 0;
  for (const auto& o : b.log) {
    if (o.setup) continue;
    if (o.type == "join") ++joins;
    if (o.type == "callStateChanged" && o.data["call"] == "main" && o.data["state"] == "Connected") ++back;
  }
  if (joins != static_cast<std::size_t>(participants) || back != static_cast<std::size_t>(participants)) {
    std::cerr << "bench: " << joins << " joins and " << back << " returns for " << participants << " participants\n";
    return 1;
  }
  double setup_s = static_cast<double>(b.setup_time.count()) / 1e6;
  double cycle_s = static_cast<double>(b.steps_time.count()) / 1e6;
  // Frames of the cycle: those of the whole run less those of a run that only sets up.
  auto a = run_scenario(load_or_die(meeting_yaml(participants, rooms, "  - advance: 0ms\n"), "setup.yaml"), drivers, long_runs());
  std::uint64_t frames = b.frames - a.frames;
  std::cout << "{\"bench\":\"meeting\",\"participants\":" << participants << ",\"rooms\":" << rooms << ",\"total_s\":" << total_s
            << ",\"setup_s\":" << setup_s
            << ",\"cycle_s\":" << cycle_s << ",\"cycle_frames\":" << frames << ",\"frames_per_s\":" << static_cast<double>(frames) / cycle_s
            << ",\"peak_rss_mib\":" << static_cast<double>(peak_rss_kib()) / 1024 << "}\n";
  return 0;
}

int stress(int clients) {
  auto drivers = sdk_driver_factory();
  // Without roster updates: with them, N clients joining one by one cost N²/2 messages before the
  // fan-out is even reached (docs/performance.md).
  auto fanout = load_or_die(meeting_yaml(clients, 0, "  - server: updateSettings\n    disableReturnToMainMeeting: true\n", false),
                            "fanout.yaml");
  long rss_before = peak_rss_kib();
  auto b = run_scenario(fanout, drivers, long_runs());
  if (b.outcome != Outcome::pass) {
    std::cerr << b.message;
    return 1;
  }
  double setup_s = static_cast<double>(b.setup_time.count()) / 1e6;
  double fanout_s = static_cast<double>(b.steps_time.count()) / 1e6;
  long rss_after = peak_rss_kib();
  std::size_t raised = 0;
  for (const auto& o : b.log)
    if (!o.setup && o.type == "breakoutRoomsSettings") ++raised;
  if (raised != static_cast<std::size_t>(clients)) {
    std::cerr << "bench: " << raised << " of " << clients << " clients raised the event\n";
    return 1;
  }
  std::cout << "{\"bench\":\"stress\",\"clients\":" << clients << ",\"setup_s\":" << setup_s << ",\"fanout_s\":" << fanout_s
            << ",\"peak_rss_mib\":" << static_cast<double>(peak_rss_kib()) / 1024
            << ",\"kib_per_client\":" << static_cast<double>(rss_after - rss_before) / clients << "}\n";
  return 0;
}

int file(const std::string& path) {
  auto t0 = Clock::now();
  LoadResult loaded = load_scenario_file(path);
  if (!loaded.ok()) {
    std::cerr << render_errors(loaded);
    return 1;
  }
  double load_s = seconds_since(t0);
  const Scenario& scenario = loaded.scenarios.front();
  // As `harness run` plays it: the trace recorded (written only for a failure), not kept in memory.
  RunOptions options = long_runs();
  options.trace = true;
  options.trace_records = false;
  if (scenario.timeout) options.wall_timeout = *scenario.timeout;
  auto r = run_scenario(scenario, sdk_driver_factory(), options);
  double total_s = seconds_since(t0);
  if (r.outcome != Outcome::pass) {
    std::cerr << r.message;
    return 1;
  }
  std::size_t clients = 0;
  for (const auto& p : scenario.participants) clients += p.client ? 1 : 0;
  std::cout << "{\"bench\":\"file\",\"file\":\"" << fs::path(path).filename().string() << "\",\"participants\":" << scenario.participants.size()
            << ",\"clients\":" << clients << ",\"rooms\":" << scenario.meeting.rooms.size() << ",\"total_s\":" << total_s
            << ",\"load_s\":" << load_s << ",\"setup_s\":" << static_cast<double>(r.setup_time.count()) / 1e6
            << ",\"steps_s\":" << static_cast<double>(r.steps_time.count()) / 1e6 << ",\"frames\":" << r.frames
            << ",\"trace_mib\":" << static_cast<double>(r.trace_spool ? r.trace_spool->bytes() : 0) / (1 << 20)
            << ",\"peak_rss_mib\":" << static_cast<double>(peak_rss_kib()) / 1024 << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args[0] == "suite") {
    int repeat = 10;
    if (args.size() >= 4 && args[2] == "--repeat") repeat = std::stoi(args[3]);
    return suite(args[1], repeat);
  }
  if (args.size() == 3 && args[0] == "meeting") return meeting(std::stoi(args[1]), std::stoi(args[2]));
  if (args.size() == 2 && args[0] == "stress") return stress(std::stoi(args[1]));
  if (args.size() == 2 && args[0] == "file") return file(args[1]);
  std::cerr << "usage: breakout_bench suite DIR [--repeat K] | meeting PARTICIPANTS ROOMS | stress CLIENTS | file PATH\n";
  return 2;
}
