#include "policy/placement_audit.hpp"

#include <algorithm>

namespace wlg::policy {

void placement_audit::on_containers(const std::map<citus_node, std::string>& containers, time_point now) {
  for (const auto& [node, id] : containers) {
    if (id.empty())
      continue;
    auto [known, first] = containers_.try_emplace(node, id);
    if (first || known->second == id)
      continue;
    known->second = id;
    due_[node] = now;
  }
}

void placement_audit::on_replaced(const citus_node& node, time_point now) { due_[node] = now; }

void placement_audit::on_registered(const std::set<citus_node>& present, const std::set<citus_node>& wanted) {
  std::erase_if(containers_, [&](const auto& c) { return !present.contains(c.first) && !wanted.contains(c.first); });
  std::erase_if(due_, [&](const auto& d) { return !present.contains(d.first); });
  std::erase_if(missing_, [&](const auto& m) { return !present.contains(m.first); });
}

std::vector<citus_node> placement_audit::due(const std::set<citus_node>& present, time_point now) const {
  std::vector<citus_node> out;
  for (const auto& [node, when] : due_)
    if (when <= now && present.contains(node))
      out.push_back(node);
  return out;
}

bool placement_audit::on_checked(const std::vector<citus_node>& asked, const std::vector<check_result>& results,
                                 time_point now) {
  const auto before = missing();
  for (const auto& node : asked) {
    const auto result = std::ranges::find(results, node, &check_result::node);
    if (result == results.end() || (result->reached && result->missing == 0)) {
      due_.erase(node); // whole, or no placement on it
      missing_.erase(node);
      continue;
    }
    due_[node] = now + options_.interval;
    if (result->reached) // (not reached: what was found before stands)
      missing_[node] = {node, result->missing, result->shards};
  }
  return missing() != before;
}

void placement_audit::on_check_refused(const std::vector<citus_node>& asked, time_point now) {
  for (const auto& node : asked)
    due_[node] = now + options_.interval;
}

std::optional<time_point> placement_audit::next_due(const std::set<citus_node>& nodes) const {
  std::optional<time_point> out;
  for (const auto& [node, when] : due_)
    if (nodes.contains(node) && (!out || when < *out))
      out = when;
  return out;
}

placement_audit::report placement_audit::missing() const {
  report out;
  for (const auto& [node, m] : missing_)
    out.push_back(m);
  return out;
}

} // namespace wlg::policy
