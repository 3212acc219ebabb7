#pragma once

// The file that says the sidecar has reached its output, for whatever waits
// on it (Citus's compose file starts its workers once
// /healthcheck/manager-ready exists). Removed at start, since one left by an
// earlier run would say so too early; created, empty, once the output is
// first reached, and left in place at exit.

#include <atomic>
#include <optional>
#include <string>

namespace wlg::runtime {

class ready_file {
public:
  explicit ready_file(std::string path) : path_(std::move(path)) {}

  // Removes a file left at the path; why not, when it cannot.
  std::optional<std::string> clear() const;

  // Creates the file unless it was created before; from any thread.
  void reached();

  bool created() const { return created_.load(); }

private:
  std::string path_;
  std::atomic<bool> failure_said_{false};
  std::atomic<bool> created_{false};
};

} // namespace wlg::runtime
