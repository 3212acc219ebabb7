#pragma once

// A Citus worker node as pg_dist_node names it: host name and port.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wlg::protocol {

struct node_address {
  std::string name;
  std::uint16_t port = 0;
  friend auto operator<=>(const node_address&, const node_address&) = default;
};

std::string to_string(const node_address& node); // "name:port"

// A node as a person names it on the command line: "name", or "name:port".
struct node_spec {
  std::string name;
  std::optional<std::uint16_t> port;
  friend bool operator==(const node_spec&, const node_spec&) = default;
};

// Nothing when the name is empty or the port is not one.
std::optional<node_spec> parse_node_spec(std::string_view text);
std::string to_string(const node_spec& spec);

} // namespace wlg::protocol
