#pragma once

#include "config/settings.hpp"

namespace wlg::app {

// Runs the actors until SIGTERM/SIGINT (returns 0) or until the supervisor
// gives up (returns 1). SIGUSR1 and SIGHUP force a full resync, rewrite and
// signal; SIGPIPE is ignored.
int run_sidecar(const config::settings& config);

} // namespace wlg::app
