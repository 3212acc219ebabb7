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
      if (backing_off(retries_, node, now))
        out.waiting.push_back(node);
      else
        out.activate.push_back(node);
      continue;
    }
    const auto* from = predecessor(node);
    if (from)
      taken_over.insert(*from);
    if (backing_off(retries_, node, now))
      out.waiting.push_back(node);
    else if (from)
      out.update.push_back({*from, node});
    else
      out.add.push_back(node);
  }
  // Forget what is no longer wanted, or no longer there.
  std::erase_if(retries_, [&](const auto& entry) { return !wanted.count(entry.first); });
  const auto gone_or_wanted = [&](const auto& entry) {
    const auto& node = entry.first;
    return wanted.count(node) || !present.count(node) || taken_over.count(node);
  };
  std::erase_if(stale_, gone_or_wanted);
  std::erase_if(removal_retries_, gone_or_wanted);
  // Citus sends a removal to every other active node: while one of them is
  // known not to answer, the removal would wait out the connection timeout
  // and fail. It waits instead, counted as stale, until that one is disabled.
  const auto another_silent = [&](const citus_node& node) {
    return std::ranges::any_of(silent, [&](const citus_node& other) {
      return other != node && present.count(other) && !inactive.count(other);
    });
  };
  if (options_.remove_unwanted)
    for (const auto& node : present) {
      if (wanted.count(node) || taken_over.count(node))
        continue;
      if (another_silent(node)) {
        stale_.try_emplace(node, 0);
        out.removal_waiting.push_back(node);
      } else if (backing_off(removal_retries_, node, now))
        out.removal_waiting.push_back(node);
      else
        out.remove.push_back(node);
    }
  return out;
}

void membership_plan::on_added(const citus_node& node) {
  retries_.erase(node);
}

bool membership_plan::backing_off(const std::map<citus_node, retry>& retries, const citus_node& node, time_point now) {
  const auto it = retries.find(node);
  return it != retries.end() && it->second.due > now;
}

time_point membership_plan::failed(std::map<citus_node, retry>& retries, const citus_node& node, time_point now) {
  auto it = retries.find(node);
  if (it == retries.end())
    it = retries.emplace(node, retry{backoff{options_.retry_initial, options_.retry_max, options_.seed + ++seeds_}, now})
           .first;
  it->second.due = now + it->second.wait.next();
  return it->second.due;
}

time_point membership_plan::on_add_failed(const citus_node& node, time_point now) {
  return failed(retries_, node, now);
}

void membership_plan::on_removed(const citus_node& node) {
  stale_.erase(node);
  removal_retries_.erase(node);
}

time_point membership_plan::on_remove_failed(const citus_node& node, time_point now) {
  stale_.try_emplace(node, 0);
  return failed(removal_retries_, node, now);
}

void membership_plan::restart_removals(time_point now) {
  for (auto& [node, r] : removal_retries_) {
    r.wait.reset();
    r.due = std::min(r.due, now);
  }
}

bool membership_plan::on_kept(const citus_node& node, std::int64_t only_copies) {
  removal_retries_.erase(node); // it holds placements: tried again on each pass, as a drain may have moved them
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
  for (auto* retries : {&retries_, &removal_retries_})
    for (auto& [node, r] : *retries)
      r.due = std::min(r.due, now);
}

std::optional<time_point> membership_plan::next_retry() const {
  std::optional<time_point> earliest;
  const auto consider = [&](time_point due) {
    if (!earliest || due < *earliest)
      earliest = due;
  };
  for (const auto* retries : {&retries_, &removal_retries_})
    for (const auto& [node, r] : *retries)
      consider(r.due);
  return earliest;
}

} // namespace wlg::policy
