#pragma once

#include "config/settings.hpp"

namespace wlg::app {

// Runs the actors until SIGTERM/SIGINT (returns 0) or until the supervisor
// gives up (returns 1). SIGUSR1 forces a full resync, rewrite and signal.
int run_sidecar(const config::settings& config);

} // namespace wlg::app
