#pragma once

// Child processes for integration tests: started with an exact environment,
// output to files, stopped and reaped on destruction.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace wlg::test {

struct process_options {
  std::string executable;
  std::vector<std::string> args;
  std::map<std::string, std::string> env; // the whole environment (PATH is added)
  std::string output_file;                // stdout and stderr, appended
  std::optional<uid_t> run_as;            // drop to this user before exec
  std::string error_file = {};            // stderr alone, when set
  std::optional<unsigned long> open_files = {}; // RLIMIT_NOFILE for the child, when set
};

class child_process {
public:
  explicit child_process(const process_options& options);
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&&) = delete;
  ~child_process();

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int number);
  // The exit status (128 + signal when killed), or nothing on timeout.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// What the kernel says of process PID, for a failure message: its state
// (R, S, D: in an uninterruptible wait such as a disk write), the kernel
// function it waits in (wchan) and its kernel stack.
std::string kernel_view(pid_t pid);

// Runs to completion; returns the exit status and everything it printed.
struct run_result {
  int status = -1;
  std::string output;
};
run_result run_to_completion(const process_options& options,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace wlg::test
