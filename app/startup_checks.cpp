#include "app/startup_checks.hpp"

#include "app/conninfo.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

namespace wlg::app {

std::optional<config::config_error> check_environment(const config::settings& config) {
  if (config.target == config::output_target::citus) { // no file is written
    if (auto problem = conninfo_problem(config.coordinator.reveal()))
      return config::config_error{config::setting_label("WORKERLISTGEN_COORDINATOR", "coordinator"),
                                  std::move(*problem)};
    return std::nullopt;
  }
  const auto label = config::setting_label("CITUS_CONFDIR", "citus-confdir");
  struct stat info {};
  if (::stat(config.citus_confdir.c_str(), &info) != 0)
    return config::config_error{label, "'" + config.citus_confdir
                                           + "' does not exist: " + std::strerror(errno)};
  if (!S_ISDIR(info.st_mode))
    return config::config_error{label, "'" + config.citus_confdir + "' is not a directory"};
  // A dry run only reads the file it would replace.
  if (!config.dry_run && ::access(config.citus_confdir.c_str(), W_OK | X_OK) != 0)
    return config::config_error{label, "'" + config.citus_confdir
                                           + "' is not writable: " + std::strerror(errno)};
  return std::nullopt;
}

config::environment current_environment() {
  config::environment env;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text{*entry};
    const auto eq = text.find('=');
    if (eq != std::string_view::npos)
      env.emplace(std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)});
  }
  return env;
}

} // namespace wlg::app
