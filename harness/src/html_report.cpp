// The HTML report: one self-contained page (html_page.cpp) with the run's data embedded as JSON.
// Everything the page shows comes from here: outcomes, messages, the scenario source around a
// failure, and per scenario the records its timeline is drawn from (the trace when the run kept
// one, else the event log).
#include <breakout/harness/report.hpp>

#include "html_page.hpp"

#include <breakout/protocol/text.hpp>

#include <map>

namespace breakout::harness {
namespace {

/// Lines of source shown on each side of a failing step.
constexpr int kSourceContext = 8;

/// The event log as trace-like records, for a result without a trace (a merged report, --no-traces).
Json records_from_log(const ScenarioResult& r, std::size_t most, std::size_t& left_out) {
  Json records = Json::array();
  for (const auto& o : r.log) {
    if (records.size() >= most) {
      ++left_out;
      continue;
    }
    std::string kind = "event";
    if (o.type == "callStateChanged" || o.type == "connectionStateChanged") kind = "state";
    else if (o.type == "automaticActionFailed") kind = "error";
    else if (o.type == "actionCompleted") kind = "result";
    Json rec = {{"t", o.at.count()}, {"kind", kind}, {"participant", o.participant}, {"type", o.type}, {"data", o.data}};
    if (o.setup) rec["setup"] = true;
    if (!o.listener.empty()) rec["listener"] = o.listener;
    records.push_back(std::move(rec));
  }
  return records;
}

/// The scenario's source around the failing line, numbered.
Json source_excerpt(const ScenarioResult& r) {
  int line = failing_line(r);
  if (r.source.empty() || line <= 0) return nullptr;
  Json lines = Json::array();
  int first = std::max(1, line - kSourceContext), number = 1;
  std::size_t start = 0;
  while (start <= r.source.size() && number <= line + kSourceContext) {
    std::size_t end = r.source.find('\n', start);
    if (end == std::string::npos) end = r.source.size();
    if (number >= first) lines.push_back(text::valid_utf8(std::string_view(r.source).substr(start, end - start)));
    if (end == r.source.size()) break;
    start = end + 1;
    ++number;
  }
  return {{"file", r.file}, {"firstLine", first}, {"line", line}, {"lines", lines}};
}

/// JSON made safe inside <script>: '<' never appears raw, so "</script>" or "<!--" in a name or a
/// frame cannot end the data. (Outside strings JSON has no '<'; inside, \u003c means the same.)
std::string script_safe(std::string_view json) {
  std::string safe;
  safe.reserve(json.size() + 16);
  for (char c : json) {
    if (c == '<') safe += "\\u003c";
    else safe += c;
  }
  return safe;
}

}  // namespace

void write_html(std::ostream& out, const SuiteReport& report, const HtmlOptions& options) {
  std::map<std::string, int> counts;
  for (const auto& r : report.results) ++counts[std::string(to_string(r.outcome))];
  Json top = {{"title", options.title},
              {"kind", options.kind},
              {"hostname", report.hostname},
              {"startedMs", std::chrono::duration_cast<std::chrono::milliseconds>(report.started.time_since_epoch()).count()},
              {"wallTimeMs", report.wall_time.count()},
              {"counts", counts}};
  out << html_page_before_data(text::xml_safe(options.title, false));
  // The data is written piece by piece: a thousand participants' records go from the trace's spool
  // to the page line by line, never all in memory as one tree.
  std::string head = script_safe(text::dump_json(top, -1));
  head.pop_back();  // the closing brace: the scenarios follow
  out << head << ",\"scenarios\":[";
  bool first_scenario = true;
  for (const auto& r : report.results) {
    Json setup = r.trace_header.is_object() && r.trace_header.contains("setup") ? r.trace_header["setup"] : Json(nullptr);
    Json meta = result_facts(report, r);
    meta["name"] = shown_name(report, r);
    meta["source"] = source_excerpt(r);
    meta["setup"] = std::move(setup);
    std::string text = script_safe(text::dump_json(meta, -1));
    text.pop_back();
    out << (first_scenario ? "" : ",") << text << ",\"records\":[";
    first_scenario = false;
    std::size_t written = 0, left_out = 0, bytes = 0;
    auto record = [&](std::string_view line) {
      if (written >= options.most_records || bytes + line.size() > options.most_record_bytes) {
        ++left_out;
        return;
      }
      bytes += line.size();
      out << (written++ ? "," : "") << script_safe(line);
    };
    if (r.trace_spool) {
      // Over the limit, frames give way first: everything else the run did is written, then as
      // many frames as still fit (the page orders records by time again).
      auto is_frame = [](std::string_view line) { return line.substr(0, 48).find("\"kind\":\"wire\"") != std::string_view::npos; };
      for (bool frames : {false, true})
        r.trace_spool->for_each_line([&](std::string_view line) {
          if (is_frame(line) == frames) record(line);
          return true;
        });
    } else if (!r.trace.empty()) {
      for (const auto& rec : r.trace) record(text::dump_json(rec, -1));
    } else {
      Json records = records_from_log(r, options.most_records, left_out);
      for (const auto& rec : records) record(text::dump_json(rec, -1));
    }
    out << "],\"recordsLeftOut\":" << left_out << "}";
  }
  out << "]}" << html_page_after_data();
}

}  // namespace breakout::harness
