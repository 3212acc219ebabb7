#include "runtime/pid_file.hpp"

#include "runtime/atomic_file.hpp"

#include <fstream>
#include <unistd.h>

namespace wlg::runtime {

result<pid_file, std::string> pid_file::create(std::string path) {
  auto written = replace_file_atomically(path, std::to_string(::getpid()) + "\n", true);
  if (!written)
    return fail(written.error());
  return pid_file{std::move(path)};
}

pid_file::pid_file(pid_file&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

pid_file::~pid_file() {
  if (path_.empty())
    return;
  std::ifstream in{path_};
  long pid = 0;
  if (in >> pid && pid == static_cast<long>(::getpid()))
    ::unlink(path_.c_str());
}

} // namespace wlg::runtime
