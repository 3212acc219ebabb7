#pragma once

#include "config/configuration.hpp"

#include <optional>

namespace wlg::app {

// Checks the configuration against the file system: CITUS_CONFDIR must be an
// existing, writable directory.
std::optional<config::config_error> check_environment(const config::settings& config);

// The process environment as a map.
config::environment current_environment();

} // namespace wlg::app
