#include "runtime/metrics.hpp"

namespace wlg::runtime {

void latency_histogram::observe(std::chrono::nanoseconds latency) noexcept {
  const double seconds = static_cast<double>(latency.count()) / 1e9;
  std::size_t i = 0;
  while (i < bounds_seconds.size() && seconds > bounds_seconds[i])
    ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count()),
                    std::memory_order_relaxed);
}

} // namespace wlg::runtime
