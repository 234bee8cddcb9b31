// A run's trace in an unnamed temporary file, and the trace log that writes it as the run goes.
#include "run.hpp"

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

}  // namespace breakout::harness
