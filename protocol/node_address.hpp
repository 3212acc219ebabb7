#pragma once

// A Citus worker node as pg_dist_node names it: host name and port.

#include <compare>
#include <cstdint>
#include <string>

namespace wlg::protocol {

struct node_address {
  std::string name;
  std::uint16_t port = 0;
  friend auto operator<=>(const node_address&, const node_address&) = default;
};

std::string to_string(const node_address& node); // "name:port"

} // namespace wlg::protocol
