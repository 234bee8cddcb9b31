// A run's trace in an unnamed temporary file, the trace log that writes it as the run goes, and
// the trace written out whole.
#include "run.hpp"

#include <breakout/harness/trace_tools.hpp>

#include <breakout/protocol/files.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

namespace breakout::harness {

TraceSpool::TraceSpool() {
  std::FILE* f = std::tmpfile();  // unnamed: gone with the process, whatever happens to the run
  if (!f) {
    error_ = std::string("cannot make a temporary file for the trace: ") + std::strerror(errno);
    return;
  }
  fd_ = ::dup(::fileno(f));
  std::fclose(f);
  if (fd_ < 0) error_ = std::string("cannot make a temporary file for the trace: ") + std::strerror(errno);
}

TraceSpool::~TraceSpool() {
  if (fd_ >= 0) ::close(fd_);
}

void TraceSpool::append(std::string_view line) {
  if (fd_ < 0 || !error_.empty()) return;
  std::string text(line);
  text.push_back('\n');
  if (int err = files::write_all(fd_, text); err != 0) {
    error_ = std::string("cannot write the trace's temporary file: ") + std::strerror(err);
    return;
  }
  bytes_ += text.size();
}

bool TraceSpool::for_each_line(const std::function<bool(std::string_view)>& f) const {
  if (fd_ < 0 || !error_.empty()) return false;
  std::string pending;
  std::vector<char> buffer(std::size_t{1} << 20);
  for (std::uint64_t offset = 0; offset < bytes_;) {
    ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    offset += static_cast<std::uint64_t>(n);
    pending.append(buffer.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      if (!f(std::string_view(pending).substr(start, nl - start))) return true;
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  return true;
}

bool TraceLog::is_barrier(const Json& record) {
  const auto& k = record["kind"];
  return k == "step" || k == "call" || k == "server";
}

void TraceLog::push(Json record) {
  if (is_barrier(record)) {
    flush();
    spool_->append(trace::to_line(record));
    return;
  }
  std::int64_t t = record["t"].get<std::int64_t>();
  std::size_t rank = record.contains("participant") ? rank_(record["participant"].get<std::string>()) : 0;
  pending_.push_back({t, rank, trace::to_line(record)});
}

void TraceLog::push_line(std::int64_t t, const std::string& participant, std::string line) {
  pending_.push_back({t, rank_(participant), std::move(line)});
}

void TraceLog::flush() {
  // Between steps, calls and server actions, records are ordered by time, then by participant as
  // the scenario lists them: the same on every run even when clients react in the same instant.
  std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
    return std::pair{a.t, a.rank} < std::pair{b.t, b.rank};
  });
  for (const auto& p : pending_) spool_->append(p.line);
  pending_.clear();
}


std::string trace_text(const ScenarioResult& result) {
  if (!result.trace.empty() || !result.trace_spool) return trace::to_jsonl(result.trace_header, result.trace);
  std::string out = trace::to_line(result.trace_header) + "\n";
  result.trace_spool->for_each_line([&](std::string_view line) {
    out.append(line).push_back('\n');
    return true;
  });
  return out;
}

Expected<void, std::string> write_trace(const std::string& path, const ScenarioResult& result) {
  if (!result.trace_spool) return files::write_file_atomic(path, trace_text(result), {.refuse_symlinks = true});
  // Line by line from the spool: a meeting of a thousand need not hold its trace in memory twice.
  return files::write_file_atomic(
      path,
      [&](int fd) {
        int err = files::write_all(fd, trace::to_line(result.trace_header) + "\n");
        std::string chunk;
        auto drain = [&] {
          if (err == 0) err = files::write_all(fd, chunk);
          chunk.clear();
        };
        bool read = result.trace_spool->for_each_line([&](std::string_view line) {
          chunk.append(line).push_back('\n');
          if (chunk.size() >= (std::size_t{1} << 20)) drain();
          return err == 0;
        });
        drain();
        if (err == 0 && !read) err = EIO;
        return err;
      },
      {.refuse_symlinks = true});
}

}  // namespace breakout::harness
