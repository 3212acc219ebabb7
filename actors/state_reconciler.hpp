#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

struct reconciler_peers {
  api_poller_actor poller;
  file_writer_actor writer;
  docker_restarter_actor restarter;
};

// Owns the desired worker set. Relevant events and resyncs become fetches
// (at most one in flight, later requests coalesced into one follow-up); a
// fetched set that differs from the file goes to the writer; a file whose
// bytes changed is followed by a signal. A failed fetch leaves the file as it
// is and is retried with back-off. `signal_after_first_sync` makes the first
// successful sync signal even if the file did not change: at start-up, and
// after a restart of this actor, which cannot know whether its predecessor's
// last change was signalled.
state_reconciler_actor::behavior_type state_reconciler(state_reconciler_actor::pointer self,
                                                       context_ptr ctx, reconciler_peers peers,
                                                       bool signal_after_first_sync);

} // namespace wlg::actors
