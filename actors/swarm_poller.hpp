#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Swarm mode's poller: reads a swarm manager's Engine API for the running
// tasks of the services carrying the worker label (of the sidecar's stack,
// when one is set), and answers with their names by --worker-name, the former
// names of each task's slot and whether the tasks are still settling
// (protocol/swarm_api.hpp); or an error, never an empty set for a failure.
poller_actor::behavior_type swarm_poller(poller_actor::pointer self, context_ptr ctx);

} // namespace wlg::actors
