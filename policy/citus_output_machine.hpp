#pragma once

// The Citus output's progress, as a pure machine beside sync_machine: inputs
// are applies and the outcomes of the steps it asked for; outputs are
// commands for the actor shell (actors/citus_membership.cpp) to carry out.
// No I/O, no clock (time comes in as an argument), no CAF: tested by
// simulation (test/unit/citus_output_machine_test.cpp).
//
// It composes four pure parts, each with its own simulations:
// - leader_lease: only the holder of the coordinator's advisory lock acts;
// - node_health: probe, the unreachable clock, disable, blocking, the watch;
// - membership_plan: adds, activations, updates and removes, with retries;
// - background_job: the rebalance after an add, started and followed;
// - placement_audit: registered nodes whose container changed are checked
//   for their shard tables (a worker that came back empty).
//
// One pass at a time: connect if need be, make sure this sidecar leads, read
// the worker nodes, probe the ones node_health asks about, then each change
// in turn (disables first: a node that does not answer blocks the adds after
// it), then the check of suspect nodes' placements when due, then the
// rebalance when one is owed or runs.
// Applies that arrive during a pass are answered by the next one. A refused
// add or removal is retried for that node alone when due, whether or not
// anything else happens, and at once on the next apply or connection, since
// what blocked it may have gone (a refused removal also once a node is
// disabled, with its back-off started again); a lost connection ends the
// pass with an error (the reconciler retries) and is made again next time. With --once a refused add
// fails the run and the pass waits for a rebalance to end; with --dry-run the
// changes are shown and none is run.

#include "policy/background_job.hpp"
#include "policy/leader_lease.hpp"
#include "policy/membership_plan.hpp"
#include "policy/node_health.hpp"
#include "policy/placement_audit.hpp"
#include "policy/run_options.hpp"
#include "policy/sync_machine.hpp"
#include "protocol/coordinator_problem.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace wlg::policy {

struct node_change {
  enum class kind {
    add,
    remove, // if it holds no placements
    update,   // the registered node `from` takes the name of `node`, keeping its id and placements
    disable,  // it does not answer: its row and placements stay, inactive
    activate, // disabled, and it answers again
  };
  citus_node node;
  kind what = kind::add;
  citus_node from; // for update
  friend bool operator==(const node_change&, const node_change&) = default;
};

class citus_output_machine {
public:
  struct options {
    membership_plan::options plan;
    run_options run; // --once: a refused add fails the run; --dry-run: the changes are shown, none is run
    bool rebalance_after_add = false;
    duration follow_interval{std::chrono::seconds(1)};
    node_health::options health;
    placement_audit::options audit;
  };

  // Applies are numbered from 1; an answer covers every apply up to `through`.
  using ticket = std::uint64_t;

