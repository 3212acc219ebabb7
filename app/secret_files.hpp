#pragma once

// Secrets read from files, as the official database images do for Docker
// secrets: WORKERLISTGEN_COORDINATOR_FILE=/run/secrets/coordinator stands for
// WORKERLISTGEN_COORDINATOR with the file's content (one trailing newline
// dropped), and DOCKERCLOUD_AUTH_FILE for DOCKERCLOUD_AUTH. Setting both forms
// of one is an error, as is a file that cannot be read or is empty.

#include "config/configuration.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wlg::app {

std::optional<config::config_error> read_secret_files(config::environment& env);

// What start-up should warn about before anything else: WORKERLISTGEN_
// variables that name no setting, and a password given on the command line.
std::vector<std::string> startup_warnings(const config::environment& env, const config::command_line& parsed);

} // namespace wlg::app
