#pragma once

// What `dockercloud-workerlistgen scale SERVICE REPLICAS` does, decided:
// which replicas stay and which go (to be drained first). Compose removes
// its highest container numbers first, so the lowest-numbered ones stay;
// on Swarm the command makes the same choice happen by stopping the
// drained tasks just before it lowers the replicas (Swarm removes tasks
// that are not running first). Pure; tested in test/unit/scale_plan_test.cpp.

#include "protocol/scale_spec.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::policy {

struct scale_plan {
  std::vector<protocol::numbered_replica> keep;
  std::vector<protocol::numbered_replica> go; // drained, then removed
  bool grows = false;                         // more replicas than run now
};

scale_plan plan_scale(std::vector<protocol::numbered_replica> running, std::uint64_t replicas);

// The command that removes the drained containers, for Compose: the
// project's compose files when the containers name them.
std::string compose_scale_command(std::string_view project, const std::vector<std::string>& config_files,
                                  std::string_view service, std::uint64_t replicas);

} // namespace wlg::policy
