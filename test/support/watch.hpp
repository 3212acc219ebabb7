#pragma once

// Observers for reliability tests.

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>
#include <thread>

namespace wlg::test {

// Reads a file over and over on a thread of its own and remembers every
// distinct content it saw, so a test can check that no reader, at any moment,
// saw a partial or unexpected file.
class file_watcher {
public:
  explicit file_watcher(std::string path);
  ~file_watcher();
  std::set<std::string> seen() const;
  std::size_t reads() const { return reads_.load(); } // reads that found the file
  std::size_t polls() const { return polls_.load(); } // attempts, found or not

private:
  std::string path_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> reads_{0};
  std::atomic<std::size_t> polls_{0};
  mutable std::mutex mutex_;
  std::set<std::string> seen_;
  std::thread thread_;
};

// A field of /proc/PID/status in KiB ("VmHWM" is the peak resident size).
std::optional<long> proc_status_kib(pid_t pid, const std::string& field);

std::size_t count_of(const std::string& text, const std::string& needle);

// The file as the sidecar writes it for worker-1 ... worker-N.
std::string first_workers(int n);

} // namespace wlg::test
