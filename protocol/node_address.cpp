#include "protocol/node_address.hpp"

#include <charconv>

namespace wlg::protocol {

std::string to_string(const node_address& node) {
  return node.name + ":" + std::to_string(node.port);
}

std::optional<node_spec> parse_node_spec(std::string_view text) {
  const auto colon = text.rfind(':');
  // An address with several colons (IPv6) has no port here.
  if (colon == std::string_view::npos || text.find(':') != colon) {
    if (text.empty())
      return std::nullopt;
    return node_spec{std::string{text}, std::nullopt};
  }
  const auto name = text.substr(0, colon);
  const auto digits = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (name.empty() || ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535)
    return std::nullopt;
  return node_spec{std::string{name}, static_cast<std::uint16_t>(port)};
}

std::string to_string(const node_spec& spec) {
  return spec.port ? spec.name + ":" + std::to_string(*spec.port) : spec.name;
}

} // namespace wlg::protocol
