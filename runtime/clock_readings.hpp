#pragma once

// The real clocks as plain numbers, for what crosses actors and metrics: an
// event's arrival (steady nanoseconds, for the event-to-signal histogram) and
// the last sync (Unix milliseconds, for /metrics).

#include <chrono>
#include <cstdint>

namespace wlg::runtime {

inline std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

inline std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace wlg::runtime
