#include "app/secret_files.hpp"

#include "app/conninfo.hpp"
#include "config/unknown_variables.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace wlg::app {

namespace {

constexpr std::size_t max_secret_bytes = 64 * 1024;

} // namespace

std::optional<config::config_error> read_secret_files(config::environment& env) {
  for (const auto& secret : config::secret_file_variables) {
    const auto file = env.find(secret.file_variable);
    if (file == env.end())
      continue;
    const std::string setting{secret.file_variable};
    if (env.contains(secret.variable))
      return config::config_error{setting, "set " + std::string{secret.variable} + " or " + setting + ", not both"};
    std::ifstream in{file->second, std::ios::binary};
    if (!in)
      return config::config_error{setting, "cannot read " + file->second + ": " + std::strerror(errno)};
    std::string value;
    value.resize(max_secret_bytes + 1);
    in.read(value.data(), static_cast<std::streamsize>(value.size()));
    value.resize(static_cast<std::size_t>(in.gcount()));
    if (value.size() > max_secret_bytes)
      return config::config_error{setting, file->second + " is larger than 64 KiB"};
    if (value.ends_with('\n'))
      value.pop_back();
    if (value.ends_with('\r'))
      value.pop_back();
    if (value.empty())
      return config::config_error{setting, file->second + " is empty"};
    env.emplace(std::string{secret.variable}, std::move(value));
  }
  return std::nullopt;
}

std::vector<std::string> startup_warnings(const config::environment& env, const config::command_line& parsed) {
  std::vector<std::string> warnings;
  for (const auto& unknown : config::unknown_variables(env))
    warnings.push_back(config::describe(unknown));
  if (parsed.flags_given.contains("coordinator") && conninfo_password(parsed.config.coordinator.reveal()))
    warnings.emplace_back("a password in --coordinator on the command line can be read by every local user "
                          "(/proc/PID/cmdline); give it in PGPASSFILE or PGPASSWORD, or the whole string in "
                          "WORKERLISTGEN_COORDINATOR_FILE (a Docker secret)");
  return warnings;
}

} // namespace wlg::app
