#pragma once

// The `drain` and `undrain` commands' progress, as a pure machine run to its
// end by app/drain_command.cpp. No I/O, no clock; tested by simulation
// (test/unit/drain_machine_test.cpp).
//
// drain: read the worker nodes and find the ones named (unknown or ambiguous
// names, or draining every node that may hold shards, are refused before
// anything changes); set shouldhaveshards = false on each; then one drain job
// (citus_rebalance_start(drain_only)), followed to its end through
// background_job: a job that already runs (another drain, a sidecar's
// rebalance) is waited for first, so a second drain joins the first. It is
// done when no placement of a distributed table's shard is left on the
// nodes. With --dry-run it sets the property inside a transaction, reads the
// planned moves, and rolls back: nothing changes.
//
// undrain: set shouldhaveshards = true on each, and stop a running rebalance
// job, which was planned while the nodes were drained and would go on moving
// shards off them.
//
// Neither takes the sidecar's leader lock: they run beside a leader or a
// standby.

#include "policy/background_job.hpp"
#include "protocol/citus_rows.hpp"
#include "protocol/coordinator_problem.hpp"

#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wlg::policy {

class drain_machine {
public:
  enum class mode { drain, undrain };
  struct options {
    mode what = mode::drain;
    bool rehearse = false; // --dry-run
    duration follow_interval{std::chrono::seconds(1)};
    // A name pg_dist_node does not have is passed over rather than refused
    // (`scale`: a replica never registered holds nothing).
    bool pass_over_unknown = false;
  };

  // How the command ends: done; the coordinator could not be used or the job
  // failed; the request was refused before anything changed.
  static constexpr int done_status = 0;
  static constexpr int failed_status = 1;
  static constexpr int refused_status = 3;

  // --- commands --------------------------------------------------------------
  struct connect {};                              // then on_connected / on_connect_failed
  struct read_states {};                          // then on_states / on_read_refused
  struct begin {};                                // then on_done (the dry run's transaction)
  struct set_property { protocol::node_address node; bool should_have_shards = false; }; // then on_done / on_refused
  struct read_plan {};                            // then on_plan / on_refused
  struct roll_back {};                            // then on_done
  struct read_progress { std::vector<protocol::node_address> nodes; }; // then on_progress
  struct start_job {};                            // then on_started / on_busy / on_refused
  struct stop_job {};                             // then on_done / on_refused
  struct arm_follow { duration delay; };          // then on_follow
  // For the operator: the placements left on the nodes, of those there
  // were; said on each change.
  struct progress { std::int64_t left = 0; std::int64_t total = 0; };
  struct show_plan { std::vector<protocol::shard_move> moves; };
  struct finish { int status = done_status; std::string message; };
  using command = std::variant<connect, read_states, begin, set_property, read_plan, roll_back, read_progress,
                               start_job, stop_job, arm_follow, progress, show_plan, finish>;
  using commands = std::vector<command>;

  drain_machine(options opts, std::vector<protocol::node_spec> targets);

  commands start();
  commands on_connected();
  commands on_connect_failed(protocol::coordinator_problem problem, const std::string& why);
  commands on_states(const std::vector<protocol::node_state>& states);
  commands on_read_refused(protocol::coordinator_problem problem, const std::string& why);
  // The statement under way went through, or Citus refused it (why).
  commands on_done();
  commands on_refused(const std::string& why);
  commands on_plan(std::vector<protocol::shard_move> moves);
  commands on_progress(const protocol::drain_progress_row& row);
  commands on_started(std::optional<std::int64_t> job);
  // Citus would not start the job because another runs.
  commands on_busy();
  commands on_follow();
  // The connection broke during the step under way.
  commands on_lost(const std::string& why);

  bool done() const noexcept { return at_ == stage::done; }
  // The nodes named, as pg_dist_node has them (once read).
  const std::vector<protocol::node_address>& nodes() const noexcept { return nodes_; }

private:
  enum class stage { idle, connecting, reading, stepping, planning, job, undrain_job, done };

  // From stage `from` (else nothing) to `to`, asking for `next`.
  commands advance(stage from, stage to, command next);
  // Finds the named nodes; why not, when one is unknown or ambiguous.
  std::optional<std::string> resolve(const std::vector<protocol::node_state>& states);
  // The queued statements, one at a time; then what follows them.
  void next_step(commands& out);
  void after_steps(commands& out);
  void carry_job(commands& out, background_job::commands job);
  // The job's answer to a report (the job ignores answers out of turn).
  commands job_said(background_job::commands job);
  void end(commands& out, int status, std::string message);
  std::string named() const;

  options options_;
  std::vector<protocol::node_spec> targets_;
  std::vector<protocol::node_address> nodes_;
  std::deque<command> steps_;
  stage at_ = stage::idle;
  background_job job_;
  std::int64_t total_ = 0;
  std::optional<std::int64_t> left_;
  std::string job_failure_; // Citus's reason, from the last progress read
  std::vector<protocol::shard_move> moves_;
};

} // namespace wlg::policy
