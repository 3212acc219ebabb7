#include "policy/node_status_machine.hpp"

#include <algorithm>

namespace wlg::policy {

node_status_machine::commands node_status_machine::step(stage from, stage to, command next) {
  if (at_ != from)
    return {};
  at_ = to;
  commands out;
  out.emplace_back(std::move(next));
  return out;
}

node_status_machine::commands node_status_machine::start() {
  return step(stage::idle, stage::connecting, connect{});
}

node_status_machine::commands node_status_machine::on_connected() {
  return step(stage::connecting, stage::reading, read_states{});
}

node_status_machine::commands node_status_machine::on_connect_failed(protocol::coordinator_problem problem,
                                                                     const std::string& why) {
  return step(stage::connecting, stage::done, fail{problem, why});
}

node_status_machine::commands node_status_machine::on_states(std::vector<protocol::node_state> states) {
  if (at_ != stage::reading)
    return {};
  nodes_.clear();
  for (auto& state : states)
    nodes_.push_back({std::move(state), std::nullopt});
  if (nodes_.empty())
    return step(stage::reading, stage::done, show{});
  probe ask;
  for (const auto& node : nodes_)
    ask.nodes.push_back(node.state.node);
  return step(stage::reading, stage::probing, std::move(ask));
}

node_status_machine::commands node_status_machine::on_read_refused(protocol::coordinator_problem problem,
                                                                   const std::string& why) {
  return step(stage::reading, stage::done, fail{problem, why});
}

node_status_machine::commands node_status_machine::on_probed(const std::vector<protocol::node_probe>& probes) {
  if (at_ != stage::probing)
    return {};
  for (auto& node : nodes_) {
    const auto found = std::ranges::find(probes, node.state.node, &protocol::node_probe::node);
    if (found != probes.end())
      node.answers = found->answers;
  }
  return step(stage::probing, stage::done, show{std::move(nodes_)});
}

node_status_machine::commands node_status_machine::on_probe_refused() {
  return step(stage::probing, stage::done, show{std::move(nodes_)});
}

node_status_machine::commands node_status_machine::on_lost(const std::string& why) {
  return step(at_ == stage::probing ? stage::probing : stage::reading, stage::done,
              fail{protocol::coordinator_problem::unreachable, "lost the coordinator: " + why});
}

} // namespace wlg::policy
