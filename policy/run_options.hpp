#pragma once

// What every output machine is told of the run, once: how to retry, whether
// it is a --once run, and whether a --dry-run.

#include <chrono>
#include <cstdint>

namespace wlg::policy {

struct run_options {
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30'000};
  bool once = false;     // the first failure ends the run, nothing is retried
  bool rehearse = false; // --dry-run: show what would change, change nothing
  std::uint64_t seed = 0; // for the back-off jitter
};

} // namespace wlg::policy
