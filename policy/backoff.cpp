#include "policy/backoff.hpp"

#include <algorithm>

namespace wlg::policy {

backoff::backoff(duration initial, duration max, std::uint64_t seed)
  : initial_(std::max(initial, duration{1})), max_(std::max(max, initial_)), random_(seed) {}

backoff::duration backoff::shortest() const {
  auto wait = initial_;
  for (unsigned i = 0; i < attempts_ && wait < max_; ++i)
    wait *= 2;
  return std::min(wait, max_);
}

backoff::duration backoff::longest() const {
  const auto wait = shortest();
  return std::min(max_, wait + wait / 2);
}

backoff::duration backoff::next() {
  const auto low = shortest();
  const auto high = longest();
  ++attempts_;
  return duration{std::uniform_int_distribution<duration::rep>{low.count(), high.count()}(random_)};
}

} // namespace wlg::policy
