#pragma once

// The PID file reload.sh reads: written at start, removed at exit.

#include "protocol/result.hpp"

#include <string>

namespace wlg::runtime {

class pid_file {
public:
  static result<pid_file, std::string> create(std::string path);
  pid_file(pid_file&& other) noexcept;
  pid_file& operator=(pid_file&&) = delete;
  ~pid_file(); // removes the file if it still names this process

private:
  explicit pid_file(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

} // namespace wlg::runtime