  // --- commands --------------------------------------------------------------
  struct connect {};                          // then on_connected / on_connect_failed
  struct take_lock {};                        // then on_lock / on_lost
  struct read_nodes {};                       // then on_nodes / on_lost
  struct probe_nodes { std::vector<citus_node> nodes; }; // then on_probed / on_lost
  // then on_added / on_add_refused (add, update, activate), on_removed / on_kept,
  // on_disabled / on_disable_refused, or on_lost
  struct run_change { node_change change; };
  struct show_changes { std::vector<node_change> changes; bool rebalance = false; }; // --dry-run
  // then on_placements_checked / on_check_refused / on_lost
  struct check_placements { std::vector<citus_node> nodes; };
  struct read_rebalance {};                   // then on_rebalance_status / on_rebalance_refused / on_lost
  struct start_rebalance {};                  // then on_rebalance_started / on_rebalance_refused / on_lost
  struct arm_follow { duration delay; };      // then on_follow
  // The rebalance job's state, on each change: running, finished, failed (why).
  struct rebalance_state { rebalance_phase phase; std::string why; };
  struct answer { ticket through; output_report report; };
  struct fail { ticket through; std::string why; };
  struct arm_retry { time_point due; };       // refused adds are due; then on_retry
  // The connection failed or broke: the next pass connects again. `lost`:
  // it had been up (why says while doing what).
  struct drop_connection { bool lost; std::string why; };
  // For the operator: one line per change of state.
  struct unreachable { protocol::coordinator_problem problem; std::string why; }; // the coordinator cannot be used
  struct usable {};                           // it can again, after a problem
  struct role { bool leader; };               // this sidecar leads, or stands by (on each change)
  struct add_refused { citus_node node; std::string why; duration retry_in; }; // or its update
  // No longer wanted, stays (first time); `only_copies` of its shards are
  // served nowhere else.
  struct kept { citus_node node; std::string why; std::int64_t only_copies = 0; };
  // Citus refused the removal of a node no longer wanted; retried when due.
  struct remove_refused { citus_node node; std::string why; duration retry_in; };
  // The registered nodes' health, on each change.
  using nodes_health = node_health::report;
  struct disable_refused { citus_node node; std::string why; }; // said once per node and reason
  // The registered nodes whose shard tables are missing on them, on each change.
  struct missing_placements { placement_audit::report nodes; };
  using command = std::variant<connect, take_lock, read_nodes, probe_nodes, run_change, show_changes, answer, fail,
                               arm_retry, drop_connection, unreachable, usable, role, add_refused, kept, remove_refused,
                               read_rebalance, start_rebalance, arm_follow, rebalance_state, nodes_health,
                               disable_refused, check_placements, missing_placements>;
  using commands = std::vector<command>;

  explicit citus_output_machine(options opts);

  // `wanted`: the whole set the coordinator's worker nodes should equal;
  // `formers`: the registered nodes a wanted one may replace; `held_back`:
  // workers not to add (their healthcheck fails), kept when registered;
  // `containers`: the container behind each worker, where the source says.
  commands on_apply(std::set<citus_node> wanted, membership_plan::successions formers = {},
                    std::set<citus_node> held_back = {}, const std::map<citus_node, std::string>& containers = {},
                    time_point now = {});
  commands on_retry();

  commands on_connected();
  // Whether the lock was taken (or is held by another session).
  commands on_lock(bool held);
  commands on_connect_failed(protocol::coordinator_problem problem, const std::string& why);
  // Reading pg_dist_node failed, the connection is fine (no Citus extension).
  commands on_read_refused(protocol::coordinator_problem problem, const std::string& why);
  // `present`: the worker nodes pg_dist_node lists; `inactive`: those of
  // them disabled.
  commands on_nodes(const std::set<citus_node>& present, time_point now, const std::set<citus_node>& inactive = {});
  // What probe_nodes found, one result per node asked about.
  commands on_probed(const std::vector<node_health::probe_result>& results, time_point now);
  // An add, an update or an activation went through, or was refused
  // (retried when due).
  commands on_added();
  commands on_add_refused(const std::string& why, time_point now);
  commands on_removed();
  // The node holds placements (why says so; `only_copies` of its shards have
  // no active placement elsewhere): it stays, and is tried again next pass.
  commands on_kept(const std::string& why, std::int64_t only_copies = 0);
  // Citus refused the removal (an error): retried for that node when due.
  commands on_remove_refused(const std::string& why, time_point now);
  commands on_disabled();
  commands on_disable_refused(const std::string& why, time_point now);
  // What check_placements found, or that the coordinator refused it (the actor logs why).
  commands on_placements_checked(const std::vector<placement_audit::check_result>& results, time_point now);
  commands on_check_refused(time_point now);
  // The latest rebalance job's state as citus_rebalance_status() says it
  // (scheduled, running, finished, failed, ...; empty: there is none).
  commands on_rebalance_status(const std::string& state);
  // A job was scheduled (its id), or nothing needed moving.
  commands on_rebalance_started(std::optional<std::int64_t> job);
  // Citus refused to start or report one (why).
  commands on_rebalance_refused(const std::string& why);
  // Citus would not start one because another job runs (a drain): that one
  // is followed, and the rebalance starts once it has ended.
  commands on_rebalance_busy();
  // The follow timer fired.
  commands on_follow();
  // The connection broke during the step under way.
  commands on_lost(const std::string& why);

