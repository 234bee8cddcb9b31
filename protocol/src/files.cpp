// Bounded reads of regular files, atomic writes, and recordings that never follow symbolic links.
#include <breakout/protocol/files.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace breakout::files {
namespace {

namespace fs = std::filesystem;

std::string why(const std::string& what, const std::string& path, int err) {
  return "cannot " + what + " " + path + ": " + std::strerror(err);
}

}  // namespace

/// Writes all of `text` to `fd`, retrying short writes and interruptions; the errno of a failure.
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

namespace {

/// The first symbolic link among the directories a relative path walks through, or "".
std::string symlinked_directory(const fs::path& path) {
  if (path.is_absolute()) return {};
  fs::path walked;
  for (const auto& part : path.parent_path()) {
    walked /= part;
    struct stat st {};
    if (::lstat(walked.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return walked.string();
  }
  return {};
}

}  // namespace

Expected<std::string, std::string> read_regular_file(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked before any read.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return unexpected(why("open", path, errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return unexpected(why("read", path, err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return unexpected("cannot read " + path + ": not a regular file");
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return unexpected(path + " is " + std::to_string(st.st_size) + " bytes; at most " + std::to_string(max_bytes) +
                      " are read");
  }
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  // A file that grows while it is read is read only up to the size it had when it was opened.
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return unexpected(why("read", path, err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(got);
  return text;
}

Expected<void, std::string> write_file_atomic(const std::string& path, std::string_view text, WriteOptions options) {
  return write_file_atomic(path, [text](int fd) { return write_all(fd, text); }, options);
}

Expected<void, std::string> write_file_atomic(const std::string& path, const std::function<int(int fd)>& write_body, WriteOptions options) {
  fs::path target(path);
  if (options.refuse_symlinks) {
    if (auto link = symlinked_directory(target); !link.empty())
      return unexpected("cannot write " + path + ": " + link + " is a symbolic link, and this file is never written through one");
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
      return unexpected("cannot write " + path + ": it is a symbolic link, and this file is never written through one");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    // A device or a pipe (/dev/null, /dev/stdout) is written to, never replaced by a rename.
    if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
      if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) return unexpected(why("write", path, errno));
        int err = write_body(fd);
        ::close(fd);
        if (err != 0) return unexpected(why("write", path, err));
        return {};
      }
      // A link to a regular file: the file it names is replaced, the link stays.
      std::error_code ec;
      if (S_ISLNK(st.st_mode)) target = fs::weakly_canonical(target, ec);
      if (ec) return unexpected("cannot write " + path + ": " + ec.message());
    }
  }
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  const std::string final_path = target.string();
  static std::atomic<unsigned> counter{0};
  std::string temp = final_path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return unexpected(why("write", path, errno));
  int err = write_body(fd);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), final_path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return unexpected(why("write", path, err));
  }
  return {};
}

StreamFile::~StreamFile() {
  if (fd_ >= 0) ::close(fd_);
}

Expected<void, std::string> StreamFile::open(const std::string& path) {
  path_ = path;
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  if (!path.starts_with("/dev/")) flags |= O_NOFOLLOW;
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) {
    int err = errno;
    if (err == ELOOP) return unexpected("cannot write " + path + ": it is a symbolic link, and a recording is never written through one");
    return unexpected(why("write", path, err));
  }
  return {};
}

bool StreamFile::write(std::string_view text) {
  if (!ok()) return false;
  if (int err = write_all(fd_, text); err != 0) {
    error_ = why("write", path_, err);
    return false;
  }
  return true;
}

}  // namespace breakout::files
