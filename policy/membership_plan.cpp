#include "policy/membership_plan.hpp"

#include <algorithm>

namespace wlg::policy {

std::string to_string(const citus_node& node) {
  return node.name + ":" + std::to_string(node.port);
}

membership_plan::membership_plan(options opts) : options_(opts) {}

std::vector<citus_node> membership_plan::to_probe(const std::set<citus_node>& wanted,
                                                  const std::set<citus_node>& present,
                                                  const std::set<citus_node>& inactive) {
  std::vector<citus_node> out;
  for (const auto& node : present)
    if (wanted.count(node) == inactive.count(node))
      out.push_back(node); // wanted and disabled, or not wanted and active
  return out;
}

void membership_plan::on_probed(const std::vector<probe_result>& results, time_point now) {
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
  if (recovered)
    retry_now(now);
  watch_due_.reset();
  if (!unreachable_.empty())
    watch_due_ = now + options_.watch_interval;
}

membership_plan::changes membership_plan::plan(const std::set<citus_node>& wanted,
                                               const std::set<citus_node>& present, time_point now,
                                               const successions& formers, const std::set<citus_node>& inactive) {
  changes out;
  std::set<citus_node> taken_over; // registered, unwanted, replaced by a wanted node
  // The registered node a missing wanted one replaces, if any.
  const auto predecessor = [&](const citus_node& node) -> const citus_node* {
    const auto it = formers.find(node);
    if (it == formers.end())
      return nullptr;
    for (const auto& former : it->second)
      if (present.count(former) && !wanted.count(former) && !taken_over.count(former))
        return &former;
    return nullptr;
  };
  for (const auto& node : wanted) {
    if (present.count(node) && !inactive.count(node)) {
      retries_.erase(node);
      continue;
    }
    if (present.count(node)) { // disabled: activated once it answers
      if (unreachable_.count(node))
        continue;
      const auto retry = retries_.find(node);
      if (retry != retries_.end() && retry->second.due > now)
        out.waiting.push_back(node);
      else
        out.activate.push_back(node);
      continue;
    }
    const auto* from = predecessor(node);
    if (from)
      taken_over.insert(*from);
    auto retry = retries_.find(node);
    if (retry != retries_.end() && retry->second.due > now)
      out.waiting.push_back(node);
    else if (from)
      out.update.push_back({*from, node});
    else
      out.add.push_back(node);
  }
  // Forget what is no longer wanted, or no longer there.
  std::erase_if(retries_, [&](const auto& entry) { return !wanted.count(entry.first); });
  std::erase_if(stale_, [&](const citus_node& node) {
    return wanted.count(node) || !present.count(node) || taken_over.count(node);
  });
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
      out.disable.push_back(node);
  }
  if (options_.remove_unwanted)
    for (const auto& node : present)
      if (!wanted.count(node) && !taken_over.count(node))
        out.remove.push_back(node);
  return out;
}

void membership_plan::on_added(const citus_node& node) {
  retries_.erase(node);
}

time_point membership_plan::on_add_failed(const citus_node& node, time_point now) {
  auto it = retries_.find(node);
  if (it == retries_.end())
    it = retries_.emplace(node, retry{backoff{options_.retry_initial, options_.retry_max, options_.seed + ++seeds_}, now})
           .first;
  it->second.due = now + it->second.wait.next();
  return it->second.due;
}

void membership_plan::on_removed(const citus_node& node) {
  stale_.erase(node);
}

bool membership_plan::on_kept(const citus_node& node) {
  return stale_.insert(node).second;
}

std::vector<citus_node> membership_plan::unreachable() const {
  std::vector<citus_node> out;
  for (const auto& [node, quiet] : unreachable_)
    out.push_back(node);
  return out;
}

void membership_plan::on_disabled(const citus_node& node) {
  unreachable_.erase(node);
}

void membership_plan::on_disable_refused(const citus_node& node, const std::string& why, time_point now) {
  const auto it = unreachable_.find(node);
  if (it == unreachable_.end())
    return;
  it->second.refused = why;
  it->second.disable_due = now + options_.retry_max;
}

void membership_plan::retry_now(time_point now) {
  for (auto& [node, r] : retries_)
    r.due = std::min(r.due, now);
}

std::optional<time_point> membership_plan::next_retry() const {
  std::optional<time_point> earliest = watch_due_;
  const auto consider = [&](time_point due) {
    if (!earliest || due < *earliest)
      earliest = due;
  };
  for (const auto& [node, r] : retries_)
    consider(r.due);
  return earliest; // (a disable falls due while its node is watched)
}

} // namespace wlg::policy
