#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Engine mode's poller: lists the running containers carrying the worker
// label (in the sidecar's compose project, when one is set) through the
// Engine API and answers with their names, or an error (never an empty set
// for a failure).
poller_actor::behavior_type engine_poller(poller_actor::pointer self, context_ptr ctx);

} // namespace wlg::actors
