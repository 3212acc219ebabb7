#pragma once

// Exponential back-off with jitter: the nth retry waits a random time from
// d = min(max, initial * 2^n) up to half as long again, never more than max.
// The jitter only ever adds: a wait is never shorter than the setting it
// comes from (a 2 s --auth-retry waits at least 2 s), a crowd of clients
// still spreads out, and no failure ever leads to a tight loop.

#include <chrono>

namespace wlg::protocol {

class backoff {
public:
  using duration = std::chrono::milliseconds;

  backoff(duration initial, duration max);

  // `random01` in [0, 1) picks the point in the jitter range.
  duration next(double random01);
  void reset() noexcept { attempts_ = 0; }
  unsigned attempts() const noexcept { return attempts_; }

private:
  duration initial_;
  duration max_;
  unsigned attempts_ = 0;
};

} // namespace wlg::protocol
