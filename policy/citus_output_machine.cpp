#include "policy/citus_output_machine.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace wlg::policy {

citus_output_machine::citus_output_machine(options opts)
  : options_(opts), lease_(opts.run.rehearse), health_(opts.health), plan_(opts.plan),
    rebalance_({opts.follow_interval, opts.run.once}), audit_(opts.audit) {}

citus_output_machine::commands citus_output_machine::on_apply(std::set<citus_node> wanted,
                                                              membership_plan::successions formers,
                                                              std::set<citus_node> held_back,
                                                              const std::map<citus_node, std::string>& containers,
                                                              time_point now) {
  audit_.on_containers(containers, now);
  wanted_ = std::move(wanted);
  formers_ = std::move(formers);
  held_back_ = std::move(held_back);
  unblocked_ = true;
  ++tickets_;
  commands out;
  start_pass(out);
  return out;
}

citus_output_machine::commands citus_output_machine::on_retry() {
  armed_due_.reset();
  commands out;
  start_pass(out);
  return out;
}

void citus_output_machine::start_pass(commands& out) {
  if (at_ != stage::idle) {
    again_ = true;
    return;
  }
  again_ = false;
  pass_covers_ = tickets_;
  pass_changed_ = false;
  pass_add_refused_ = false;
  pass_audited_ = false;
  standing_by_ = false;
  if (!connected_) {
    at_ = stage::connecting;
    out.push_back(connect{});
    return;
  }
  lead_then_read(out);
}

void citus_output_machine::lead_then_read(commands& out) {
  if (lease_.must_try()) {
    at_ = stage::locking;
    out.push_back(take_lock{});
    return;
  }
  at_ = stage::reading;
  out.push_back(read_nodes{});
}

void citus_output_machine::report_role(commands& out, std::optional<bool> leader) {
  if (leader)
    out.push_back(role{*leader});
}

citus_output_machine::commands citus_output_machine::on_connected() {
  commands out;
  if (at_ != stage::connecting)
    return out;
  connected_ = true;
  unblocked_ = true;
  lead_then_read(out);
  return out;
}

citus_output_machine::commands citus_output_machine::on_lock(bool held) {
  commands out;
  if (at_ != stage::locking)
    return out;
  report_role(out, lease_.on_lock(held));
  if (held) {
    at_ = stage::reading;
    out.push_back(read_nodes{});
    return out;
  }
  standing_by_ = true;
  end_pass(out, {});
  return out;
}

void citus_output_machine::report_problem(commands& out, protocol::coordinator_problem problem,
                                          const std::string& why) {
  if (problem != last_problem_ || why != last_why_)
    out.push_back(unreachable{problem, why});
  last_problem_ = problem;
  last_why_ = why;
}

citus_output_machine::commands citus_output_machine::on_connect_failed(protocol::coordinator_problem problem,
                                                                       const std::string& why) {
  commands out;
  if (at_ != stage::connecting)
    return out;
  out.push_back(drop_connection{false, why});
  report_problem(out, problem, why);
  end_pass(out, std::string{protocol::describe(problem)} + ": " + why);
  return out;
}

citus_output_machine::commands citus_output_machine::on_read_refused(protocol::coordinator_problem problem,
                                                                     const std::string& why) {
  commands out;
  if (at_ != stage::reading)
    return out;
  report_problem(out, problem, why);
  end_pass(out, std::string{protocol::describe(problem)} + ": " + why);
  return out;
}

citus_output_machine::commands citus_output_machine::on_nodes(const std::set<citus_node>& present,
                                                              time_point now, const std::set<citus_node>& inactive) {
  commands out;
  if (at_ != stage::reading)
    return out;
  if (last_problem_ != protocol::coordinator_problem::none)
    out.push_back(usable{});
  last_problem_ = protocol::coordinator_problem::none;
  last_why_.clear();
  present_ = present;
  inactive_ = inactive;
  now_ = now;
  audit_.on_registered(present_, to_keep());
  report_missing(out);
  auto probe = node_health::to_probe(to_keep(), present_, inactive_);
  if (!probe.empty()) {
    at_ = stage::probing;
    out.push_back(probe_nodes{std::move(probe)});
    return out;
  }
  probed(out, {}, now);
  return out;
}

