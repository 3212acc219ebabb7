#pragma once

// Reading the rows that the statements of protocol/citus_sql.hpp answer with:
// text values as libpq gives them ('t'/'f' for booleans), NULL as nullopt. A
// row that does not have the statement's shape is skipped.

#include "protocol/node_address.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wlg::protocol {

using text_rows = std::vector<std::vector<std::optional<std::string>>>;

// read_worker_nodes: every registered worker node, and those of them disabled.
struct registered_nodes {
  std::set<node_address> present;
  std::set<node_address> inactive;
};
registered_nodes read_registered_nodes(const text_rows& rows);

// probe_worker_nodes: whether the coordinator reaches each node, and how many
// shards have their only active placement there.
struct node_probe {
  node_address node;
  bool answers = false;
  std::int64_t only_placements = 0;
  friend bool operator==(const node_probe&, const node_probe&) = default;
};
std::vector<node_probe> read_node_probes(const text_rows& rows);

// check_node_placements: whether the coordinator reached each node that
// holds placements, how many it holds and how many of their shard tables are
// missing there (or why it was not reached).
struct placement_check {
  node_address node;
  std::int64_t shards = 0;
  bool reached = false;
  std::int64_t missing = 0; // when reached
  std::string why;          // when not
  friend bool operator==(const placement_check&, const placement_check&) = default;
};
std::vector<placement_check> read_placement_checks(const text_rows& rows);

// read_node_states: what `status` shows of each worker node.
struct node_state {
  node_address node;
  bool active = false;
  bool should_have_shards = false;
  std::int64_t placements = 0;
  friend bool operator==(const node_state&, const node_state&) = default;
};
std::vector<node_state> read_node_states(const text_rows& rows);

// remove_worker_node_if_empty: whether the node was removed, and the shards
// whose only active placement it holds; nothing when it is not registered.
struct removal {
  bool removed = false;
  std::int64_t only_copies = 0;
};
std::optional<removal> read_removal(const text_rows& rows);

// drain_progress: the latest rebalance job's state ("" when there is none),
// the distributed tables' placements left on the nodes, and Citus's reason
// when a task of the job failed ("" otherwise).
struct drain_progress_row {
  std::string job_state;
  std::int64_t placements_left = 0;
  std::string failure;
  friend bool operator==(const drain_progress_row&, const drain_progress_row&) = default;
};
drain_progress_row read_drain_progress(const text_rows& rows);

// planned_drain_moves: one planned move of a shard.
struct shard_move {
  std::string table;
  std::int64_t shard = 0;
  node_address from;
  node_address to;
  friend bool operator==(const shard_move&, const shard_move&) = default;
};
std::vector<shard_move> read_shard_moves(const text_rows& rows);

// The first column of the first row: 't' (a true boolean), its text, or a
// bigint (0 when it is not a number). Nothing when there is no row or it is NULL.
bool first_is_true(const text_rows& rows);
std::optional<std::string> first_text(const text_rows& rows);
std::optional<std::int64_t> first_int64(const text_rows& rows);

} // namespace wlg::protocol