  bool connected() const noexcept { return connected_; }
  bool leader() const noexcept { return lease_.held(); }
  bool busy() const noexcept { return at_ != stage::idle; }
  std::size_t stale_nodes() const noexcept { return plan_.stale_nodes(); }
  ticket last_ticket() const noexcept { return tickets_; }

private:
  enum class stage { idle, connecting, locking, reading, probing, changing, auditing, rebalancing };

  void start_pass(commands& out);
  // Connected: lead (take the lock unless held or rehearsing), then read.
  void lead_then_read(commands& out);
  void report_role(commands& out, std::optional<bool> role);
  // The change under way is done: `settle(node, out)` records how, then the
  // next one starts (or the pass ends).
  template <class Settle>
  commands after_change(Settle&& settle) {
    commands out;
    if (at_ != stage::changing)
      return out;
    const auto node = changes_.front().node;
    changes_.pop_front();
    settle(node, out);
    next_change(out);
    return out;
  }
  // The nodes' health, when it changed since last said.
  void report_health(commands& out);
  // Probed (or nothing to probe): plan the changes and start them.
  void probed(commands& out, const std::vector<node_health::probe_result>& results, time_point now);
  void plan_changes(commands& out, time_point now);
  // The wanted nodes, and the held-back ones that are registered.
  std::set<citus_node> to_keep() const;
  // The registered nodes that are active, as the pass read them.
  std::set<citus_node> active() const;
  void next_change(commands& out);
  // The changes are done: check the suspect nodes when due, else go on.
  void audit_then_rebalance(commands& out);
  void rebalance_or_end(commands& out);
  // The missing nodes, when they changed since last said.
  void report_missing(commands& out);
  // The job's commands as this machine's; its step's end ends the pass.
  void carry_job(commands& out, background_job::commands job);
  // The same, as commands of their own (the job ignores answers out of turn).
  commands carried(background_job::commands job) {
    commands out;
    carry_job(out, std::move(job));
    return out;
  }
  void end_pass(commands& out, const std::string& failure);
  std::string doing() const;
  std::string summary() const;
  // The problem last reported, so that each is reported once.
  void report_problem(commands& out, protocol::coordinator_problem problem, const std::string& why);

  options options_;
  leader_lease lease_;
  node_health health_;
  membership_plan plan_;
  background_job rebalance_;
  placement_audit audit_;
  std::vector<citus_node> auditing_; // the nodes the check under way asks about
  time_point now_{};                 // as the pass's read of the nodes said
  placement_audit::report said_missing_;
  std::set<citus_node> wanted_;
  std::set<citus_node> held_back_;
  membership_plan::successions formers_;
  std::set<citus_node> present_;  // as the pass read them
  std::set<citus_node> inactive_;
  std::deque<node_change> changes_;
  stage at_ = stage::idle;
  bool connected_ = false;
  ticket tickets_ = 0;      // the last apply's
  ticket pass_covers_ = 0;  // the applies the pass under way answers
  bool again_ = false;      // an apply or a retry arrived during the pass
  std::optional<time_point> armed_due_; // the retry timer's
  bool pass_changed_ = false;
  bool pass_add_refused_ = false;
  bool pass_audited_ = false;
  bool standing_by_ = false; // the pass ended without the lock
  bool unblocked_ = false;   // a new apply or connection: failed adds are due at once
  protocol::coordinator_problem last_problem_ = protocol::coordinator_problem::none;
  std::string last_why_;
};

} // namespace wlg::policy
