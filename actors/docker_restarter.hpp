#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"
#include "policy/signal_machine.hpp"

namespace wlg::actors {

// Sends the configured signal to every running container labelled
// com.docker.compose.project=$DOCKERCLOUD_STACK_NAME and
// com.docker.compose.service=$CITUS_SERVICE_NAME, through the Docker Engine
// API on the unix socket (the version negotiated through /version first).
// When to list, signal, retry and answer is policy::signal_machine's
// decision: a request is answered once the signal went out, failures are
// retried with back-off meanwhile, and a container that vanished or stopped
// between the list and the signal is not an error.
docker_restarter_actor::behavior_type docker_restarter(docker_restarter_actor::pointer self, context_ptr ctx,
                                                       policy::signal_machine::options options);

} // namespace wlg::actors
