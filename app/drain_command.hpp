#pragma once

#include "config/configuration.hpp"
#include "protocol/node_address.hpp"

#include <string>
#include <vector>

namespace wlg::app {

// `dockercloud-workerlistgen drain NODE...` and `undrain NODE...`: runs
// policy::drain_machine to its end over one libpq connection to
// --coordinator. Progress and the result go to stdout (on a terminal, one
// progress line rewritten in place); a failure is one line on stderr, with
// every one of `secrets` taken out. Returns drain_machine's status: 0 done,
// 1 the coordinator could not be used or the job failed, 3 refused before
// anything changed; 2 for a NODE that cannot be a node's name.
int run_drain(const config::command_line& command, const std::vector<std::string>& secrets);

// The same for nodes already parsed: `scale`'s drain, which passes over
// names that pg_dist_node does not have.
int drain_nodes(const config::settings& config, std::vector<protocol::node_spec> targets,
                const std::vector<std::string>& secrets, bool pass_over_unknown);

} // namespace wlg::app
