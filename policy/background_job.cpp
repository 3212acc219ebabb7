#include "policy/background_job.hpp"

namespace wlg::policy {

background_job::commands background_job::begin() {
  at_ = stage::asking;
  commands out;
  out.emplace_back(read_state{});
  return out;
}

void background_job::set_phase(commands& out, rebalance_phase phase, const std::string& why) {
  if (phase != phase_ || (phase == rebalance_phase::failed && why != failure_))
    out.emplace_back(phase_changed{phase, why});
  phase_ = phase;
  failure_ = phase == rebalance_phase::failed ? why : std::string{};
}

void background_job::done(commands& out, std::string failure) {
  at_ = stage::idle;
  out.emplace_back(step_done{options_.to_the_end ? std::move(failure) : std::string{}});
}

// A job runs: look again after the follow interval.
void background_job::follow(commands& out) {
  if (!follow_armed_) {
    follow_armed_ = true;
    out.emplace_back(arm_follow{options_.follow_interval});
  }
  if (options_.to_the_end) {
    at_ = stage::waiting;
    return;
  }
  done(out, {});
}

background_job::commands background_job::on_state(const std::string& state) {
  commands out;
  if (at_ != stage::asking)
    return out;
  const bool running = state == "scheduled" || state == "running" || state == "cancelling" || state == "failing";
  active_ = running;
  if (running) {
    set_phase(out, rebalance_phase::running, {});
    follow(out);
    return out;
  }
  if (state == "finished")
    set_phase(out, rebalance_phase::finished, {});
  else if (!state.empty() && phase_ != rebalance_phase::none)
    set_phase(out, rebalance_phase::failed, "the job ended " + state);
  if (owed_) {
    out.emplace_back(start{});
    return out;
  }
  done(out, phase_ == rebalance_phase::failed ? failure_ : std::string{});
  return out;
}

background_job::commands background_job::on_started(std::optional<std::int64_t> job) {
  commands out;
  if (at_ != stage::asking)
    return out;
  owed_ = false;
  if (!job) { // nothing to move
    set_phase(out, rebalance_phase::finished, {});
    done(out, {});
    return out;
  }
  active_ = true;
  set_phase(out, rebalance_phase::running, {});
  follow(out);
  return out;
}

background_job::commands background_job::on_refused(const std::string& why) {
  commands out;
  if (at_ != stage::asking)
    return out;
  owed_ = false; // owed again by the next reason to start one
  active_ = false;
  set_phase(out, rebalance_phase::failed, why);
  done(out, why);
  return out;
}

background_job::commands background_job::on_busy() {
  commands out;
  if (at_ != stage::asking)
    return out;
  active_ = true;
  set_phase(out, rebalance_phase::running, {});
  follow(out);
  return out;
}

background_job::commands background_job::on_follow() {
  follow_armed_ = false;
  if (at_ != stage::waiting)
    return {};
  return begin();
}

} // namespace wlg::policy
