#include "config/role_selection.hpp"

namespace wlg::config {

bool runs_in(actor_role role, const settings& config) {
  switch (role) {
    case actor_role::event_subscriber: return !config.once;
    case actor_role::api_poller: return config.source == event_source::cloud;
    case actor_role::engine_poller: return config.source == event_source::engine;
    case actor_role::swarm_poller: return config.source == event_source::swarm;
    case actor_role::state_reconciler: return true;
    case actor_role::file_writer:
    case actor_role::docker_restarter: return config.target == output_target::file;
    case actor_role::citus_membership: return config.target == output_target::citus;
  }
  return false;
}

std::string roles_running(const settings& config) {
  std::string names;
  for (std::size_t i = 0; i < actor_role_count; ++i)
    if (runs_in(static_cast<actor_role>(i), config))
      names += (names.empty() ? "" : ", ") + std::string{actor_role_names[i]};
  return names;
}

} // namespace wlg::config
