#pragma once

#include "protocol/configuration.hpp"

#include <optional>

namespace wlg::app {

// Checks the configuration against the file system: CITUS_CONFDIR must be an
// existing, writable directory.
std::optional<protocol::config_error> check_environment(const protocol::settings& config);

// The process environment as a map.
protocol::environment current_environment();

} // namespace wlg::app
