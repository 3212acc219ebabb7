#include "policy/node_health.hpp"

namespace wlg::policy {

node_health::node_health(options opts) : options_(opts) {}

std::vector<citus_node> node_health::to_probe(const std::set<citus_node>& wanted, const std::set<citus_node>& present,
                                              const std::set<citus_node>& inactive) {
  std::vector<citus_node> out;
  for (const auto& node : present)
    if (wanted.count(node) == inactive.count(node))
      out.push_back(node); // wanted and disabled, or not wanted and active
  return out;
}

bool node_health::on_probed(const std::vector<probe_result>& results, time_point now) {
  bool recovered = false;
  std::map<citus_node, silence> still;
  for (const auto& probe : results) {
    const auto known = unreachable_.find(probe.node);
    if (probe.answers) {
      recovered = recovered || known != unreachable_.end();
      continue;
    }
    auto entry = known != unreachable_.end() ? known->second
                                             : silence{now, now + options_.disable_after.value_or(duration::zero()), 0, {}};
    entry.only_placements = probe.only_placements;
    still.emplace(probe.node, std::move(entry));
  }
  unreachable_ = std::move(still);
  watch_due_.reset();
  if (!unreachable_.empty())
    watch_due_ = now + options_.watch_interval;
  return recovered;
}

std::vector<citus_node> node_health::plan(const std::set<citus_node>& wanted, const std::set<citus_node>& present,
                                          const std::set<citus_node>& inactive, const std::set<citus_node>& taken_over,
                                          time_point now) {
  std::vector<citus_node> disable;
  std::erase_if(unreachable_, [&](const auto& entry) { return !present.count(entry.first); });
  blocking_.clear();
  for (const auto& [node, quiet] : unreachable_) {
    if (wanted.count(node) || inactive.count(node) || taken_over.count(node))
      continue;
    if (!options_.disable_after)
      blocking_.push_back({node, quiet.only_placements, "disabling is off (--disable-unreachable-after=never)"});
    else if (quiet.only_placements > 0)
      blocking_.push_back({node, quiet.only_placements,
                           "it holds the only placement of " + std::to_string(quiet.only_placements)
                             + " shard(s), so Citus cannot disable it"});
    else if (!quiet.refused.empty())
      blocking_.push_back({node, 0, "Citus refused to disable it: " + quiet.refused});
    if (options_.disable_after && quiet.only_placements == 0 && quiet.disable_due <= now)
      disable.push_back(node);
  }
  // A refusal is said again if its node answers and later goes silent again.
  std::erase_if(told_refusals_, [&](const auto& told) { return !is_unreachable(told.first); });
  return disable;
}

std::vector<citus_node> node_health::unreachable() const {
  std::vector<citus_node> out;
  for (const auto& [node, quiet] : unreachable_)
    out.push_back(node);
  return out;
}

void node_health::on_disabled(const citus_node& node) {
  unreachable_.erase(node);
}

bool node_health::on_disable_refused(const citus_node& node, const std::string& why, time_point now) {
  if (const auto it = unreachable_.find(node); it != unreachable_.end()) {
    it->second.refused = why;
    it->second.disable_due = now + options_.refused_retry;
  }
  return told_refusals_.emplace(node, why).second;
}

std::optional<node_health::report> node_health::changed_report(std::size_t disabled,
                                                               std::vector<departed_node> departed) {
  report now{unreachable(), disabled, blocking_, std::move(departed)};
  if (told_ == now)
    return std::nullopt;
  told_ = now;
  return now;
}

} // namespace wlg::policy
