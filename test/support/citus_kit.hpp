#pragma once

// Where the Citus kit is (citus-cluster.sh and install-citus.sh):
// $WLG_CITUS_KIT, by default ../shared/citus beside the checkout; and whether
// a cluster can be started here. Shared by the tests and the benchmark.

#include "test/support/process.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace wlg::test {

std::string citus_kit();

// Why no Citus cluster can be started here (one line saying how to get
// Citus), or nothing.
std::optional<std::string> citus_unavailable();

// Runs the kit's citus-cluster.sh with `args` (start DIR N PORT, stop DIR).
run_result citus_cluster_script(std::vector<std::string> args, std::chrono::milliseconds timeout);

} // namespace wlg::test