citus_output_machine::commands citus_output_machine::on_probed(const std::vector<node_health::probe_result>& results,
                                                               time_point now) {
  commands out;
  if (at_ != stage::probing)
    return out;
  probed(out, results, now);
  return out;
}

void citus_output_machine::probed(commands& out, const std::vector<node_health::probe_result>& results,
                                  time_point now) {
  // A node answering again, a new apply or connection: failed adds are due at once.
  const bool recovered = health_.on_probed(results, now);
  if (std::exchange(unblocked_, false) || recovered)
    plan_.retry_now(now);
  plan_changes(out, now);
}

std::set<citus_node> citus_output_machine::active() const {
  std::set<citus_node> out;
  std::ranges::set_difference(present_, inactive_, std::inserter(out, out.end()));
  return out;
}

std::set<citus_node> citus_output_machine::to_keep() const {
  auto out = wanted_;
  for (const auto& node : held_back_)
    if (present_.contains(node))
      out.insert(node);
  return out;
}

void citus_output_machine::plan_changes(commands& out, time_point now) {
  const auto silent = health_.unreachable();
  const auto wanted = to_keep();
  const auto plan = plan_.plan(wanted, present_, now, formers_, inactive_, {silent.begin(), silent.end()});
  const auto disable = health_.plan(wanted, present_, inactive_, plan.taken_over, now);
  report_health(out);
  changes_.clear();
  using kind = node_change::kind;
  // Disabling first: a node that does not answer blocks the adds after it.
  for (const auto& node : disable)
    changes_.push_back({node, kind::disable, {}});
  for (const auto& node : plan.activate)
    changes_.push_back({node, kind::activate, {}});
  for (const auto& update : plan.update)
    changes_.push_back({update.to, kind::update, update.from});
  for (const auto& node : plan.add)
    changes_.push_back({node, kind::add, {}});
  for (const auto& node : plan.remove)
    changes_.push_back({node, kind::remove, {}});
  if (options_.run.rehearse) {
    const bool adds = !plan.add.empty() || !plan.activate.empty();
    out.push_back(show_changes{{changes_.begin(), changes_.end()}, adds && options_.rebalance_after_add});
    changes_.clear();
  }
  next_change(out);
}

void citus_output_machine::report_health(commands& out) {
  std::vector<node_health::departed_node> departed;
  for (const auto& [node, shards] : plan_.departed())
    departed.push_back({node, shards});
  if (auto health = health_.changed_report(inactive_.size(), std::move(departed)))
    out.push_back(std::move(*health));
}

void citus_output_machine::next_change(commands& out) {
  if (changes_.empty())
    return audit_then_rebalance(out);
  at_ = stage::changing;
  out.push_back(run_change{changes_.front()});
}

void citus_output_machine::audit_then_rebalance(commands& out) {
  if (!options_.run.rehearse && !std::exchange(pass_audited_, true)) {
    auditing_ = audit_.due(active(), now_);
    if (!auditing_.empty()) {
      at_ = stage::auditing;
      out.push_back(check_placements{auditing_});
      return;
    }
  }
  rebalance_or_end(out);
}

void citus_output_machine::rebalance_or_end(commands& out) {
  if (options_.rebalance_after_add && !options_.run.rehearse && rebalance_.due()) {
    at_ = stage::rebalancing;
    return carry_job(out, rebalance_.begin());
  }
  end_pass(out, {});
}

citus_output_machine::commands
citus_output_machine::on_placements_checked(const std::vector<placement_audit::check_result>& results,
                                            time_point now) {
  commands out;
  if (at_ != stage::auditing)
    return out;
  audit_.on_checked(auditing_, results, now);
  report_missing(out);
  rebalance_or_end(out);
  return out;
}

