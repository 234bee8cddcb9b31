// The runner's entry points: a scenario run to its outcome (PASS, FAIL, XFAIL, ...) with its log
// and trace; the run itself is run.hpp's Run.
#include <breakout/harness/runner.hpp>
#include <breakout/protocol/text.hpp>
#include <breakout/protocol/trace.hpp>

#include "run.hpp"

#include <cstdio>

namespace breakout::harness {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: return "PASS";
    case Outcome::fail: return "FAIL";
    case Outcome::unresolved: return "UNRESOLVED";
    case Outcome::timeout: return "TIMEOUT";
    case Outcome::skip: return "SKIP";
    case Outcome::xfail: return "XFAIL";
    case Outcome::xpass: return "XPASS";
  }
  return "UNRESOLVED";
}

std::optional<Outcome> outcome_named(std::string_view name) {
  for (Outcome o : {Outcome::pass, Outcome::fail, Outcome::unresolved, Outcome::timeout, Outcome::skip, Outcome::xfail, Outcome::xpass})
    if (to_string(o) == name) return o;
  return std::nullopt;
}

std::string format_observation(const Observation& o) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[+%lld.%03llds]", static_cast<long long>(o.at.count() / 1000),
                static_cast<long long>(o.at.count() % 1000));
  return std::string(stamp) + " " + o.participant + " " + o.type + (o.listener.empty() ? "" : " via " + o.listener) + " " +
         text::dump_json(o.data);
}

namespace {

/// Why the run stopped, with the failing step as written: enough to make a scenario that fails the same way.
Json failure_record(const Stop& stop, const Scenario& scenario, clock::TimePoint now) {
  Json r = {{"t", now.count()}, {"kind", "failure"}, {"outcome", to_string(stop.outcome)}, {"step", stop.step},
            {"line", stop.diagnostic.loc.line}, {"message", stop.diagnostic.message}};
  if (stop.step >= 0) r["source"] = scenario.steps[static_cast<std::size_t>(stop.step)].source;
  if (stop.unexpected)
    r["unexpected"] = {{"t", stop.unexpected->at.count()}, {"participant", stop.unexpected->participant},
                       {"type", stop.unexpected->type}, {"data", stop.unexpected->data}};
  return r;
}

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, const DriverFactory& drivers, const RunOptions& options) {
  ScenarioResult result;
  result.file = scenario.file;
  result.name = scenario.name;
  result.rules = scenario.rules;
  result.tags = scenario.tags;
  if (options.trace) {
    result.trace_header = trace::header("harness", scenario.name, setup_json(scenario));
    result.trace_header["file"] = scenario.file;
  }
  auto started = std::chrono::steady_clock::now();
  if (scenario.skip) {
    result.outcome = Outcome::skip;
    result.reason = *scenario.skip;
    return result;
  }
  std::optional<Stop> stop;
  // The scenario's own `timeout:` takes the place of the runner's default.
  RunOptions own = options;
  if (scenario.timeout) own.wall_timeout = *scenario.timeout;
  try {
    Run run(scenario, drivers, own);
    try {
      run.play();
    } catch (Stop& s) {
      stop = std::move(s);
    }
    result.log = run.log();
    result.virtual_time = run.now();
    result.frames = run.frames();
    result.setup_time = run.setup_time();
    result.steps_time = run.steps_time();
    if (options.trace) {
      auto spool = run.trace();
      if (stop) spool->append(trace::to_line(failure_record(*stop, scenario, run.now())));
      spool->append(trace::to_line({{"t", run.now().count()}, {"kind", "end"}, {"outcome", stop ? to_string(stop->outcome) : "PASS"}}));
      result.trace_spool = spool;
      if (options.trace_records)
        spool->for_each_line([&](std::string_view line) {
          result.trace.push_back(Json::parse(line));
          return true;
        });
    }
  } catch (Stop& s) {
    stop = std::move(s);
  } catch (const std::exception& e) {
    stop = Stop{Outcome::unresolved, Diagnostic{Diagnostic::Severity::error, scenario.loc, std::string("the run broke: ") + e.what(), {}}, -1, std::nullopt};
  }
  result.wall_time = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (stop) {
    result.outcome = stop->outcome;
    result.message = render(stop->diagnostic, scenario.source);
  }
  if (scenario.xfail) {
    result.reason = *scenario.xfail;
    if (result.outcome == Outcome::fail) result.outcome = Outcome::xfail;
    else if (result.outcome == Outcome::pass) {
      result.outcome = Outcome::xpass;
      result.message = scenario.loc.to_string() + ": error: the scenario passed, but is marked xfail: " + *scenario.xfail + "\n";
    }
  }
  return result;
}

ScenarioResult unresolved_result(const std::string& path, const LoadResult& loaded) {
  ScenarioResult result;
  result.file = path;
  result.name = loaded.name.empty() ? path : loaded.name;
  result.outcome = Outcome::unresolved;
  result.message = render_errors(loaded);
  return result;
}

ScenarioResult run_scenario_file(const std::string& path, const DriverFactory& drivers, const RunOptions& options) {
  LoadResult loaded = load_scenario_file(path);
  if (!loaded.ok()) return unresolved_result(path, loaded);
  return run_scenario(loaded.scenarios.front(), drivers, options);
}

}  // namespace breakout::harness
