#pragma once

#include "config/settings.hpp"
#include "policy/run_options.hpp"

namespace wlg::actors {

// --once, --dry-run and the back-off from the settings, for the machines;
// a random jitter seed.
policy::run_options run_options_of(const config::settings& config);

} // namespace wlg::actors
