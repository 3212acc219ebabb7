#pragma once

// What the Citus output machine tells the operator, carried out for the
// citus_membership actor: one log line per change of state, and the metrics
// that /healthz and /metrics read. No I/O but the log.

#include "config/settings.hpp"
#include "policy/citus_output_machine.hpp"
#include "runtime/metrics.hpp"

#include <spdlog/logger.h>

#include <memory>
#include <set>

namespace wlg::actors {

class citus_reports {
public:
  using machine = policy::citus_output_machine;

  citus_reports(std::shared_ptr<spdlog::logger> log, runtime::metrics& metrics,
                std::optional<config::settings::duration> disable_after)
    : log_(std::move(log)), metrics_(metrics), disable_after_(disable_after) {}

  void say(const machine::rebalance_state& r);
  void say(const machine::unreachable& u);
  void say(const machine::usable&);
  void say(const machine::role& r);
  void say(const machine::add_refused& r);
  // Each node that went silent, answers again, starts or stops blocking is
  // said once, against the health said before.
  void say(const machine::nodes_health& h);
  void say(const machine::disable_refused& r);
  void say(const machine::kept& k);
  void say(const machine::remove_refused& r);
  // Each node found missing shard tables (or a different number of them) is
  // said once, as an error; each found whole again, once.
  void say(const machine::missing_placements& m);
  // The node was disabled: said, and not said to answer again when it
  // leaves the probed nodes (a disabled node not wanted is not probed).
  void disabled(const policy::citus_node& node);

private:
  // What happens to a node not wanted that does not answer.
  std::string disable_plan() const;

  std::shared_ptr<spdlog::logger> log_;
  runtime::metrics& metrics_;
  std::optional<config::settings::duration> disable_after_;
  machine::nodes_health said_; // the nodes' health last said
  std::set<policy::citus_node> disabled_; // said to be disabled, not yet out of the unreachable ones
  policy::placement_audit::report said_missing_;
};

} // namespace wlg::actors
