#include "protocol/node_address.hpp"

namespace wlg::protocol {

std::string to_string(const node_address& node) {
  return node.name + ":" + std::to_string(node.port);
}

} // namespace wlg::protocol