citus_output_machine::commands citus_output_machine::on_check_refused(time_point now) {
  commands out;
  if (at_ != stage::auditing)
    return out;
  audit_.on_check_refused(auditing_, now);
  rebalance_or_end(out);
  return out;
}

void citus_output_machine::report_missing(commands& out) {
  auto missing = audit_.missing();
  if (missing == said_missing_)
    return;
  said_missing_ = missing;
  out.push_back(missing_placements{std::move(missing)});
}

citus_output_machine::commands citus_output_machine::on_added() {
  // An activated node comes back without the placements it had (Citus drops
  // a disabled node's replicas, which may have missed writes): it needs
  // shards as much as a new one.
  const bool activated = at_ == stage::changing && changes_.front().what == node_change::kind::activate;
  // An updated node is a replaced task's: another container, whose tables are checked.
  if (at_ == stage::changing && changes_.front().what == node_change::kind::update)
    audit_.on_replaced(changes_.front().node, now_);
  if (at_ == stage::changing && (changes_.front().what == node_change::kind::add || activated))
    rebalance_.owe();
  return after_change([this, activated](const citus_node& node, commands& out) {
    plan_.on_added(node);
    pass_changed_ = true;
    if (activated) {
      inactive_.erase(node);
      report_health(out);
    }
  });
}

citus_output_machine::commands citus_output_machine::on_add_refused(const std::string& why, time_point now) {
  return after_change([&](const citus_node& node, commands& out) {
    const auto due = plan_.on_add_failed(node, now);
    pass_add_refused_ = true;
    out.push_back(add_refused{node, why, due - now});
  });
}

citus_output_machine::commands citus_output_machine::on_removed() {
  return after_change([this](const citus_node& node, commands& out) {
    plan_.on_removed(node);
    pass_changed_ = true;
    report_health(out);
  });
}

citus_output_machine::commands citus_output_machine::on_kept(const std::string& why, std::int64_t only_copies) {
  return after_change([&](const citus_node& node, commands& out) {
    if (plan_.on_kept(node, only_copies))
      out.push_back(kept{node, why, only_copies});
    report_health(out);
  });
}

citus_output_machine::commands citus_output_machine::on_remove_refused(const std::string& why, time_point now) {
  return after_change([&](const citus_node& node, commands& out) {
    const auto due = plan_.on_remove_failed(node, now);
    out.push_back(remove_refused{node, why, due - now});
  });
}

citus_output_machine::commands citus_output_machine::on_disabled() {
  return after_change([this](const citus_node& node, commands& out) {
    health_.on_disabled(node);
    // The removals it blocked (Citus sends each to every active node) can go
    // through once Citus has synced: planned again by one more pass, at once.
    plan_.restart_removals(now_);
    if (!options_.run.once)
      again_ = true;
    pass_changed_ = true;
    inactive_.insert(node);
    report_health(out);
  });
}

citus_output_machine::commands citus_output_machine::on_disable_refused(const std::string& why, time_point now) {
  return after_change([&](const citus_node& node, commands& out) {
    if (health_.on_disable_refused(node, why, now))
      out.push_back(disable_refused{node, why});
  });
}

citus_output_machine::commands citus_output_machine::on_lost(const std::string& why) {
  commands out;
  if (at_ == stage::idle || at_ == stage::connecting)
    return out;
  const auto failure = "lost the coordinator while " + doing() + ": " + why;
  connected_ = false;
  report_role(out, lease_.on_session_lost()); // the lock went with the session
  rebalance_.on_lost();
  changes_.clear();
  out.push_back(drop_connection{true, failure});
  end_pass(out, failure);
  return out;
}

