#pragma once

// Where the Citus kit is (citus-cluster.sh and install-citus.sh):
// $WLG_CITUS_KIT, by default ../shared/citus beside the checkout; and whether
// a cluster can be started here. Shared by the tests and the benchmark.

#include <optional>
#include <string>

namespace wlg::test {

std::string citus_kit();

// Why no Citus cluster can be started here (one line saying how to get
// Citus), or nothing.
std::optional<std::string> citus_unavailable();

} // namespace wlg::test
