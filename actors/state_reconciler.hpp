#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

struct reconciler_peers {
  fetcher_actor poller;
  output_actor output;
};

// Owns the desired worker set; its decisions are policy::sync_machine's,
// and this actor only carries them out: fetches from the poller, applies to
// the output, arms timers, and with --once quits (normally, or with a
// once_failed error) when the run is over. `reload_first`: the first sync has
// the consumer reload even if nothing changed, at start-up and after a restart
// of this actor, which cannot know whether its predecessor's last change
// reached the consumer.
state_reconciler_actor::behavior_type state_reconciler(state_reconciler_actor::pointer self, context_ptr ctx,
                                                       reconciler_peers peers, bool reload_first);

} // namespace wlg::actors