std::string citus_output_machine::doing() const {
  if (at_ == stage::reading)
    return "reading pg_dist_node";
  if (at_ == stage::probing)
    return "probing worker nodes";
  if (at_ == stage::rebalancing)
    return "rebalancing";
  if (at_ == stage::auditing)
    return "checking the shard tables of worker nodes whose container changed";
  if (at_ == stage::locking)
    return "taking the leader's lock";
  const auto& change = changes_.front();
  switch (change.what) {
    case node_change::kind::add: return "adding " + to_string(change.node);
    case node_change::kind::remove: return "removing " + to_string(change.node);
    case node_change::kind::update: return "updating " + to_string(change.from) + " to " + to_string(change.node);
    case node_change::kind::disable: return "disabling " + to_string(change.node);
    case node_change::kind::activate: return "activating " + to_string(change.node);
  }
  return {};
}

void citus_output_machine::end_pass(commands& out, const std::string& failure) {
  at_ = stage::idle;
  if (!failure.empty())
    out.push_back(fail{pass_covers_, failure});
  else if (options_.run.once && pass_add_refused_)
    out.push_back(fail{pass_covers_, "a worker node could not be added"});
  else
    out.push_back(answer{pass_covers_, output_report{pass_changed_, summary()}});
  // Refused adds, and the watch over silent nodes, are due again (a --once
  // run is over by then). An earlier due than the armed one arms another timer.
  if (failure.empty() && !options_.run.once) {
    auto due = plan_.next_retry();
    if (const auto watch = health_.watch_due(); watch && (!due || *watch < *due))
      due = watch;
    // (A standby or a rehearsal checks nothing: no timer for it.)
    const auto audit = options_.run.rehearse || !lease_.held() ? std::nullopt : audit_.next_due(active());
    if (audit && (!due || *audit < *due))
      due = audit;
    if (due && (!armed_due_ || *due < *armed_due_)) {
      armed_due_ = due;
      out.push_back(arm_retry{*due});
    }
  }
  if (again_)
    start_pass(out);
}

// --- the rebalance ---------------------------------------------------------------

void citus_output_machine::carry_job(commands& out, background_job::commands job) {
  for (auto& command : job) {
    if (std::holds_alternative<background_job::read_state>(command))
      out.push_back(read_rebalance{});
    else if (std::holds_alternative<background_job::start>(command))
      out.push_back(start_rebalance{});
    else if (const auto* follow = std::get_if<background_job::arm_follow>(&command))
      out.push_back(arm_follow{follow->delay});
    else if (auto* phase = std::get_if<background_job::phase_changed>(&command))
      out.push_back(rebalance_state{phase->phase, std::move(phase->why)});
    else if (const auto* done = std::get_if<background_job::step_done>(&command))
      end_pass(out, done->failure.empty() ? std::string{} : "rebalance: " + done->failure);
  }
}

citus_output_machine::commands citus_output_machine::on_rebalance_status(const std::string& state) {
  return carried(rebalance_.on_state(state));
}

citus_output_machine::commands citus_output_machine::on_rebalance_started(std::optional<std::int64_t> job) {
  return carried(rebalance_.on_started(job));
}

citus_output_machine::commands citus_output_machine::on_rebalance_refused(const std::string& why) {
  return carried(rebalance_.on_refused(why));
}

citus_output_machine::commands citus_output_machine::on_rebalance_busy() {
  return carried(rebalance_.on_busy());
}

citus_output_machine::commands citus_output_machine::on_follow() {
  commands out;
  auto job = rebalance_.on_follow();
  if (!job.empty())
    carry_job(out, std::move(job));
  else if (rebalance_.active())
    start_pass(out);
  return out;
}

std::string citus_output_machine::summary() const {
  if (standing_by_)
    return "standing by: another sidecar holds the coordinator's lock and leads";
  if (options_.run.rehearse)
    return "dry run: no statement was run";
  std::string rebalance;
  if (rebalance_.phase() == rebalance_phase::finished)
    rebalance = "; the rebalance finished";
  else if (rebalance_.phase() == rebalance_phase::running)
    rebalance = "; a rebalance runs";
  return std::to_string(wanted_.size()) + " wanted worker node(s); "
         + (pass_changed_ ? "the coordinator was changed" : "the coordinator already had them") + rebalance;
}

} // namespace wlg::policy
