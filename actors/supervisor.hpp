#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Spawns the actors this configuration runs (actors/roles.hpp) and monitors
// them. One that dies is restarted on its own after a short, growing delay,
// and the peers that send to it are told its new handle.
// When one actor dies more than --max-restarts times within --restart-window,
// the supervisor gives up: it stops everything and ends with a gave_up error
// (the process exits 1). An exit message stops everything cleanly.
supervisor_actor::behavior_type supervisor(supervisor_actor::pointer self, context_ptr ctx);

} // namespace wlg::actors
