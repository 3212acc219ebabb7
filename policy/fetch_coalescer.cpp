#include "policy/fetch_coalescer.hpp"

#include <algorithm>

namespace wlg::policy {

fetch_coalescer::fetch_coalescer(options opts) : options_(opts) {}

duration fetch_coalescer::gap() const {
  return options_.min_interval > duration::zero() ? options_.min_interval : options_.burst_gap;
}

time_point fetch_coalescer::settle_deadline() const {
  return std::min(last_request_ + gap(), first_pending_ + options_.max_wait);
}

fetch_coalescer::decision fetch_coalescer::start_fetch() {
  state_ = state::in_flight;
  pending_ = false;
  return {decision::action::fetch_now, {}, 0};
}

// Keeps at most one timer: one already due earlier than `deadline` fires,
// finds the deadline moved and is armed again for it.
fetch_coalescer::decision fetch_coalescer::wait_until(time_point deadline, wait_kind kind) {
  state_ = state::waiting;
  wait_kind_ = kind;
  deadline_ = deadline;
  if (timer_armed_ && timer_at_ <= deadline)
    return {};
  timer_armed_ = true;
  timer_at_ = deadline;
  ++timer_id_;
  return {decision::action::arm_timer, deadline, timer_id_};
}

fetch_coalescer::decision fetch_coalescer::on_request(time_point now) {
  // Only a request after a pause is the leading edge of something new; one
  // that follows the previous closely belongs to the same burst.
  const bool after_pause = !seen_request_ || now - last_request_ >= gap();
  seen_request_ = true;
  last_request_ = now;
  if (!pending_) {
    pending_ = true;
    first_pending_ = now;
  }
  switch (state_) {
    case state::idle:
      if (options_.min_interval == duration::zero() && after_pause)
        return start_fetch();
      return wait_until(settle_deadline(), wait_kind::settle);
    case state::in_flight:
      return {};
    case state::waiting:
      if (wait_kind_ == wait_kind::settle)
        deadline_ = settle_deadline();
      return {};
  }
  return {};
}

void fetch_coalescer::on_reads_resumed(time_point now) {
  seen_request_ = true;
  last_request_ = std::max(last_request_, now);
  if (state_ == state::waiting && wait_kind_ == wait_kind::settle)
    deadline_ = settle_deadline();
}

fetch_coalescer::decision fetch_coalescer::on_fetch_succeeded(time_point now) {
  if (state_ != state::in_flight)
    return {};
  state_ = state::idle;
  if (!pending_)
    return {};
  const auto deadline = settle_deadline();
  if (deadline <= now)
    return start_fetch();
  return wait_until(deadline, wait_kind::settle);
}

fetch_coalescer::decision fetch_coalescer::on_fetch_failed(time_point now, duration retry_after) {
  if (state_ != state::in_flight)
    return {};
  if (!pending_) {
    pending_ = true;
    first_pending_ = now;
  }
  return wait_until(now + retry_after, wait_kind::retry);
}

fetch_coalescer::decision fetch_coalescer::on_fetch_unsettled(time_point now, duration again_after) {
  return on_fetch_failed(now, again_after);
}

fetch_coalescer::decision fetch_coalescer::on_timer(time_point now, std::uint64_t timer_id) {
  if (timer_id != timer_id_ || !timer_armed_)
    return {};
  timer_armed_ = false;
  if (state_ != state::waiting)
    return {};
  if (now < deadline_)
    return wait_until(deadline_, wait_kind_);
  return start_fetch();
}

} // namespace wlg::policy
