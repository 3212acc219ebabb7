#pragma once

// What `dockercloud-workerlistgen scale` reads from and sends to the Engine
// API, pure: a worker service's replicas, by their number (Compose's
// com.docker.compose.container-number, a swarm task's slot), and the body
// that sets a swarm service's replicas.

#include "protocol/engine_api.hpp"
#include "protocol/parse_error.hpp"
#include "protocol/result.hpp"
#include "protocol/swarm_api.hpp"
#include "protocol/worker_name.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

// One running replica of the service: its number, and its worker name as
// the sidecar gives it (--worker-name), which is its node's name.
struct numbered_replica {
  std::uint64_t number = 0;
  std::string name;
  friend bool operator==(const numbered_replica&, const numbered_replica&) = default;
};

// The running containers of a Compose service, named by `naming`; one
// without a container number, or whose name is refused, is left out.
std::vector<numbered_replica> compose_replicas(const std::vector<engine_container>& containers,
                                               const worker_name_source& naming);

// The running tasks of a swarm service, named by `naming`.
std::vector<numbered_replica> swarm_replicas(const swarm_service& service, const std::vector<swarm_task>& tasks,
                                             const worker_name_source& naming, std::string_view stack);

// From GET /services/{id}: the version to update, and the service's spec
// with its replicas set to `replicas`, to POST to /services/{id}/update.
struct service_update {
  std::uint64_t version = 0;
  std::string spec;
};
result<service_update, parse_error> scaled_service_spec(std::string_view inspect_body, std::uint64_t replicas);

// POST: stops a container, giving it `seconds` before SIGKILL.
std::string container_stop_target(const std::string& version_prefix, std::string_view id, int seconds);

std::string service_inspect_target(const std::string& version_prefix, std::string_view id);
std::string service_update_target(const std::string& version_prefix, std::string_view id, std::uint64_t version);

} // namespace wlg::protocol
