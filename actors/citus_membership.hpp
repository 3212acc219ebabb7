#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// The Citus output (--target=citus). On every apply it reads the
// coordinator's worker nodes from pg_dist_node and makes them equal to the
// set (policy/membership_plan.hpp): citus_add_node for a missing node,
// citus_remove_node for one no longer wanted that holds no shard placements.
// A failed add is retried for that node alone; a node with placements stays
// and is counted as stale. The connection (--coordinator) is made on the
// first apply and again after it is lost; until it is up an apply fails, so
// the reconciler retries with back-off. Under --dry-run the statements are
// printed, never run. With --once a failed add fails the run.
citus_membership_actor::behavior_type citus_membership(citus_membership_actor::pointer self, context_ptr ctx);

} // namespace wlg::actors
