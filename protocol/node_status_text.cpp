#include "protocol/node_status_text.hpp"

#include "protocol/json_text.hpp"

#include <algorithm>
#include <array>

namespace wlg::protocol {

namespace {

std::string yes_no(bool value) { return value ? "yes" : "no"; }

std::string json_bool(std::optional<bool> value) {
  if (!value)
    return "null";
  return *value ? "true" : "false";
}

} // namespace

std::string status_table(const std::vector<node_status>& nodes) {
  using row = std::array<std::string, 6>;
  std::vector<row> rows{{"NODE", "PORT", "ACTIVE", "SHOULD HAVE SHARDS", "PLACEMENTS", "ANSWERS"}};
  for (const auto& n : nodes)
    rows.push_back({n.state.node.name, std::to_string(n.state.node.port), yes_no(n.state.active),
                    yes_no(n.state.should_have_shards), std::to_string(n.state.placements),
                    n.answers ? yes_no(*n.answers) : "unknown"});
  std::array<std::size_t, 6> width{};
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size())
        line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  if (nodes.empty())
    out += "(no worker node is registered)\n";
  return out;
}

std::string status_json(const std::vector<node_status>& nodes) {
  std::string out = "{\"nodes\":[";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    if (i > 0)
      out += ',';
    out += "{\"name\":" + json_quote(n.state.node.name) + ",\"port\":" + std::to_string(n.state.node.port)
           + ",\"active\":" + json_bool(n.state.active) + ",\"should_have_shards\":"
           + json_bool(n.state.should_have_shards) + ",\"placements\":" + std::to_string(n.state.placements)
           + ",\"answers\":" + json_bool(n.answers) + "}";
  }
  return out + "]}\n";
}

std::string status_error_json(std::string_view what, std::string_view why) {
  return "{\"error\":" + json_quote(what) + ",\"reason\":" + json_quote(why) + "}\n";
}

} // namespace wlg::protocol
