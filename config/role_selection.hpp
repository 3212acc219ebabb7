#pragma once

// Which of the supervised actors run with these settings: one poller per
// source, one output per target, and no event stream with --once. The
// supervisor spawns by it; the configuration refuses a fault injected into an
// actor that would not run.

#include "config/actor_role.hpp"
#include "config/settings.hpp"

#include <string>

namespace wlg::config {

bool runs_in(actor_role role, const settings& config);

// "event_subscriber, engine_poller, ...": the actors that run, for messages.
std::string roles_running(const settings& config);

} // namespace wlg::config
