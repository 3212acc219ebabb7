#pragma once

#include "config/configuration.hpp"

#include <string>
#include <vector>

namespace wlg::app {

// `dockercloud-workerlistgen scale SERVICE REPLICAS`: scales the worker
// service in without losing a row. It lists the service's running replicas
// through the Engine API (DOCKER_HOST), drains the ones that go (the
// highest-numbered: policy/scale_plan), then on Swarm (--source=swarm) sets
// the service's replicas, having stopped the drained tasks' containers so
// that Swarm removes those; with Compose it prints the command to run. With
// more replicas than run, it only sets them (Swarm) or prints the command.
// --dry-run prints the plan and the drain's planned moves. Returns 0 done,
// 1 the engine or the coordinator failed, 2 bad arguments, 3 refused (no
// such service), or the drain's status.
int run_scale(const config::command_line& command, const std::vector<std::string>& secrets);

} // namespace wlg::app
