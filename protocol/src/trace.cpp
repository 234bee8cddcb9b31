// Trace records, their one-line form, and strict reading of trace files.
#include <breakout/protocol/trace.hpp>
#include <breakout/protocol/messages.hpp>
#include <breakout/protocol/text.hpp>

#include <algorithm>
#include <sstream>

namespace breakout::trace {

Json header(std::string_view source, std::string_view name, const Json& setup) {
  return {{"kind", "trace"}, {"version", format_version}, {"source", source}, {"name", name}, {"setup", setup}};
}

Json connection_record(std::int64_t t, const std::string& participant, std::string_view event, std::string_view detail) {
  Json r = {{"t", t}, {"kind", "connection"}, {"participant", participant}, {"event", event}};
  if (!detail.empty()) r["detail"] = detail;
  return r;
}

Json frame_record(std::int64_t t, const std::string& participant, Direction direction, std::string_view text, bool binary) {
  Json r = {{"t", t}, {"kind", "wire"}, {"participant", participant}, {"dir", direction == Direction::up ? "up" : "down"}};
  if (binary) {
    r["binary"] = text.size();
  } else if (auto json = protocol::parse_json(text)) {
    r["frame"] = std::move(*json);
  } else {
    r["raw"] = text::valid_utf8(text::utf8_prefix(text, 4096));
  }
  return r;
}

std::string frame_line(std::int64_t t, const std::string& participant, Direction direction, std::string_view text, bool binary) {
  bool one_line = text.find_first_of("\r\n") == std::string_view::npos;
  // accept() reads without building a tree, and refuses what a JSON parser refuses (bad UTF-8
  // included); the size and depth limits are parse_json's.
  if (binary || !one_line || text.size() > protocol::max_frame_bytes || !protocol::nesting_within_limit(text) ||
      !text.starts_with("{") || !Json::accept(text.begin(), text.end()))
    return to_line(frame_record(t, participant, direction, text, binary));
  std::string out;
  out.reserve(text.size() + participant.size() + 64);
  out.append("{\"t\":").append(std::to_string(t)).append(",\"kind\":\"wire\",\"participant\":");
  out.append(text::dump_json(Json(participant)));
  out.append(direction == Direction::up ? ",\"dir\":\"up\",\"frame\":" : ",\"dir\":\"down\",\"frame\":");
  return out.append(text).append("}");
}

Json server_record(std::int64_t t, const Json& action) { return {{"t", t}, {"kind", "server"}, {"action", action}}; }

const std::vector<std::string_view>& record_kinds() {
  static const std::vector<std::string_view> kinds = {"trace", "connection", "wire",  "server", "step",    "call",
                                                      "result", "event",     "state", "error",  "failure", "end"};
  return kinds;
}

std::string to_line(const Json& record) {
  if (!record.is_object()) return text::dump_json(record);
  std::string out = "{";
  auto put = [&](const std::string& key, const Json& value) {
    if (out.size() > 1) out += ",";
    out += text::dump_json(Json(key)) + ":" + text::dump_json(value);
  };
  for (const char* first : {"t", "kind", "participant"})
    if (auto it = record.find(first); it != record.end()) put(first, *it);
  for (auto it = record.begin(); it != record.end(); ++it)
    if (it.key() != "t" && it.key() != "kind" && it.key() != "participant") put(it.key(), it.value());
  return out + "}";
}

std::string to_jsonl(const Json& header, const std::vector<Json>& records) {
  std::string out = to_line(header) + "\n";
  for (const auto& r : records) out += to_line(r) + "\n";
  return out;
}

namespace {

/// What is wrong with a record's fields for its kind (docs/traces.md), or nothing.
std::string check_fields(const Json& r, const std::string& kind) {
  auto str = [&](const char* key) { return r.contains(key) && r[key].is_string(); };
  auto need = [&](bool ok, const char* what) { return ok ? std::string() : std::string(what); };
  auto first = [&](std::initializer_list<std::string> checks) {
    for (const auto& c : checks)
      if (!c.empty()) return c;
    return std::string();
  };
  if (kind == "connection") return first({need(str("participant"), "a connection record needs a string \"participant\""),
                                          need(str("event"), "a connection record needs a string \"event\"")});
  if (kind == "wire")
    return first({need(str("participant"), "a wire record needs a string \"participant\""),
                  need(str("dir") && (r["dir"] == "up" || r["dir"] == "down"), "a wire record needs \"dir\": \"up\" or \"down\"")});
  if (kind == "server")
    return need(r.contains("action") && r["action"].is_object() && r["action"].contains("action") && r["action"]["action"].is_string(),
                "a server record needs an \"action\" object with its \"action\" name");
  if (kind == "step") return need(r.contains("index") && r["index"].is_number_integer(), "a step record needs an integer \"index\"");
  if (kind == "call")
    return first({need(str("participant"), "a call record needs a string \"participant\""),
                  need(str("action"), "a call record needs a string \"action\""),
                  need(!r.contains("args") || r["args"].is_object(), "a call record's \"args\" is an object")});
  if (kind == "result")
    return first({need(str("participant"), "a result record needs a string \"participant\""),
                  need(str("action"), "a result record needs a string \"action\""),
                  need(r.contains("ok") && r["ok"].is_boolean(), "a result record needs a boolean \"ok\""),
                  need(!r.contains("error") || r["error"].is_object(), "a result record's \"error\" is an object")});
  if (kind == "event" || kind == "state" || kind == "error")
    return first({need(str("participant"), "an event record needs a string \"participant\""),
                  need(str("type"), "an event record needs a string \"type\""), need(r.contains("data"), "an event record needs \"data\"")});
  if (kind == "failure") {
    if (!r.contains("step") || !r["step"].is_number_integer()) return "a failure record needs an integer \"step\"";
    if (r.contains("source") && !r["source"].is_object()) return "a failure record's \"source\" is an object";
    if (r.contains("unexpected")) {
      const Json& u = r["unexpected"];
      if (!u.is_object() || !u.contains("t") || !u["t"].is_number_unsigned() || u["t"].get<std::uint64_t>() > std::uint64_t(max_record_time) ||
          !u.contains("participant") ||
          !u["participant"].is_string() || !u.contains("type") || !u["type"].is_string() || !u.contains("data"))
        return "a failure record's \"unexpected\" needs t, participant, type and data";
    }
  }
  return {};
}

/// What is wrong with the header's set-up, or nothing.
std::string check_setup(const Json& setup) {
  if (!setup.contains("participants")) return {};
  const Json& list = setup["participants"];
  if (!list.is_array()) return "the set-up's \"participants\" is a list";
  for (const auto& p : list)
    if (!p.is_object() || !p.contains("id") || !p["id"].is_string()) return "each participant of the set-up needs a string \"id\"";
  return {};
}

}  // namespace

ReadResult parse_trace(std::string_view text, const std::string& path) {
  ReadResult result;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  auto problem = [&](const std::string& message) { result.errors.push_back(path + ":" + std::to_string(line_no) + ": " + message); };
  const auto& kinds = record_kinds();
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (auto bad = text::invalid_utf8_at(line)) {
      result.errors.push_back(path + ":" + std::to_string(line_no) + ":" + std::to_string(*bad + 1) +
                              ": the line is not valid UTF-8 (a trace is UTF-8 text)");
      continue;
    }
    auto json = protocol::parse_json(line);
    if (!json) {
      problem("not a JSON record: " + json.error().message);
      continue;
    }
    if (!json->is_object() || !json->contains("kind") || !(*json)["kind"].is_string()) {
      problem("a record must be an object with a \"kind\"");
      continue;
    }
    std::string kind = (*json)["kind"].get<std::string>();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      problem("unknown record kind \"" + kind + "\"");
      continue;
    }
    if (result.header.is_null()) {
      if (kind != "trace") {
        problem("the first record must be the header ({\"kind\":\"trace\",...}), not \"" + kind + "\"");
        return result;
      }
      if (!json->contains("version") || !(*json)["version"].is_number_integer()) {
        problem("the header has no version");
        return result;
      }
      if ((*json)["version"] != format_version) {
        problem("this trace is format version " + text::dump_json((*json)["version"]) + "; this build reads version " +
                std::to_string(format_version));
        return result;
      }
      if (!json->contains("setup") || !(*json)["setup"].is_object()) {
        problem("the header has no \"setup\" object");
        return result;
      }
      if (auto why = check_setup((*json)["setup"]); !why.empty()) {
        problem(why);
        return result;
      }
      result.header = std::move(*json);
      continue;
    }
    if (kind == "trace") {
      problem("a second header");
      continue;
    }
    if (!json->contains("t") || !(*json)["t"].is_number_integer()) {
      problem("the record has no integer time \"t\"");
      continue;
    }
    if (const Json& t = (*json)["t"]; t.is_number_unsigned() ? t.get<std::uint64_t>() > std::uint64_t(max_record_time) : t.get<std::int64_t>() < 0) {
      problem("the record's time \"t\" is " + t.dump() + " ms; it is from 0 to " + std::to_string(max_record_time));
      continue;
    }
    if (auto why = check_fields(*json, kind); !why.empty()) {
      problem(why);
      continue;
    }
    if (!result.records.empty() && (*json)["t"].get<std::int64_t>() < result.records.back()["t"].get<std::int64_t>()) {
      problem("time goes backwards (t " + (*json)["t"].dump() + " after " + result.records.back()["t"].dump() + ")");
      continue;
    }
    result.records.push_back(std::move(*json));
  }
  if (result.header.is_null() && result.errors.empty()) {
    line_no = 1;
    problem("empty trace: no header");
  }
  return result;
}

