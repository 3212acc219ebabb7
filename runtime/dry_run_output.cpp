#include "runtime/dry_run_output.hpp"

#include <cstdio>
#include <mutex>

namespace wlg::runtime {

namespace {
std::mutex stdout_mutex;

void emit(const std::string& text) {
  std::lock_guard lock{stdout_mutex};
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}
} // namespace

void print_would_write(std::string_view path, std::string_view content) {
  std::string text = "--- dry run: would write " + std::string{path} + " ("
                     + std::to_string(content.size()) + " bytes) ---\n";
  text += content;
  if (!content.empty() && content.back() != '\n')
    text += '\n';
  emit(text);
}

void print_would_signal(std::string_view signal, const std::vector<std::string>& containers) {
  std::string text = "--- dry run: would send " + std::string{signal} + " to "
                     + std::to_string(containers.size()) + " container(s) ---\n";
  for (const auto& name : containers)
    text += name + "\n";
  emit(text);
}

void print_would_run(const std::vector<std::string>& statements) {
  std::string text = "--- dry run: would run " + std::to_string(statements.size())
                     + " statement(s) on the coordinator ---\n";
  for (const auto& statement : statements)
    text += statement + "\n";
  emit(text);
}

} // namespace wlg::runtime
