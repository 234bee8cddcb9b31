// Traces: what happened in a run or a recorded session, one JSON record per line (docs/traces.md).
// The harness and the standalone mock server write the same format; the harness reads it back to
// replay a run or to turn it into a scenario.
#pragma once

#include <breakout/protocol/expected.hpp>
#include <breakout/protocol/files.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace breakout::trace {

using Json = nlohmann::json;

/// The format version this build writes and reads. A change that an older reader would misread
/// raises it.
inline constexpr int format_version = 1;

/// Which way a frame went: up is client to server, down is server to client.
enum class Direction { up, down };

/// Told about what crosses the wire and what the server is told to do, as it happens. The mock
/// server calls it; the harness and the standalone program implement it. Called on the server's
/// io_context thread.
class Recorder {
 public:
  virtual ~Recorder() = default;
  /// A participant's connection: "opened", "closed", or "refused" (with the HTTP status as detail).
  virtual void connection(const std::string& participant, std::string_view event, std::string_view detail) = 0;
  /// One WebSocket frame of an admitted participant. Binary frames are given as their size.
  virtual void frame(const std::string& participant, Direction direction, std::string_view text, bool binary) = 0;
  /// A server action applied (from a scenario step or POST /actions), as its JSON.
  virtual void server_action(const Json& action) = 0;
};

// ---- records (docs/traces.md lists every kind and field) ---------------------------------------

/// The first line: {"kind":"trace","version":1,"source":...,"name":...,"setup":{...},...}.
Json header(std::string_view source, std::string_view name, const Json& setup);
Json connection_record(std::int64_t t, const std::string& participant, std::string_view event, std::string_view detail);
/// The frame as JSON when it parses, else as its text ("raw"), or its size when binary.
Json frame_record(std::int64_t t, const std::string& participant, Direction direction, std::string_view text, bool binary);
/// The same record as its line (to_line(frame_record(...))), written without building the frame
/// as a tree when the frame is one line of valid JSON, as every frame of this system's is: a
/// meeting of a thousand sends tens of megabytes of participant lists.
std::string frame_line(std::int64_t t, const std::string& participant, Direction direction, std::string_view text, bool binary);
Json server_record(std::int64_t t, const Json& action);

/// The kinds a record may have, the header's included.
const std::vector<std::string_view>& record_kinds();

/// The largest trace file read (traces of a thousand-participant run fit many times over).
inline constexpr std::size_t max_trace_bytes = std::size_t{512} << 20;
/// Record times ("t", milliseconds) are at most this: about 31 years of virtual time.
inline constexpr std::int64_t max_record_time = 1'000'000'000'000;

/// A trace as read from a file: the header, then the records in order; or what is wrong with it.
struct ReadResult {
  Json header;
  std::vector<Json> records;
  /// "FILE:LINE: message" for each problem; a trace with any is not used.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};
ReadResult read_trace(const std::string& path);
ReadResult parse_trace(std::string_view text, const std::string& path);

/// One line per record: the header first. Keys are written in a fixed order so traces diff well.
std::string to_jsonl(const Json& header, const std::vector<Json>& records);
/// A record as one line of JSON, "t" and "kind" first.
std::string to_line(const Json& record);

/// Writes each record as one line as soon as it is given, so that a session cut short keeps what
/// came before. Used by the standalone mock server's --record. Never writes through a symbolic link
/// (docs/robustness.md); a write that fails (a closed pipe, a full disk) is reported once to
/// `on_failure` and the recording stops.
class FileRecorder final : public Recorder {
 public:
  /// `now` gives the time stamp of each record in milliseconds.
  FileRecorder(Json header, std::function<std::int64_t()> now, std::function<void(const std::string&)> on_failure = {});
  /// Writes the end record, if finish() has not.
  ~FileRecorder() override;
  /// Opens the file and writes the header; the error says why it cannot.
  Expected<void, std::string> open(const std::string& path);
  bool ok() const { return file_.ok(); }
  /// The session is over: writes {"kind":"end"} with the time, so a replay knows how long it lasted.
  void finish();
  void connection(const std::string& participant, std::string_view event, std::string_view detail) override;
  void frame(const std::string& participant, Direction direction, std::string_view text, bool binary) override;
  void server_action(const Json& action) override;

 private:
  void write(const Json& record);
  files::StreamFile file_;
  Json header_;
  std::function<std::int64_t()> now_;
  std::function<void(const std::string&)> on_failure_;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace breakout::trace
