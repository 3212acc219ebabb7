#pragma once

// Which compose project (engine) or stack (swarm) to watch when none is set:
// the one of the container this process runs in, as membership-manager finds
// it, so that a sidecar in a compose file never adds another project's
// workers. HOSTNAME names that container by its id.

#include "config/settings.hpp"
#include "protocol/result.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace wlg::app {

struct own_project {
  std::string name;      // empty: not in a labelled container of this engine
  std::string container; // the container found, when one was
};

// Asks the engine for the container HOSTNAME names, retrying with back-off
// while the engine cannot be reached, for up to `patience`. A HOSTNAME that is
// not a container id asks nothing.
result<own_project, std::string> find_own_project(const config::settings& config, std::string_view hostname,
                                                  std::chrono::milliseconds patience);

// With the engine or swarm source and no DOCKERCLOUD_STACK_NAME: takes the
// project of the container HOSTNAME names into `config`, and logs what will
// be watched. An error when the engine stayed out of reach for `patience`.
std::optional<std::string> adopt_own_project(config::settings& config, std::chrono::milliseconds patience);

// The label that names a container's project for this source.
const char* project_label(config::event_source source);

} // namespace wlg::app
