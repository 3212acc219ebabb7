#pragma once

#include "config/configuration.hpp"

#include <optional>

namespace wlg::app {

// What the pure parser (config/) leaves to start-up: with --target=citus the
// coordinator's connection string, checked by libpq's own parser; otherwise
// CITUS_CONFDIR, which must be an existing, writable directory.
std::optional<config::config_error> check_environment(const config::settings& config);

// The process environment as a map.
config::environment current_environment();

} // namespace wlg::app
