#pragma once

// --dry-run's report on stdout: the file the sidecar would write and the
// containers it would signal. Logs go to stderr in this mode, so stdout holds
// only these blocks.

#include <string>
#include <string_view>
#include <vector>

namespace wlg::runtime {

void print_would_write(std::string_view path, std::string_view content);
void print_would_signal(std::string_view signal, const std::vector<std::string>& containers);
// --target=citus: the statements the sidecar would run on the coordinator.
void print_would_run(const std::vector<std::string>& statements);

} // namespace wlg::runtime
