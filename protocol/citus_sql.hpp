#pragma once

// The statements the Citus output runs on the coordinator (Citus 10 and
// later: the citus_* functions), with their parameters, and how --dry-run
// shows them.

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
// nodename, nodeport.
sql_statement read_worker_nodes();

// Adds a node; idempotent in Citus (an existing node's id comes back).
sql_statement add_worker_node(std::string_view name, std::uint16_t port);

// Removes the node only when it holds no shard placements, in one statement:
// one row when it was removed, none when it stays. Nothing else is touched.
sql_statement remove_worker_node_if_empty(std::string_view name, std::uint16_t port);

// Gives the registered node `name:port` the name `new_name`, in place: it
// keeps its node id, group and placements (a replaced swarm task's new
// address). One row when it was updated, none when no such node is left.
sql_statement update_worker_node(std::string_view name, std::uint16_t port, std::string_view new_name);

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

// A node port as pg_dist_node gives it back, or nothing.
std::optional<std::uint16_t> parse_node_port(std::string_view text);

} // namespace wlg::protocol
