#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Holds the event stream (Docker Cloud's WebSocket, or in engine mode the
// engine's GET /events; actors/event_feeds.hpp): judges each frame, passes
// relevant events to the reconciler, asks it for a full resync on every
// (re)connect (events sent while disconnected are lost), and reconnects with
// back-off and jitter; a 401 on the upgrade waits the slower auth-retry time.
event_subscriber_actor::behavior_type event_subscriber(event_subscriber_actor::pointer self,
                                                       context_ptr ctx,
                                                       reconciler_actor reconciler);

} // namespace wlg::actors
