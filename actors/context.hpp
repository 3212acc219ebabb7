#pragma once

// What every actor is spawned with: the settings and the process-wide
// services. Shared, read-only apart from the counters.

#include "config/settings.hpp"

#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}
namespace wlg::net {
class read_gate;
class tls_client_context;
} // namespace wlg::net
namespace wlg::runtime {
struct metrics;
class fault_plan;
class ready_file;
} // namespace wlg::runtime

namespace wlg::actors {

struct context {
  config::settings config;
  boost::asio::io_context* io = nullptr;
  std::shared_ptr<net::tls_client_context> tls;
  runtime::metrics* metrics = nullptr;
  runtime::fault_plan* faults = nullptr;
  runtime::ready_file* ready = nullptr; // none: no --ready-file, or a dry run
  // Closed by the reconciler while the first sync after a pause is under way;
  // the event streams' reads wait for it (net/read_gate.hpp). None: they
  // never wait.
  std::shared_ptr<net::read_gate> read_gate;
  std::string user_agent;
  // The file writer's fsync blocks a thread: it gets one of its own. The
  // actor tests turn this off to keep every actor on the deterministic
  // scheduler.
  bool detach_blocking_actors = true;
};

using context_ptr = std::shared_ptr<const context>;

} // namespace wlg::actors
