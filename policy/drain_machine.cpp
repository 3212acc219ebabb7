#include "policy/drain_machine.hpp"

#include <algorithm>
#include <utility>

namespace wlg::policy {

using protocol::node_address;

drain_machine::drain_machine(options opts, std::vector<protocol::node_spec> targets)
  : options_(opts), targets_(std::move(targets)), job_({opts.follow_interval, true}) {}

void drain_machine::end(commands& out, int status, std::string message) {
  at_ = stage::done;
  out.emplace_back(finish{status, std::move(message)});
}

std::string drain_machine::named() const {
  std::string out;
  for (const auto& node : nodes_)
    out += (out.empty() ? "" : ", ") + to_string(node);
  return out;
}

drain_machine::commands drain_machine::advance(stage from, stage to, command next) {
  commands out;
  if (at_ != from)
    return out;
  at_ = to;
  out.push_back(std::move(next));
  return out;
}

drain_machine::commands drain_machine::start() { return advance(stage::idle, stage::connecting, connect{}); }

drain_machine::commands drain_machine::on_connected() {
  return advance(stage::connecting, stage::reading, read_states{});
}

drain_machine::commands drain_machine::on_connect_failed(protocol::coordinator_problem problem,
                                                         const std::string& why) {
  commands out;
  if (at_ == stage::connecting)
    end(out, failed_status, std::string{protocol::describe(problem)} + ": " + why);
  return out;
}

drain_machine::commands drain_machine::on_read_refused(protocol::coordinator_problem problem, const std::string& why) {
  commands out;
  if (at_ == stage::reading)
    end(out, failed_status, std::string{protocol::describe(problem)} + ": " + why);
  return out;
}

std::optional<std::string> drain_machine::resolve(const std::vector<protocol::node_state>& states) {
  nodes_.clear();
  for (const auto& spec : targets_) {
    std::vector<node_address> found;
    for (const auto& state : states)
      if (state.node.name == spec.name && (!spec.port || state.node.port == *spec.port))
        found.push_back(state.node);
    if (found.empty() && options_.pass_over_unknown)
      continue;
    if (found.empty()) {
      std::string known;
      for (const auto& state : states)
        known += (known.empty() ? "" : ", ") + to_string(state.node);
      return "no worker node " + to_string(spec) + " is registered (the coordinator has: "
             + (known.empty() ? std::string{"none"} : known) + ")";
    }
    if (found.size() > 1)
      return to_string(spec) + " names " + std::to_string(found.size()) + " worker nodes: give the port";
    if (std::ranges::find(nodes_, found.front()) == nodes_.end())
      nodes_.push_back(found.front());
  }
  return std::nullopt;
}

drain_machine::commands drain_machine::on_states(const std::vector<protocol::node_state>& states) {
  commands out;
  if (at_ != stage::reading)
    return out;
  if (auto problem = resolve(states)) {
    end(out, refused_status, *problem);
    return out;
  }
  if (nodes_.empty()) {
    end(out, done_status,
        "no worker node named is registered: nothing to "
          + std::string{options_.what == mode::drain ? "drain" : "undrain"});
    return out;
  }
  const auto named_here = [&](const node_address& node) { return std::ranges::find(nodes_, node) != nodes_.end(); };
  const bool drain = options_.what == mode::drain;
  const bool others_may_hold = std::ranges::any_of(states, [&](const protocol::node_state& state) {
    return state.active && state.should_have_shards && !named_here(state.node);
  });
  if (drain && !others_may_hold) {
    end(out, refused_status, "draining " + named() + " would leave no worker node that may hold shards; add one first");
    return out;
  }
  if (!drain && options_.rehearse) {
    end(out, done_status,
        "dry run: would set shouldhaveshards = true on " + named() + " and stop a running rebalance job; "
          "nothing was changed");
    return out;
  }
  for (const auto& state : states)
    if (named_here(state.node)) {
      total_ += state.placements;
      // Inside the dry run's transaction every node is set, whatever it had.
      if (state.should_have_shards == drain || options_.rehearse)
        steps_.emplace_back(set_property{state.node, !drain});
    }
  if (options_.rehearse) {
    steps_.emplace_front(begin{});
    steps_.emplace_back(read_plan{});
  }
  next_step(out);
  return out;
}

void drain_machine::next_step(commands& out) {
  if (steps_.empty())
    return after_steps(out);
  at_ = std::holds_alternative<read_plan>(steps_.front()) ? stage::planning : stage::stepping;
  out.push_back(steps_.front());
}

void drain_machine::after_steps(commands& out) {
  if (options_.rehearse) {
    out.emplace_back(show_plan{std::move(moves_)});
    return end(out, done_status, "dry run: nothing was changed");
  }
  if (options_.what == mode::undrain) {
    at_ = stage::undrain_job;
    out.emplace_back(read_progress{nodes_});
    return;
  }
  at_ = stage::job;
  job_.owe();
  carry_job(out, job_.begin());
}

drain_machine::commands drain_machine::on_done() {
  commands out;
  if (at_ == stage::stepping) {
    steps_.pop_front();
    next_step(out);
  } else if (at_ == stage::undrain_job) {
    end(out, done_status,
        "undrained " + named() + " and stopped the running rebalance job: the rebalancer may put shards on "
          "them again (SELECT citus_rebalance_start() moves some back now)");
  }
  return out;
}

drain_machine::commands drain_machine::on_refused(const std::string& why) {
  commands out;
  if (at_ == stage::stepping || at_ == stage::planning || at_ == stage::undrain_job)
    end(out, failed_status, why);
  else if (at_ == stage::job)
    carry_job(out, job_.on_refused(why));
  return out;
}

drain_machine::commands drain_machine::on_plan(std::vector<protocol::shard_move> moves) {
  commands out;
  if (at_ != stage::planning)
    return out;
  moves_ = std::move(moves);
  steps_.pop_front();
  steps_.emplace_back(roll_back{});
  next_step(out);
  return out;
}

drain_machine::commands drain_machine::on_progress(const protocol::drain_progress_row& row) {
  commands out;
  if (at_ == stage::undrain_job) {
    const bool running = row.job_state == "scheduled" || row.job_state == "running";
    if (running)
      out.emplace_back(stop_job{});
    else
      end(out, done_status,
          "undrained " + named() + ": the rebalancer may put shards on them again "
                                   "(SELECT citus_rebalance_start() moves some back now)");
    return out;
  }
  if (at_ != stage::job)
    return out;
  if (left_ != row.placements_left)
    out.emplace_back(progress{row.placements_left, total_});
  left_ = row.placements_left;
  job_failure_ = row.failure;
  carry_job(out, job_.on_state(row.job_state));
  return out;
}

drain_machine::commands drain_machine::on_started(std::optional<std::int64_t> job) {
  return job_said(job_.on_started(job));
}

drain_machine::commands drain_machine::on_busy() {
  return job_said(job_.on_busy());
}

drain_machine::commands drain_machine::on_follow() {
  return job_said(job_.on_follow());
}

drain_machine::commands drain_machine::job_said(background_job::commands job) {
  commands out;
  if (at_ == stage::job)
    carry_job(out, std::move(job));
  return out;
}

void drain_machine::carry_job(commands& out, background_job::commands job) {
  for (auto& command : job) {
    if (std::holds_alternative<background_job::read_state>(command))
      out.emplace_back(read_progress{nodes_});
    else if (std::holds_alternative<background_job::start>(command))
      out.emplace_back(start_job{});
    else if (const auto* follow = std::get_if<background_job::arm_follow>(&command))
      out.emplace_back(arm_follow{follow->delay});
    else if (const auto* step = std::get_if<background_job::step_done>(&command)) {
      if (!step->failure.empty())
        return end(out, failed_status,
                   "the drain job failed: " + (job_failure_.empty() ? step->failure : job_failure_));
      if (left_.value_or(0) > 0)
        return end(out, failed_status,
                   std::to_string(*left_) + " shard placement(s) are still on " + named()
                     + " after the drain job ended; run drain again, or see citus_rebalance_status()");
      return end(out, done_status,
                 "drained " + named() + ": no shard placement is left on "
                   + (nodes_.size() == 1 ? "it, so removing its container" : "them, so removing their containers")
                   + " is now safe (dockercloud-workerlistgen scale SERVICE REPLICAS drains and scales in one go)");
    }
  }
}

drain_machine::commands drain_machine::on_lost(const std::string& why) {
  commands out;
  if (at_ != stage::idle && at_ != stage::connecting && at_ != stage::done)
    end(out, failed_status, "lost the coordinator: " + why);
  return out;
}

} // namespace wlg::policy
