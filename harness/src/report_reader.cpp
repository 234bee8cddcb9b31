// Reading a JSON report (write_json) back, for `harness merge`. Reports come from CI artifacts: a
// report that is not one, or not one this harness can read, is an error naming the field, never a
// crash or a guess.
#include <breakout/harness/report.hpp>

#include <optional>

namespace breakout::harness {
namespace {

/// How deep a report may nest: the document, its scenarios, a log entry and the event's data.
constexpr int kMostNesting = 200;

bool nests_within(std::string_view text, int most) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > most) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

/// Typed access to one object's fields; the first problem is kept, with the field's path.
class Fields {
 public:
  Fields(const Json& object, std::string where, std::string& error) : object_(object), where_(std::move(where)), error_(error) {
    if (!object_.is_object()) fail("", "an object");
  }
  std::string string(const char* key, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return {};
    if (!v->is_string()) return fail(key, "a string"), std::string();
    return v->get<std::string>();
  }
  std::int64_t integer(const char* key, std::int64_t lo, std::int64_t hi, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return lo;
    if (!v->is_number_integer() || v->get<std::int64_t>() < lo || v->get<std::int64_t>() > hi)
      return fail(key, "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi)), lo;
    return v->get<std::int64_t>();
  }
  bool boolean(const char* key) {
    const Json* v = field(key, false);
    if (!v) return false;
    if (!v->is_boolean()) return fail(key, "true or false"), false;
    return v->get<bool>();
  }
  std::vector<std::string> strings(const char* key) {
    std::vector<std::string> out;
    const Json* v = field(key, false);
    if (!v) return out;
    if (!v->is_array()) return fail(key, "a list of strings"), out;
    for (const auto& item : *v) {
      if (!item.is_string()) return fail(key, "a list of strings"), std::vector<std::string>{};
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  const Json* array(const char* key) {
    const Json* v = field(key, false);
    if (v && !v->is_array()) return fail(key, "a list"), nullptr;
    return v;
  }
  const Json* any(const char* key) { return field(key, false); }

 private:
  const Json* field(const char* key, bool required) {
    if (!error_.empty() || !object_.is_object()) return nullptr;
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (required) fail(key, "present");
      return nullptr;
    }
    return &*it;
  }
  void fail(const std::string& key, const std::string& expected) {
    if (error_.empty()) error_ = (key.empty() ? where_ : where_ + "." + key) + " should be " + expected;
  }
  const Json& object_;
  std::string where_;
  std::string& error_;
};

}  // namespace

Expected<SuiteReport, std::string> read_json_report(std::string_view text) {
  if (!nests_within(text, kMostNesting)) return unexpected(std::string("nested deeper than any report is"));
  Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return unexpected(std::string("not JSON"));
  std::string error;
  Fields top(doc, "the report", error);
  if (!error.empty()) return unexpected(error);
  if (top.string("format") != "breakout-harness-report" && error.empty())
    return unexpected(std::string("not a harness report (its format is not breakout-harness-report)"));
  if (top.integer("version", 1, 1) != 1 || !error.empty()) return unexpected(error.empty() ? "version 1 is the only one read" : error);
  SuiteReport report;
  report.started = std::chrono::system_clock::time_point(std::chrono::milliseconds(top.integer("startedMs", 0, std::int64_t{1} << 50)));
  report.hostname = top.string("hostname");
  report.wall_time = std::chrono::milliseconds(top.integer("wallTimeMs", 0, std::int64_t{1} << 50));
  report.repeats = static_cast<int>(top.integer("repeats", 1, 100000));
  report.rerun_template = top.string("rerunTemplate");
  if (const Json* shard = top.any("shard"); shard && !shard->is_null()) report.shard = top.string("shard");
  const Json* scenarios = top.array("scenarios");
  if (!error.empty()) return unexpected(error);
  if (!scenarios) return unexpected(std::string("the report.scenarios should be present"));
  for (std::size_t i = 0; i < scenarios->size(); ++i) {
    std::string where = "scenarios[" + std::to_string(i) + "]";
    Fields s((*scenarios)[i], where, error);
    ScenarioResult r;
    r.file = s.string("file");
    r.tree_path = s.string("treePath", false);
    r.name = s.string("name");
    r.repeat = static_cast<int>(s.integer("repeat", 0, 100000, false));
    std::string outcome = s.string("outcome");
    r.rules = s.strings("rules");
    r.tags = s.strings("tags");
    r.reason = s.string("reason", false);
    r.message = s.string("message", false);
    r.wall_time = std::chrono::milliseconds(s.integer("wallTimeMs", 0, std::int64_t{1} << 50, false));
    r.virtual_time = clock::TimePoint(s.integer("virtualTimeMs", 0, std::int64_t{1} << 50, false));
    r.trace_file = s.string("trace", false);
    if (error.empty()) {
      auto o = outcome_named(outcome);
      if (!o) return unexpected(where + ".outcome '" + outcome + "' is not an outcome");
      r.outcome = *o;
    }
    if (const Json* log = s.array("log")) {
      for (std::size_t j = 0; j < log->size() && error.empty(); ++j) {
        Fields e((*log)[j], where + ".log[" + std::to_string(j) + "]", error);
        Observation o;
        o.at = clock::TimePoint(e.integer("at", 0, std::int64_t{1} << 50));
        o.participant = e.string("participant");
        o.type = e.string("type");
        if (const Json* data = e.any("data")) o.data = *data;
        o.setup = e.boolean("setup");
        o.listener = e.string("listener", false);
        r.log.push_back(std::move(o));
      }
    }
    if (!error.empty()) return unexpected(error);
    report.results.push_back(std::move(r));
  }
  return report;
}

}  // namespace breakout::harness
