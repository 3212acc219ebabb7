#include "runtime/ready_file.hpp"

#include "runtime/logging.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace wlg::runtime {

std::optional<std::string> ready_file::clear() const {
  if (path_.empty() || ::unlink(path_.c_str()) == 0 || errno == ENOENT)
    return std::nullopt;
  return "cannot remove " + path_ + ": " + std::strerror(errno);
}

void ready_file::reached() {
  if (path_.empty() || created_.load())
    return;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) { // tried again the next time the output is reached; said once
    if (!failure_said_.exchange(true))
      component_logger("main")->error("cannot create the ready file {}: {}", path_, std::strerror(errno));
    return;
  }
  ::close(fd);
  created_ = true;
  component_logger("main")->info("ready: created {}", path_);
}

} // namespace wlg::runtime
