#pragma once

// The Citus policies' name for a worker node: pg_dist_node's name and port.

#include "protocol/node_address.hpp"

namespace wlg::policy {

using citus_node = protocol::node_address;
using protocol::to_string;

} // namespace wlg::policy
