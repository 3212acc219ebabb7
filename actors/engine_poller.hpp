#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Engine mode's api_poller: lists the running containers carrying the worker
// label (in the sidecar's compose project, when one is set) through the
// Engine API and answers with their names, or an error (never an empty set
// for a failure). Also asks for a resync on the poll timer.
api_poller_actor::behavior_type engine_poller(api_poller_actor::pointer self, context_ptr ctx,
                                              reconciler_actor reconciler);

} // namespace wlg::actors
