#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"
#include "policy/citus_output_machine.hpp"

namespace wlg::actors {

// The Citus output (--target=citus): keeps the coordinator's worker nodes
// (pg_dist_node) equal to the set. Its decisions are
// policy::citus_output_machine's (which nodes to add or remove, retries,
// --once and --dry-run, chosen by the supervisor in `options`); this actor
// carries them out over one libpq connection driven by the I/O thread
// (--coordinator), made on the first apply and again after it is lost. Until
// it is up an apply fails, so the reconciler retries with back-off.
citus_membership_actor::behavior_type citus_membership(citus_membership_actor::pointer self, context_ptr ctx,
                                                       policy::citus_output_machine::options options);

} // namespace wlg::actors
