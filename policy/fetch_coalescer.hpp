#pragma once

// When to fetch the worker list, given a stream of "something may have
// changed" requests (relevant events, resyncs). Pure: time comes in as an
// argument, and the caller owns the fetch and the timer.
//
// Default (min_interval == 0): a request after a pause of at least `burst_gap`
// starts a fetch at once, so a single change costs one round trip. Requests
// that follow closer than that, or arrive while a fetch runs, collapse into one
// follow-up fetch, started once requests have paused for `burst_gap` (or
// `max_wait` after the first of them), so a burst of any size costs two
// fetches, however fast each fetch is; a third when the burst itself pauses
// for longer than `burst_gap` (as when the reader falls behind).
//
// With min_interval > 0 (like docker-gen's -wait MIN:MAX) every fetch waits
// until requests have paused for min_interval, at most max_wait.
//
// After a failed fetch nothing is fetched until the retry delay the caller
// chose has passed, whatever arrives meanwhile.

#include "policy/steady_time.hpp"

#include <chrono>
#include <cstdint>

namespace wlg::policy {

class fetch_coalescer {
public:
  struct options {
    duration min_interval{0};
    duration max_wait{std::chrono::seconds(1)};
    duration burst_gap{std::chrono::milliseconds(5)};
  };

  struct decision {
    enum class action { none, fetch_now, arm_timer };
    action what = action::none;
    time_point deadline{};    // for arm_timer
    std::uint64_t timer_id{}; // pass back to on_timer
  };

  explicit fetch_coalescer(options opts);

  decision on_request(time_point now);
  decision on_fetch_succeeded(time_point now);
  decision on_fetch_failed(time_point now, duration retry_after);
  // The fetch succeeded, but what it read is still changing: fetch again
  // after `again_after`, whatever arrives meanwhile.
  decision on_fetch_unsettled(time_point now, duration again_after);
  decision on_timer(time_point now, std::uint64_t timer_id);
  // The event streams were held while a sync was under way (net/read_gate.hpp)
  // and read again from `now`: what they held arrives close together, as a
  // burst does, so a request that follows within the gap belongs to it
  // rather than being the leading edge of something new.
  void on_reads_resumed(time_point now);

  bool fetch_in_flight() const noexcept { return state_ == state::in_flight; }
  bool waiting() const noexcept { return state_ == state::waiting; }
  bool idle() const noexcept { return state_ == state::idle; }

private:
  enum class state { idle, in_flight, waiting };
  enum class wait_kind { settle, retry };

  duration gap() const;
  time_point settle_deadline() const;
  decision start_fetch();
  decision wait_until(time_point deadline, wait_kind kind);

  options options_;
  state state_ = state::idle;
  wait_kind wait_kind_ = wait_kind::settle;
  bool pending_ = false;        // requests arrived that no started fetch covers
  time_point first_pending_{};  // the oldest of them
  time_point last_request_{};
  bool seen_request_ = false;
  time_point deadline_{};
  bool timer_armed_ = false;
  time_point timer_at_{};
  std::uint64_t timer_id_ = 0;
};

} // namespace wlg::policy
