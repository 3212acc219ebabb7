#pragma once

// --target=citus's figures against a real Citus cluster: how long from an
// event, and from a worker container's start, until the node is in the
// coordinator's pg_dist_node; against the floor of one direct citus_add_node
// on a warm connection, measured in the same run.

#include "bench/report.hpp"

#include <string>

namespace wlg::bench {

// Adds the figures to `out`, or a line saying why they were skipped (no
// Citus, no cluster kit, no podman).
void measure_citus(report& out, int changes, const std::string& scratch);

} // namespace wlg::bench
