#include "protocol/citus_rows.hpp"

#include "protocol/citus_sql.hpp"

#include <charconv>

namespace wlg::protocol {

namespace {

using field = std::optional<std::string>;

bool is_true(const field& value) { return value && *value == "t"; }

std::int64_t as_int64(const field& value) {
  std::int64_t number = 0;
  if (value)
    std::from_chars(value->data(), value->data() + value->size(), number);
  return number;
}

// The node named by a row's first two columns, if they are a name and a port.
std::optional<node_address> node_of(const std::vector<field>& row) {
  if (row.size() < 2 || !row[0] || !row[1])
    return std::nullopt;
  const auto port = parse_node_port(*row[1]);
  if (!port)
    return std::nullopt;
  return node_address{*row[0], *port};
}

} // namespace

registered_nodes read_registered_nodes(const text_rows& rows) {
  registered_nodes out;
  for (const auto& row : rows) {
    const auto node = row.size() == 3 ? node_of(row) : std::nullopt;
    if (!node)
      continue;
    if (row[2] && *row[2] == "f")
      out.inactive.insert(*node);
    out.present.insert(*node);
  }
  return out;
}

std::vector<node_probe> read_node_probes(const text_rows& rows) {
  std::vector<node_probe> out;
  for (const auto& row : rows)
    if (const auto node = row.size() == 4 ? node_of(row) : std::nullopt)
      out.push_back({*node, is_true(row[2]), as_int64(row[3])});
  return out;
}

std::vector<placement_check> read_placement_checks(const text_rows& rows) {
  std::vector<placement_check> out;
  for (const auto& row : rows) {
    const auto node = row.size() == 5 ? node_of(row) : std::nullopt;
    if (!node)
      continue;
    const bool reached = is_true(row[3]);
    out.push_back({*node, as_int64(row[2]), reached, reached ? as_int64(row[4]) : 0,
                   reached ? std::string{} : row[4].value_or("")});
  }
  return out;
}

std::vector<node_state> read_node_states(const text_rows& rows) {
  std::vector<node_state> out;
  for (const auto& row : rows)
    if (const auto node = row.size() == 5 ? node_of(row) : std::nullopt)
      out.push_back({*node, is_true(row[2]), is_true(row[3]), as_int64(row[4])});
  return out;
}

std::optional<removal> read_removal(const text_rows& rows) {
  if (rows.empty() || rows.front().size() != 2)
    return std::nullopt;
  return removal{is_true(rows.front()[0]), as_int64(rows.front()[1])};
}

drain_progress_row read_drain_progress(const text_rows& rows) {
  if (rows.empty() || rows.front().size() != 3)
    return {};
  return {rows.front()[0].value_or(""), as_int64(rows.front()[1]), rows.front()[2].value_or("")};
}

std::vector<shard_move> read_shard_moves(const text_rows& rows) {
  std::vector<shard_move> out;
  for (const auto& row : rows) {
    if (row.size() != 6 || !row[0])
      continue;
    const auto from = node_of({row[2], row[3]});
    const auto to = node_of({row[4], row[5]});
    if (from && to)
      out.push_back({*row[0], as_int64(row[1]), *from, *to});
  }
  return out;
}

bool first_is_true(const text_rows& rows) {
  return !rows.empty() && !rows.front().empty() && is_true(rows.front()[0]);
}

std::optional<std::string> first_text(const text_rows& rows) {
  if (rows.empty() || rows.front().empty())
    return std::nullopt;
  return rows.front()[0];
}

std::optional<std::int64_t> first_int64(const text_rows& rows) {
  if (const auto text = first_text(rows))
    return as_int64(text);
  return std::nullopt;
}

} // namespace wlg::protocol
