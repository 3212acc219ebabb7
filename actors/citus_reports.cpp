#include "actors/citus_reports.hpp"

#include "config/values.hpp"
#include "protocol/citus_sql.hpp"
#include "runtime/status_pages.hpp"

#include <algorithm>

namespace wlg::actors {

using policy::citus_node;

void citus_reports::say(const machine::rebalance_state& r) {
  metrics_.citus_rebalance = r.phase;
  switch (r.phase) {
    case policy::rebalance_phase::running: log_->info("a rebalance job runs; following it"); break;
    case policy::rebalance_phase::finished: log_->info("the rebalance finished"); break;
    case policy::rebalance_phase::failed: log_->warn("the rebalance failed: {}", r.why); break;
    case policy::rebalance_phase::none: break;
  }
}

void citus_reports::say(const machine::unreachable& u) {
  metrics_.coordinator_problem = u.problem;
  metrics_.coordinator_trouble.report(std::string{protocol::describe(u.problem)} + " (" + u.why + ")");
  log_->warn("{} ({}); trying again", protocol::describe(u.problem), u.why);
}

void citus_reports::say(const machine::usable&) {
  metrics_.coordinator_problem = protocol::coordinator_problem::none;
  metrics_.coordinator_trouble.clear();
  log_->info("the coordinator is usable again");
}

void citus_reports::say(const machine::role& r) {
  metrics_.citus_leader = r.leader;
  if (r.leader)
    log_->info("leading: this sidecar holds the coordinator's advisory lock {}", protocol::leader_lock_key);
  else
    log_->info("standing by: another sidecar holds the coordinator's advisory lock {} and leads",
               protocol::leader_lock_key);
}

void citus_reports::say(const machine::add_refused& r) {
  log_->warn("cannot add worker node {} ({}); retrying in {} ms", policy::to_string(r.node), r.why,
             std::chrono::duration_cast<std::chrono::milliseconds>(r.retry_in).count());
}

void citus_reports::say(const machine::nodes_health& h) {
  const auto silent = [](const machine::nodes_health& health, const citus_node& node) {
    return std::ranges::find(health.unreachable, node) != health.unreachable.end();
  };
  const auto blocks = [](const machine::nodes_health& health, const citus_node& node) {
    return std::ranges::find(health.blocking, node, &policy::node_health::blocked_node::node) != health.blocking.end();
  };
  for (const auto& node : h.unreachable)
    if (!silent(said_, node))
      log_->warn("worker node {} does not answer the coordinator{}", policy::to_string(node), disable_plan());
  for (const auto& node : said_.unreachable)
    if (!silent(h, node) && !disabled_.erase(node))
      log_->info("worker node {} answers the coordinator again", policy::to_string(node));
  std::vector<runtime::blocking_node> blocking;
  for (const auto& b : h.blocking) {
    blocking.push_back({policy::to_string(b.node), b.only_placements, b.why});
    if (!blocks(said_, b.node))
      log_->warn("worker node {} does not answer and blocks every add: {}; start its database again",
                 policy::to_string(b.node), b.why);
  }
  for (const auto& b : said_.blocking)
    if (!blocks(h, b.node))
      log_->info("worker node {} no longer blocks adds", policy::to_string(b.node));
  std::vector<runtime::departed_node> departed;
  for (const auto& d : h.departed) {
    departed.push_back({policy::to_string(d.node), d.shards});
    if (std::ranges::find(said_.departed, d) == said_.departed.end())
      log_->error("{}", runtime::departed_reason(policy::to_string(d.node), d.shards));
  }
  for (const auto& d : said_.departed)
    if (std::ranges::find(h.departed, d.node, &policy::node_health::departed_node::node) == h.departed.end())
      log_->info("worker node {} no longer holds shards that are served nowhere else", policy::to_string(d.node));
  said_ = h;
  metrics_.citus_departed.set(std::move(departed));
  metrics_.citus_unreachable_nodes = static_cast<std::int64_t>(h.unreachable.size());
  metrics_.citus_disabled_nodes = static_cast<std::int64_t>(h.disabled);
  metrics_.citus_blocking.set(std::move(blocking));
}

void citus_reports::disabled(const citus_node& node) {
  log_->warn("disabled worker node {}, which does not answer: its row and placements stay, and it is activated once it "
             "is wanted and answers again",
             policy::to_string(node));
  disabled_.insert(node);
}

void citus_reports::say(const machine::disable_refused& r) {
  log_->warn("cannot disable worker node {}, which does not answer: {}", policy::to_string(r.node), r.why);
}

void citus_reports::say(const machine::kept& k) {
  if (k.only_copies == 0) // (one whose shards are served nowhere else is said by its health)
    log_->warn("worker node {} is no longer wanted but stays: {}", policy::to_string(k.node), k.why);
}

void citus_reports::say(const machine::remove_refused& r) {
  log_->warn("cannot remove worker node {}, which is no longer wanted ({}); retrying in {} ms",
             policy::to_string(r.node), r.why,
             std::chrono::duration_cast<std::chrono::milliseconds>(r.retry_in).count());
}

void citus_reports::say(const machine::missing_placements& m) {
  std::vector<runtime::missing_node> missing;
  for (const auto& node : m.nodes) {
    const auto name = policy::to_string(node.node);
    missing.push_back({name, node.missing, node.shards});
    if (std::ranges::find(said_missing_, node) == said_missing_.end())
      log_->error("{}", runtime::missing_reason(name, node.missing, node.shards));
  }
  for (const auto& said : said_missing_)
    if (std::ranges::find(m.nodes, said.node, &policy::placement_audit::missing_node::node) == m.nodes.end())
      log_->info("worker node {} has its shard tables again", policy::to_string(said.node));
  said_missing_ = m.nodes;
  metrics_.citus_missing.set(std::move(missing));
}

std::string citus_reports::disable_plan() const {
  if (!disable_after_)
    return "";
  return "; if it is no longer wanted, it is disabled after " + config::format_duration(*disable_after_)
         + " unless it holds the only placement of a shard";
}

} // namespace wlg::actors
