#include "policy/membership_plan.hpp"

#include <algorithm>

namespace wlg::policy {

membership_plan::membership_plan(options opts) : options_(opts) {}

membership_plan::changes membership_plan::plan(const std::set<citus_node>& wanted,
                                               const std::set<citus_node>& present, time_point now,
                                               const successions& formers, const std::set<citus_node>& inactive,
                                               const std::set<citus_node>& silent) {
  changes out;
  auto& taken_over = out.taken_over;
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
      if (silent.count(node))
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
  std::erase_if(stale_, [&](const auto& entry) {
    const auto& node = entry.first;
    return wanted.count(node) || !present.count(node) || taken_over.count(node);
  });
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

bool membership_plan::on_kept(const citus_node& node, std::int64_t only_copies) {
  const bool first = !stale_.count(node);
  stale_[node] = only_copies;
  return first;
}

std::vector<std::pair<citus_node, std::int64_t>> membership_plan::departed() const {
  std::vector<std::pair<citus_node, std::int64_t>> out;
  for (const auto& [node, only_copies] : stale_)
    if (only_copies > 0)
      out.emplace_back(node, only_copies);
  return out;
}

void membership_plan::retry_now(time_point now) {
  for (auto& [node, r] : retries_)
    r.due = std::min(r.due, now);
}

std::optional<time_point> membership_plan::next_retry() const {
  std::optional<time_point> earliest;
  const auto consider = [&](time_point due) {
    if (!earliest || due < *earliest)
      earliest = due;
  };
  for (const auto& [node, r] : retries_)
    consider(r.due);
  return earliest;
}

} // namespace wlg::policy
