#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace wlg::test {

// A fresh directory under $TMPDIR, removed with everything in it unless
// WLG_KEEP_TEST_DIRS is set (for looking at logs after a failure).
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

std::optional<std::string> read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
// Inode of the file, 0 when missing: a rename-into-place changes it.
unsigned long inode_of(const std::string& path);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

std::string worker_file(std::initializer_list<const char*> names, int port = 5432);

} // namespace wlg::test
