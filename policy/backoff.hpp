#pragma once

// Exponential back-off with jitter: the nth retry waits a random time from
// d = min(max, initial * 2^n) up to half as long again, never more than max.
// The jitter only ever adds: a wait is never shorter than the setting it
// comes from (a 2 s --auth-retry waits at least 2 s), a crowd of clients
// still spreads out, and no failure ever leads to a tight loop.

#include <chrono>
#include <cstdint>
#include <random>

namespace wlg::policy {

class backoff {
public:
  using duration = std::chrono::milliseconds;

  // `seed` picks the jitter sequence: fixed in tests, random by default.
  backoff(duration initial, duration max, std::uint64_t seed = std::random_device{}());

  duration next();
  void reset() noexcept { attempts_ = 0; }
  unsigned attempts() const noexcept { return attempts_; }

  // The range next() draws from at this attempt.
  duration shortest() const;
  duration longest() const;

private:
  duration initial_;
  duration max_;
  unsigned attempts_ = 0;
  std::mt19937_64 random_;
};

} // namespace wlg::policy
