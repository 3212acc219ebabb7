#pragma once

// When to hand freed heap memory back to the system after a sync. A large
// worker set leaves large buffers behind twice: its response body and parse
// tree are freed right after it, and the parser's reused buffers only when the
// next, smaller document shrinks them. Both are worth a trim; the syncs of a
// small cluster are not (they free too little to matter).
//
// The trim waits until syncs have paused for `delay`: trimmed at once, the
// next sync of a large set in a burst of changes first faults every page of
// its buffers back in (measured: 10 ms of a 50 ms sync of 10,000 names).
// Each sync moves the trim later; the last one of a burst decides.
// Pure: time comes in as an argument, and the caller owns the timer.

#include "policy/steady_time.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace wlg::policy {

class memory_trim {
public:
  static constexpr std::size_t default_large_workers = 1000;
  static constexpr duration default_delay = std::chrono::seconds(2);

  struct timer {
    time_point deadline;
    std::uint64_t id;
  };

  explicit memory_trim(std::size_t large_workers = default_large_workers, duration delay = default_delay)
    : large_(large_workers), delay_(delay) {}

  // After a sync of `workers` names: a timer to arm when a trim is due (it
  // replaces any armed before), none when nothing large was freed.
  std::optional<timer> after_sync(time_point now, std::size_t workers) {
    const bool large = workers >= large_;
    const bool due = large || previous_large_ || armed_;
    previous_large_ = large;
    if (!due)
      return std::nullopt;
    armed_ = true;
    return timer{now + delay_, ++id_};
  }

  // Whether to trim now: only the newest timer counts.
  bool on_timer(std::uint64_t id) {
    if (!armed_ || id != id_)
      return false;
    armed_ = false;
    return true;
  }

private:
  std::size_t large_;
  duration delay_;
  bool previous_large_ = false;
  bool armed_ = false;
  std::uint64_t id_ = 0;
};

} // namespace wlg::policy
