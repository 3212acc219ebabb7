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

// read_node_states: what `status` shows of each worker node.
struct node_state {
  node_address node;
  bool active = false;
  bool should_have_shards = false;
  std::int64_t placements = 0;
  friend bool operator==(const node_state&, const node_state&) = default;
};
std::vector<node_state> read_node_states(const text_rows& rows);

// The first column of the first row: 't' (a true boolean), its text, or a
// bigint (0 when it is not a number). Nothing when there is no row or it is NULL.
bool first_is_true(const text_rows& rows);
std::optional<std::string> first_text(const text_rows& rows);
std::optional<std::int64_t> first_int64(const text_rows& rows);

} // namespace wlg::protocol
