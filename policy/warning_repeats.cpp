#include "policy/warning_repeats.hpp"

#include <algorithm>

namespace wlg::policy {

warning_repeats::verdict warning_repeats::on_warning(const std::string& cause, time_point now) {
  auto found = causes_.find(cause);
  if (found == causes_.end()) {
    if (causes_.size() >= max_causes_)
      forget_one();
    causes_.emplace(cause, seen{now, now, 0});
    return {true, 0};
  }
  auto& s = found->second;
  s.last_seen = now;
  if (now - s.logged_at < every_) {
    ++s.unlogged;
    return {false, 0};
  }
  const auto repeats = s.unlogged;
  s.logged_at = now;
  s.unlogged = 0;
  return {true, repeats};
}

void warning_repeats::forget_one() {
  const auto quietest = std::min_element(causes_.begin(), causes_.end(), [](const auto& a, const auto& b) {
    return a.second.last_seen < b.second.last_seen;
  });
  causes_.erase(quietest);
}

} // namespace wlg::policy
