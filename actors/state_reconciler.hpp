#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

#include <atomic>
#include <cstdint>

namespace wlg::actors {

struct reconciler_peers {
  fetcher_actor poller;
  output_actor output;
};

// What the supervisor chose for this run's output, once.
struct reconciler_policy {
  // The first sync has the consumer reload even if nothing changed: at
  // start-up, and after a restart of this actor, which cannot know whether
  // its predecessor's last change reached the consumer.
  bool reload_first = false;
  // Apply every fetched set, even an unchanged one: the output's state can
  // be changed by others (the coordinator's nodes).
  bool apply_every_sync = false;
  // Where a sync the output already held is counted (the file output's
  // unchanged writes), if anywhere.
  std::atomic<std::uint64_t>* unchanged = nullptr;
};

// Owns the desired worker set; its decisions are policy::sync_machine's,
// and this actor only carries them out: fetches from the poller, applies to
// the output, arms timers, and with --once quits (normally, or with a
// once_failed error) when the run is over. Its poll timer asks for a resync
// every --poll-interval.
state_reconciler_actor::behavior_type state_reconciler(state_reconciler_actor::pointer self, context_ptr ctx,
                                                       reconciler_peers peers, reconciler_policy policy);

} // namespace wlg::actors
