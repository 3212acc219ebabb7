#include "runtime/pid_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wlg::runtime {

namespace {

std::string read_small(int fd) {
  char buffer[32] = {};
  const auto n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string text{buffer, n > 0 ? static_cast<std::size_t>(n) : 0};
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

// Whether `fd` is still the file at `path`: a process that was exiting may
// have unlinked it between our open() and our flock().
bool still_linked(int fd, const std::string& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev
         && held.st_ino == named.st_ino;
}

} // namespace

result<pid_file, std::string> pid_file::create(std::string path) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return fail("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      const auto holder = read_small(fd);
      ::close(fd);
      if (error == EWOULDBLOCK)
        return fail(path + " belongs to a running instance (PID " + (holder.empty() ? "unknown" : holder)
                    + "); stop it or give this one another --pid-file");
      return fail("cannot lock " + path + ": " + std::strerror(error));
    }
    if (!still_linked(fd, path)) {
      ::close(fd);
      continue;
    }
    const auto text = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0
        || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return fail("cannot write " + path + ": " + why);
    }
    return pid_file{std::move(path), fd};
  }
  return fail("cannot lock " + path + ": it keeps being replaced");
}

pid_file::pid_file(pid_file&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.path_.clear();
  other.fd_ = -1;
}

pid_file::~pid_file() {
  if (fd_ < 0)
    return;
  // Unlinked while still locked, so nobody can take it over in between.
  if (still_linked(fd_, path_) && read_small(fd_) == std::to_string(::getpid()))
    ::unlink(path_.c_str());
  ::close(fd_);
}

} // namespace wlg::runtime
