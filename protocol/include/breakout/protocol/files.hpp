// Reading and writing files whose paths come from users and from untrusted files: regular files
// only, sizes checked before reading, writes that are whole or absent, and no writing through
// symbolic links where that is promised (docs/robustness.md).
#pragma once

#include <breakout/protocol/expected.hpp>

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace breakout::files {

/// The whole of a regular file of at most `max_bytes`. A directory, device, FIFO or socket is
/// refused without reading (and without blocking on the open); so is a larger file.
Expected<std::string, std::string> read_regular_file(const std::string& path, std::size_t max_bytes);

struct WriteOptions {
  /// Refuse when the file, or a directory on the path that the path names relatively, is a
  /// symbolic link: for files written where a checkout (and so a pull request) decides what is there.
  bool refuse_symlinks = false;
};

/// Writes the file whole or not at all: the text goes to a temporary file beside it, which is
/// renamed over the path, so no reader ever sees half of it. Creates missing parent directories.
/// The error says what failed ("cannot write build/x.xml: Permission denied").
Expected<void, std::string> write_file_atomic(const std::string& path, std::string_view text, WriteOptions options = {});
/// The same, for text too large to hold at once: `write_body` writes it to the descriptor and
/// returns 0, or the errno of the write that failed.
Expected<void, std::string> write_file_atomic(const std::string& path, const std::function<int(int fd)>& write_body,
                                              WriteOptions options = {});
/// Writes all of `text` to the descriptor: 0, or the errno of the write that failed.
int write_all(int fd, std::string_view text);

/// A file written record by record as things happen (a recording), so that what came before a
/// crash is kept. Never follows a symbolic link, except for paths under /dev/ (such as /dev/stdout
/// or /dev/fd/3, which the user names on purpose). A write that fails (a closed pipe, a full disk)
/// is remembered, not signalled: SIGPIPE must be ignored by the program.
class StreamFile {
 public:
  StreamFile() = default;
  ~StreamFile();
  StreamFile(const StreamFile&) = delete;
  StreamFile& operator=(const StreamFile&) = delete;

  Expected<void, std::string> open(const std::string& path);
  /// Writes all of it; false (and error() says why) once any write has failed.
  bool write(std::string_view text);
  bool ok() const { return fd_ >= 0 && error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string path_;
  std::string error_;
};

}  // namespace breakout::files
