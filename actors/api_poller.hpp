#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Fetches <rest host><DOCKERCLOUD_CONTAINER_API_URI> over one kept-alive
// connection and answers with the valid linked worker names, or a typed error
// (never an empty set for a failure).
poller_actor::behavior_type api_poller(poller_actor::pointer self, context_ptr ctx);

} // namespace wlg::actors