ReadResult read_trace(const std::string& path) {
  auto text = files::read_regular_file(path, max_trace_bytes);
  if (!text) {
    ReadResult r;
    r.errors.push_back(path + ": " + text.error());
    return r;
  }
  return parse_trace(*text, path);
}

FileRecorder::FileRecorder(Json header, std::function<std::int64_t()> now, std::function<void(const std::string&)> on_failure)
    : header_(std::move(header)), now_(std::move(now)), on_failure_(std::move(on_failure)) {}

Expected<void, std::string> FileRecorder::open(const std::string& path) {
  if (auto opened = file_.open(path); !opened) return opened;
  if (!file_.write(to_line(header_) + "\n")) return unexpected(file_.error());
  return {};
}

FileRecorder::~FileRecorder() { finish(); }

void FileRecorder::finish() {
  if (finished_) return;
  finished_ = true;
  write({{"t", now_()}, {"kind", "end"}});
}

void FileRecorder::write(const Json& record) {
  if (failed_) return;
  if (file_.write(to_line(record) + "\n")) return;
  failed_ = true;
  if (on_failure_) on_failure_(file_.error());
}

void FileRecorder::connection(const std::string& participant, std::string_view event, std::string_view detail) {
  write(connection_record(now_(), participant, event, detail));
}

void FileRecorder::frame(const std::string& participant, Direction direction, std::string_view text, bool binary) {
  write(frame_record(now_(), participant, direction, text, binary));
}

void FileRecorder::server_action(const Json& action) { write(server_record(now_(), action)); }

}  // namespace breakout::trace
