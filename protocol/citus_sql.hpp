#pragma once

// The statements the Citus output runs on the coordinator (Citus 10 and
// later: the citus_* functions), with their parameters, and how --dry-run
// shows them.

#include "protocol/node_address.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

struct sql_statement {
  std::string_view text;
  std::vector<std::string> params;
};

// The worker nodes: primaries outside the coordinator's group 0. Columns:
// nodename, nodeport, isactive ('t' or 'f').
sql_statement read_worker_nodes();

// Asks the coordinator whether it reaches each node (its own view, which is
// the one that blocks citus_add_node), waiting at most `connect_timeout_ms`
// for each, and how many shards have their only active placement there (what
// makes Citus refuse to disable it). Columns: nodename, nodeport, answers
// ('t' or 'f'), only-placement shards. Citus's warning for a node that does
// not answer is kept out of the session: the answer says it.
// How long the coordinator waits for each probed node, by default: a node
// that is gone may not refuse at once, and the probe waits on it.
inline constexpr std::int64_t probe_connect_timeout_ms = 2'000;
sql_statement probe_worker_nodes(const std::vector<node_address>& nodes, std::int64_t connect_timeout_ms);
// For each of `nodes` that holds placements: how many, whether the
// coordinator reached it, and how many of those shards' tables do not exist
// on it (to_regclass, run there by master_run_on_worker), or why it was not
// reached. Reads only; a node without placements has no row.
sql_statement check_node_placements(const std::vector<node_address>& nodes, std::int64_t connect_timeout_ms);

// Marks a node inactive, keeping its row and placements (citus_disable_node).
// Citus refuses an asynchronous disable of the first worker node (by name,
// then port, in byte order) and says to disable it synchronously, so that
// one is. One row when it was disabled, none when no such active node is.
sql_statement disable_worker_node(std::string_view name, std::uint16_t port);

// Brings a disabled node back (citus_activate_node).
sql_statement activate_worker_node(std::string_view name, std::uint16_t port);

// Adds a node; idempotent in Citus (an existing node's id comes back).
sql_statement add_worker_node(std::string_view name, std::uint16_t port);

// Removes the node only when it holds no placement of a distributed table's
// shard (a reference table's, which every node holds, citus_remove_node
// drops itself), in one statement. One row: whether it was removed ('t' or
// 'f'), and how many of its shards have no active placement elsewhere (what
// is not served while it is gone); none when no such node is registered.
// Nothing else is touched.
sql_statement remove_worker_node_if_empty(std::string_view name, std::uint16_t port);

// Gives the registered node `name:port` the name `new_name`, in place: it
// keeps its node id, group and placements (a replaced swarm task's new
// address). One row when it was updated, none when no such node is left.
sql_statement update_worker_node(std::string_view name, std::uint16_t port, std::string_view new_name);

// What `status` shows of each worker node, by name then port. Columns:
// nodename, nodeport, isactive, shouldhaveshards, and the placements of
// distributed tables' shards on it (what a drain moves; reference tables,
// which every node holds, are not counted).
sql_statement read_node_states();

// Whether the rebalancer may put shards on the node (and keep them there).
sql_statement set_should_have_shards(std::string_view name, std::uint16_t port, bool value);

// Schedules a background job that moves every shard off the nodes that
// should not have shards: its job id, or NULL when nothing needs moving.
sql_statement start_drain(std::string_view transfer_mode);

// The latest rebalance job's state (NULL when there has been none), how
// many placements of distributed tables' shards the nodes still hold, and
// why the job's first failed task failed (NULL when none did).
sql_statement drain_progress(const std::vector<node_address>& nodes);

// The moves a drain would make now (get_rebalance_table_shards_plan with
// drain_only). Columns: table, shard id, source name and port, target name
// and port.
sql_statement planned_drain_moves();

// A transaction around statements sent one by one on the same connection:
// --dry-run sets the nodes' property, reads the plan and rolls back.
sql_statement begin_transaction();
sql_statement roll_back();

// Stops the running rebalance job, if any (citus_rebalance_stop).
sql_statement stop_rebalance();

// Whether Citus refused to start a job because one already runs ("A
// rebalance is already running as job N").
bool says_a_job_runs(std::string_view message);

// The key of the session advisory lock that makes one sidecar the leader,
// fixed by the project so every sidecar of every version takes the same one.
inline constexpr std::int64_t leader_lock_key = 5'432'9753;

// Tries the leader's lock without waiting: one row, 't' when this session
// holds it (now or already), 'f' when another session does.
sql_statement try_leader_lock();

// The latest rebalance job's state (scheduled, running, finished, failed,
// ...): one row, or none when there has been no rebalance.
sql_statement rebalance_status();

// Schedules a background rebalance with this shard transfer mode: its job id,
// or NULL when nothing needs moving.
sql_statement start_rebalance(std::string_view transfer_mode);

// The statement with its parameters written in, for --dry-run's report.
std::string render_for_reading(const sql_statement& statement);

// A PostgreSQL array literal of these strings ('{"a","b"}'), for a text[]
// parameter.
std::string text_array_literal(const std::vector<std::string>& items);

// A node port as pg_dist_node gives it back, or nothing.
std::optional<std::uint16_t> parse_node_port(std::string_view text);

} // namespace wlg::protocol
