#include "test/support/process.hpp"

#include "test/support/files.hpp"
#include "test/support/sanitized.hpp"

#include <cerrno>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace wlg::test {

namespace {

int decode(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

} // namespace

child_process::child_process(const process_options& options) {
  std::vector<std::string> argv_text{options.executable};
  argv_text.insert(argv_text.end(), options.args.begin(), options.args.end());
  std::vector<std::string> env_text;
  for (const auto& [k, v] : options.env)
    env_text.push_back(k + "=" + v);
  if (!options.env.count("PATH"))
    env_text.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  // scripts/sanitize.sh sets where every instrumented process reports; the
  // processes under test must report there too, whatever environment a test
  // gives them.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
    if (const char* value = std::getenv(name); value && !options.env.count(name))
      env_text.push_back(std::string{name} + "=" + value);
  std::vector<char*> argv, envp;
  for (auto& a : argv_text)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_text)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error(std::string{"fork: "} + std::strerror(errno));
  if (pid_ == 0) {
    const int out = options.output_file.empty()
                      ? ::open("/dev/null", O_WRONLY)
                      : ::open(options.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (!options.error_file.empty()) {
      const int err = ::open(options.error_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0)
        ::dup2(err, 2);
    }
    ::setpgid(0, 0);
    if (options.open_files) {
      const rlimit limit{*options.open_files, *options.open_files};
      if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        ::_exit(126);
    }
    if (options.run_as && (::setgid(*options.run_as) != 0 || ::setuid(*options.run_as) != 0))
      ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
}

child_process::child_process(child_process&& other) noexcept
  : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
}

child_process::~child_process() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool child_process::running() {
  if (pid_ <= 0 || status_)
    return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = decode(status);
    return false;
  }
  return true;
}

void child_process::signal(int number) {
  if (running())
    ::kill(pid_, number);
}

std::optional<int> child_process::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout * wait_scale;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return status_;
}

std::string kernel_view(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::string state = "(no /proc entry)";
  std::istringstream status{read_file(proc + "/status").value_or("")};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("State:", 0) == 0)
      state = line.substr(line.find_first_not_of(" \t", 6));
  std::string out = "state " + state + ", wchan " + read_file(proc + "/wchan").value_or("?");
  if (auto stack = read_file(proc + "/stack"); stack && !stack->empty())
    out += ", kernel stack:\n" + *stack;
  return out;
}

run_result run_to_completion(const process_options& options, std::chrono::milliseconds timeout) {
  temp_dir dir;
  auto with_output = options;
  with_output.output_file = dir.path() + "/output";
  child_process child{with_output};
  run_result result;
  auto status = child.wait_for_exit(timeout);
  if (!status)
    child.signal(SIGKILL);
  result.status = status.value_or(-1);
  result.output = read_file(with_output.output_file).value_or("");
  return result;
}

} // namespace wlg::test
