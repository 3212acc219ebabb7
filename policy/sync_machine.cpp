#include "policy/sync_machine.hpp"

#include <utility>

namespace wlg::policy {

sync_machine::sync_machine(options opts)
  : options_(opts), coalescer_(opts.coalescing),
    fetch_backoff_(opts.run.backoff_initial, opts.run.backoff_max, opts.run.seed),
    auth_backoff_(opts.auth_retry, opts.auth_retry * 10, opts.run.seed + 1),
    apply_backoff_(opts.run.backoff_initial, opts.run.backoff_max, opts.run.seed + 2),
    reload_owed_(opts.reload_first) {}

void sync_machine::take(commands& out, fetch_coalescer::decision decision, bool leading) {
  using action = fetch_coalescer::decision::action;
  if (decision.what == action::fetch_now) {
    leading_sync_ = leading_sync_ || leading; // a follow-up joins, never ends, the one under way
    fetching_event_ns_ = pending_event_ns_;
    pending_event_ns_ = 0;
    if (applying_)
      fetch_owed_ = true; // asked for once the apply is answered
    else
      out.push_back(fetch{});
  } else if (decision.what == action::arm_timer) {
    out.push_back(arm_timer{decision.deadline, decision.timer_id});
  }
}

bool sync_machine::idle() const noexcept {
  if (finished_)
    return true;
  return coalescer_.idle() && !desired_ && !applying_ && !retry_armed_;
}

void sync_machine::arm_poll_timer(commands& out) const {
  if (options_.poll_interval > duration::zero() && !options_.run.once)
    out.push_back(arm_poll{options_.poll_interval});
}

sync_machine::commands sync_machine::on_start() {
  commands out;
  arm_poll_timer(out);
  return out;
}

sync_machine::commands sync_machine::on_poll(time_point now) {
  auto out = on_resync(now, false);
  arm_poll_timer(out);
  return out;
}

sync_machine::commands sync_machine::on_event(time_point now, std::int64_t event_ns) {
  commands out;
  if (pending_event_ns_ == 0)
    pending_event_ns_ = event_ns;
  take(out, coalescer_.on_request(now), true);
  return out;
}

sync_machine::commands sync_machine::on_resync(time_point now, bool force) {
  commands out;
  if (force) {
    rewrite_ = true;
    reload_owed_ = true;
  }
  take(out, coalescer_.on_request(now), true);
  return out;
}

sync_machine::commands sync_machine::on_timer(time_point now, std::uint64_t id) {
  commands out;
  take(out, coalescer_.on_timer(now, id));
  return out;
}

sync_machine::commands sync_machine::on_fetched(time_point now, protocol::worker_set workers) {
  commands out;
  fetch_backoff_.reset();
  auth_backoff_.reset();
  if (!workers.settling())
    settling_since_.reset();
  else if (!settling_since_)
    settling_since_ = now;
  const bool look_again = settling_since_ && !options_.run.once && now - *settling_since_ < options_.settle_for;
  desired_ = std::move(workers);
  if (desired_event_ns_ == 0)
    desired_event_ns_ = fetching_event_ns_;
  fetching_event_ns_ = 0;
  maybe_apply(out); // first: a follow-up fetch due now waits for this apply
  leading_sync_ = leading_sync_ && applying_.has_value();
  take(out, look_again ? coalescer_.on_fetch_unsettled(now, options_.settle_interval)
                       : coalescer_.on_fetch_succeeded(now));
  return out;
}

sync_machine::commands sync_machine::on_fetch_failed(time_point now, fetch_failure failure, const std::string& why) {
  commands out;
  // The events behind the failed fetch are still unanswered.
  if (pending_event_ns_ == 0)
    pending_event_ns_ = fetching_event_ns_;
  fetching_event_ns_ = 0;
  leading_sync_ = false;
  if (options_.run.once) {
    finished_ = true;
    out.push_back(finish{false, "fetch failed (" + why + "); nothing was changed"});
    return out;
  }
  const auto delay = (failure == fetch_failure::refused_credentials ? auth_backoff_ : fetch_backoff_).next();
  take(out, coalescer_.on_fetch_failed(now, delay));
  return out;
}

void sync_machine::maybe_apply(commands& out) {
  // While a failed apply waits out its back-off, a newer set waits with it:
  // a failing output is not hammered by every event.
  if (applying_ || !desired_ || finished_ || retry_armed_)
    return;
  if (applied_ && *desired_ == *applied_ && !rewrite_ && !reload_owed_ && !options_.apply_every_sync) {
    out.push_back(synced{desired_->size(), true});
    desired_.reset();
    desired_event_ns_ = 0;
    return;
  }
  applying_ = output_request{std::move(*desired_), rewrite_, reload_owed_, desired_event_ns_};
  desired_.reset();
  desired_event_ns_ = 0;
  rewrite_ = false;
  reload_owed_ = false;
  out.push_back(apply{*applying_});
}

void sync_machine::start_owed_fetch(commands& out) {
  if (std::exchange(fetch_owed_, false))
    out.push_back(fetch{});
}

void sync_machine::maybe_finish(commands& out) {
  if (!options_.run.once || finished_ || !applied_ || applying_ || desired_)
    return;
  finished_ = true;
  out.push_back(finish{true, last_summary_});
}

sync_machine::commands sync_machine::on_applied(const output_report& report) {
  commands out;
  if (!applying_)
    return out;
  applied_ = std::move(applying_->workers);
  applying_.reset();
  leading_sync_ = false;
  apply_backoff_.reset();
  last_summary_ = report.summary;
  out.push_back(synced{applied_->size(), false});
  start_owed_fetch(out);
  maybe_apply(out);
  maybe_finish(out);
  return out;
}

sync_machine::commands sync_machine::on_apply_failed(const std::string& why) {
  commands out;
  if (!applying_)
    return out;
  // The failed set is still wanted unless a newer one has been fetched since.
  if (!desired_) {
    desired_ = std::move(applying_->workers);
    desired_event_ns_ = applying_->oldest_event_ns;
  }
  rewrite_ = rewrite_ || applying_->rewrite;
  reload_owed_ = reload_owed_ || applying_->reload;
  applying_.reset();
  leading_sync_ = false;
  start_owed_fetch(out);
  if (options_.run.once) {
    finished_ = true;
    out.push_back(finish{false, why});
    return out;
  }
  if (!retry_armed_) {
    retry_armed_ = true;
    out.push_back(retry_later{apply_backoff_.next(), why});
  }
  return out;
}

sync_machine::commands sync_machine::on_retry() {
  commands out;
  retry_armed_ = false;
  maybe_apply(out);
  return out;
}

sync_machine::commands sync_machine::on_poller_replaced() {
  commands out;
  if (coalescer_.fetch_in_flight() && !fetch_owed_)
    out.push_back(fetch{});
  return out;
}

sync_machine::commands sync_machine::on_output_replaced() {
  commands out;
  if (applying_)
    out.push_back(apply{*applying_});
  return out;
}

} // namespace wlg::policy
