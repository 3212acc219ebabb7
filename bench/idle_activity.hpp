#pragma once

// How often a process wakes up and how much CPU it uses while it waits, read
// from /proc over a window of real time.

#include <sys/types.h>

#include <chrono>

namespace wlg::bench {

struct idle_activity {
  // Context switches of all its threads, voluntary (a wait ended) and not.
  double wakeups_per_second = 0;
  // User and system time, scaled to one minute.
  double cpu_ms_per_minute = 0;
};

idle_activity measure_idle_activity(pid_t pid, std::chrono::milliseconds window);

} // namespace wlg::bench
