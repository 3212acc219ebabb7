#pragma once

// The policies decide on readings of a steady clock that their caller passes
// in: the actors pass the real one, the simulations a virtual one.

#include <chrono>

namespace wlg::policy {

using steady_clock = std::chrono::steady_clock;
using time_point = steady_clock::time_point;
using duration = steady_clock::duration;

} // namespace wlg::policy
