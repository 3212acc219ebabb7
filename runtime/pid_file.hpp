#pragma once

// The PID file reload.sh reads. It is held with an exclusive lock (flock) for
// the life of the process, so a second instance given the same path is
// refused while the first runs, and a file left by a dead process is taken
// over. Removed at exit if it still names this process.

#include "protocol/result.hpp"

#include <string>

namespace wlg::runtime {

class pid_file {
public:
  // Locks `path` and writes this process's PID into it. Fails, naming the
  // running PID, when another live process holds it.
  static result<pid_file, std::string> create(std::string path);
  pid_file(pid_file&& other) noexcept;
  pid_file& operator=(pid_file&&) = delete;
  ~pid_file();

private:
  pid_file(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

} // namespace wlg::runtime
