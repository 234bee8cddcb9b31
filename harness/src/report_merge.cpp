// Merging the JSON reports of a sharded run (`harness merge`): every shard once, no scenario twice.
#include <breakout/harness/report.hpp>

#include <breakout/protocol/numbers.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace breakout::harness {

Expected<SuiteReport, std::string> merge_reports(const std::vector<std::pair<std::string, SuiteReport>>& reports) {
  if (reports.empty()) return unexpected(std::string("no reports to merge"));
  // The shards: all of one split, each once.
  std::int64_t count = 0;
  std::map<std::int64_t, std::string> seen;  // shard index -> report
  for (const auto& [name, report] : reports) {
    if (report.shard.empty())
      return unexpected(name + ": not the report of a shard (run with --shard k/n); merging it could not tell a missing shard");
    auto shard = numbers::parse_shard(report.shard);
    if (!shard) return unexpected(name + ": its shard '" + report.shard + "' is not k/n");
    if (count == 0) count = shard->count;
    if (shard->count != count)
      return unexpected(name + ": shard " + report.shard + " is of a split in " + std::to_string(shard->count) + ", the others in " +
                        std::to_string(count));
    if (auto [it, fresh] = seen.emplace(shard->index, name); !fresh)
      return unexpected("shard " + report.shard + " is given twice: " + it->second + " and " + name);
  }
  std::string missing;
  for (std::int64_t k = 1; k <= count; ++k)
    if (!seen.count(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(count);
  if (!missing.empty()) return unexpected("missing shard" + std::string(missing.find(',') == std::string::npos ? " " : "s ") + missing);

  // The results: no scenario run in two shards.
  SuiteReport merged;
  merged.rerun_template = reports.front().second.rerun_template;
  merged.started = reports.front().second.started;
  std::set<std::string> hosts;
  std::map<std::tuple<std::string, std::string, int>, std::string> owner;
  for (const auto& [name, report] : reports) {
    merged.started = std::min(merged.started, report.started);
    merged.wall_time = std::max(merged.wall_time, report.wall_time);  // shards run side by side
    merged.repeats = std::max(merged.repeats, report.repeats);
    hosts.insert(report.hostname);
    for (const auto& r : report.results) {
      auto key = std::make_tuple(r.file, r.name, r.repeat);
      if (auto [it, fresh] = owner.emplace(key, name); !fresh)
        return unexpected("'" + r.name + "' (" + r.file + ") is in two shards: " + it->second + " and " + name +
                          " (were they split from the same scenarios?)");
      merged.results.push_back(r);
    }
  }
  for (const auto& h : hosts) merged.hostname += (merged.hostname.empty() ? "" : " ") + h;
  // The order of an unsharded run: files sorted, each file's results in the order they ran.
  std::stable_sort(merged.results.begin(), merged.results.end(), [](const ScenarioResult& a, const ScenarioResult& b) { return a.file < b.file; });
  return merged;
}

}  // namespace breakout::harness
