#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Sends the configured signal to every running container labelled
// com.docker.compose.project=$DOCKERCLOUD_STACK_NAME and
// com.docker.compose.service=$CITUS_SERVICE_NAME, through the Docker Engine
// API on the unix socket. Negotiates the API version through /version first.
// A request is answered once the signal went out; failures are retried with
// back-off meanwhile. A container that vanished or stopped between the list
// and the kill is not an error.
struct signal_options {
  bool once = false;     // the first failure is answered with an error, not retried
  bool rehearse = false; // --dry-run: list the master's containers and print them, signal none
};

signal_options signal_options_of(const config::settings& config);

docker_restarter_actor::behavior_type docker_restarter(docker_restarter_actor::pointer self, context_ptr ctx,
                                                       signal_options options);

} // namespace wlg::actors
