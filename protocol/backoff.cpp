#include "protocol/backoff.hpp"

#include <algorithm>

namespace wlg::protocol {

backoff::backoff(duration initial, duration max)
  : initial_(std::max(initial, duration{1})), max_(std::max(max, initial_)) {}

backoff::duration backoff::next(double random01) {
  auto ceiling = initial_;
  for (unsigned i = 0; i < attempts_ && ceiling < max_; ++i)
    ceiling *= 2;
  ceiling = std::min(ceiling, max_);
  ++attempts_;
  random01 = std::clamp(random01, 0.0, 1.0);
  const auto longest = std::min(max_, ceiling + ceiling / 2);
  return ceiling + duration{static_cast<duration::rep>(static_cast<double>((longest - ceiling).count()) * random01)};
}

} // namespace wlg::protocol
