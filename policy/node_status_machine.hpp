#pragma once

// The `status` command's progress, as a pure machine run to its end by
// app/status_command.cpp: connect, read the coordinator's worker nodes with
// their state, ask the coordinator whether it reaches each, then show them.
// No I/O, no clock; tested by simulation (test/unit/node_status_machine_test.cpp).
//
// Nothing is changed and no lock is taken, so it runs beside a leading
// sidecar or a standby alike. A coordinator that cannot be used ends it with
// the problem named; a probe the coordinator refuses (a Citus without
// citus_check_connection_to_node) leaves each node's answer unknown.

#include "protocol/coordinator_problem.hpp"
#include "protocol/node_status_text.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wlg::policy {

using protocol::node_status;

class node_status_machine {
public:
  // --- commands --------------------------------------------------------------
  struct connect {};                                     // then on_connected / on_connect_failed
  struct read_states {};                                 // then on_states / on_read_refused / on_lost
  struct probe { std::vector<protocol::node_address> nodes; }; // then on_probed / on_probe_refused / on_lost
  struct show { std::vector<node_status> nodes; };       // the end: exit 0
  struct fail { protocol::coordinator_problem problem; std::string why; }; // the end: exit 1
  using command = std::variant<connect, read_states, probe, show, fail>;
  using commands = std::vector<command>;

  commands start();
  commands on_connected();
  commands on_connect_failed(protocol::coordinator_problem problem, const std::string& why);
  commands on_states(std::vector<protocol::node_state> states);
  // Reading failed, the connection is fine (no Citus extension).
  commands on_read_refused(protocol::coordinator_problem problem, const std::string& why);
  commands on_probed(const std::vector<protocol::node_probe>& probes);
  commands on_probe_refused();
  // The connection broke during the step under way.
  commands on_lost(const std::string& why);

  bool done() const noexcept { return at_ == stage::done; }

private:
  enum class stage { idle, connecting, reading, probing, done };

  // From stage `from` (else nothing) to `to`, asking for `next`.
  commands step(stage from, stage to, command next);

  stage at_ = stage::idle;
  std::vector<node_status> nodes_;
};

} // namespace wlg::policy
