#pragma once

#include "config/settings.hpp"

#include <string>
#include <vector>

namespace wlg::app {

// `dockercloud-workerlistgen status`: runs policy::node_status_machine to its
// end over one libpq connection to --coordinator and prints the worker nodes
// on stdout (a table, or JSON with --log-format=json). Returns 0 when they
// were shown; 1 when the coordinator cannot be used, after one line on
// stderr that names the problem, with every one of `secrets` taken out.
int run_status(const config::settings& config, const std::vector<std::string>& secrets);

} // namespace wlg::app
