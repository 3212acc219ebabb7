#pragma once

// The pollers' safety net against lost events: a tick every --poll-interval
// (none with --once or an interval of 0) that asks the reconciler to resync.

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

inline void schedule_poll(api_poller_actor::pointer self, const context& ctx) {
  if (ctx.config.poll_interval.count() > 0 && !ctx.config.once)
    self->delayed_send(self, ctx.config.poll_interval, internal_atom::value, tick_atom::value);
}

inline void poll_now(api_poller_actor::pointer self, const context& ctx, const reconciler_actor& reconciler) {
  if (reconciler)
    caf::anon_send(reconciler, resync_atom::value, sync_request{sync_reason::poll_timer, false});
  schedule_poll(self, ctx);
}

} // namespace wlg::actors
