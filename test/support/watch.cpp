#include "test/support/watch.hpp"

#include "test/support/files.hpp"

#include <algorithm>
#include <fstream>
#include <vector>
#include <sstream>

namespace wlg::test {

file_watcher::file_watcher(std::string path) : path_(std::move(path)) {
  thread_ = std::thread([this] {
    while (!stop_) {
      if (auto text = read_file(path_)) {
        ++reads_;
        std::lock_guard lock{mutex_};
        seen_.insert(std::move(*text));
      }
      ++polls_;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
}

file_watcher::~file_watcher() {
  stop_ = true;
  thread_.join();
}

std::set<std::string> file_watcher::seen() const {
  std::lock_guard lock{mutex_};
  return seen_;
}

std::optional<long> proc_status_kib(pid_t pid, const std::string& field) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream values{line.substr(field.size() + 1)};
      long kib = 0;
      values >> kib;
      return kib;
    }
  }
  return std::nullopt;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

std::string first_workers(int n) {
  std::vector<std::string> names;
  for (int i = 1; i <= n; ++i)
    names.push_back("worker-" + std::to_string(i));
  std::sort(names.begin(), names.end()); // as the sidecar writes them: worker-10 before worker-2
  std::string out = "# this file was auto-generated using workerlistgen\n";
  for (const auto& name : names)
    out += name + " 5432\n";
  return out;
}

} // namespace wlg::test
