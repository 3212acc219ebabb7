#pragma once

// How the `status` command shows the coordinator's worker nodes: a table for
// people, or one JSON document for scripts (--log-format=json).

#include "protocol/citus_rows.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wlg::protocol {

// One worker node as `status` shows it.
struct node_status {
  node_state state;
  std::optional<bool> answers; // unknown when the coordinator could not probe
  friend bool operator==(const node_status&, const node_status&) = default;
};

// Aligned columns, a header line first, one line per node; "unknown" where
// the coordinator could not say whether it reaches the node.
std::string status_table(const std::vector<node_status>& nodes);

// {"nodes":[{"name":..,"port":..,"active":..,"should_have_shards":..,
// "placements":..,"answers":true|false|null}]} and a newline.
std::string status_json(const std::vector<node_status>& nodes);

// A failure as one JSON line: {"error":"<what>","reason":"<why>"}.
std::string status_error_json(std::string_view what, std::string_view why);

} // namespace wlg::protocol
