#pragma once

// Three 10,000-link sets in a row (10,000, 10,001 and 10,002 names), after
// small ones, each timed from its event to the master's SIGHUP, and after
// each the floor for the same set: one fetch of the same container, its parse,
// one atomic write and the signal, done directly (bench/floor). Compared
// first against first (both meet the set cold) and best against best.

#include "bench/report.hpp"

#include <string>

namespace wlg::bench {

void measure_large_sets(report& out, const std::string& scratch);

} // namespace wlg::bench
