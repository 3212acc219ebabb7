#include "protocol/citus_sql.hpp"

#include <charconv>
#include <utility>

// The placements of distributed tables' shards held by the node row `n`, as
// `p` (a reference table, with partmethod 'n', is on every node). A macro, so
// that each statement stays one string literal.
#define WLG_DISTRIBUTED_PLACEMENTS_OF_N                                                                               \
  " FROM pg_dist_placement p JOIN pg_dist_shard s USING (shardid) JOIN pg_dist_partition t USING (logicalrelid)"     \
  " WHERE p.groupid = n.groupid AND t.partmethod <> 'n'"

namespace wlg::protocol {

namespace {

// The nodes as two array parameters, $1 text[] of names and $2 int[] of
// ports, for unnest($1::text[], $2::int[]).
std::pair<std::string, std::string> node_arrays(const std::vector<node_address>& nodes) {
  std::vector<std::string> names;
  std::vector<std::string> ports;
  for (const auto& node : nodes) {
    names.push_back(node.name);
    ports.push_back(std::to_string(node.port));
  }
  return {text_array_literal(names), text_array_literal(ports)};
}

} // namespace

sql_statement read_worker_nodes() {
  return {"SELECT nodename, nodeport, isactive FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary'", {}};
}

sql_statement probe_worker_nodes(const std::vector<node_address>& nodes, std::int64_t connect_timeout_ms) {
  auto [names, ports] = node_arrays(nodes);
  // The settings are local to this statement's transaction; the subquery that
  // sets them is evaluated before any row is projected.
  return {"SELECT u.name, u.port, citus_check_connection_to_node(u.name, u.port),"
          " (SELECT count(DISTINCT p.shardid) FROM pg_dist_node n JOIN pg_dist_placement p ON p.groupid = n.groupid"
          "  WHERE n.nodename = u.name AND n.nodeport = u.port AND NOT EXISTS ("
          "   SELECT 1 FROM pg_dist_placement q JOIN pg_dist_node m ON m.groupid = q.groupid"
          "   WHERE q.shardid = p.shardid AND q.groupid <> p.groupid AND m.isactive))"
          " FROM unnest($1::text[], $2::int[]) AS u(name, port),"
          " (SELECT set_config('citus.node_connection_timeout', $3, true),"
          "         set_config('client_min_messages', 'error', true)) AS limits",
          {std::move(names), std::move(ports), std::to_string(connect_timeout_ms)}};
}

sql_statement check_node_placements(const std::vector<node_address>& nodes, std::int64_t connect_timeout_ms) {
  auto [names, ports] = node_arrays(nodes);
  // master_run_on_worker is called in the select list of a subquery kept
  // apart (OFFSET 0), so that it runs after the settings, once per node.
  return {"SELECT x.name, x.port, x.shards, (x.r).success, (x.r).result FROM ("
          " SELECT c.name, c.port, c.shards,"
          "  master_run_on_worker(ARRAY[c.name], ARRAY[c.port], ARRAY[c.command], false) AS r"
          " FROM (SELECT set_config('citus.node_connection_timeout', $3, true),"
          "              set_config('client_min_messages', 'error', true)) AS limits,"
          "  (SELECT n.nodename AS name, n.nodeport AS port, count(*) AS shards,"
          "    format('SELECT count(*) FROM unnest(%L::text[]) AS s(name) WHERE to_regclass(s.name) IS NULL',"
          "           array_agg(shard_name(s.logicalrelid, s.shardid))) AS command"
          "   FROM unnest($1::text[], $2::int[]) AS u(name, port)"
          "   JOIN pg_dist_node n ON n.nodename = u.name AND n.nodeport = u.port AND n.groupid <> 0"
          "   JOIN pg_dist_placement p ON p.groupid = n.groupid JOIN pg_dist_shard s USING (shardid)"
          "   GROUP BY n.nodename, n.nodeport) AS c"
          " OFFSET 0) AS x",
          {std::move(names), std::move(ports), std::to_string(connect_timeout_ms)}};
}

sql_statement disable_worker_node(std::string_view name, std::uint16_t port) {
  return {"SELECT citus_disable_node(n.nodename, n.nodeport, synchronous := NOT EXISTS ("
          "  SELECT 1 FROM pg_dist_node o WHERE o.groupid <> 0 AND o.noderole = 'primary' AND o.isactive"
          "  AND (o.nodename COLLATE \"C\", o.nodeport) < (n.nodename COLLATE \"C\", n.nodeport)))"
          " FROM pg_dist_node n"
          " WHERE n.nodename = $1 AND n.nodeport = $2::int AND n.groupid <> 0 AND n.isactive",
          {std::string{name}, std::to_string(port)}};
}

sql_statement activate_worker_node(std::string_view name, std::uint16_t port) {
  return {"SELECT citus_activate_node($1, $2::int)", {std::string{name}, std::to_string(port)}};
}

sql_statement add_worker_node(std::string_view name, std::uint16_t port) {
  return {"SELECT citus_add_node($1, $2::int)", {std::string{name}, std::to_string(port)}};
}

sql_statement remove_worker_node_if_empty(std::string_view name, std::uint16_t port) {
  return {"SELECT CASE WHEN h.shards = 0 THEN citus_remove_node(n.nodename, n.nodeport)::text IS NOT NULL"
          " ELSE false END, h.only_copies"
          " FROM pg_dist_node n, LATERAL (SELECT count(*) AS shards, count(*) FILTER (WHERE NOT EXISTS ("
          "   SELECT 1 FROM pg_dist_placement q JOIN pg_dist_node m ON m.groupid = q.groupid"
          "   WHERE q.shardid = p.shardid AND q.groupid <> p.groupid AND m.isactive)) AS only_copies"
          WLG_DISTRIBUTED_PLACEMENTS_OF_N ") h"
          " WHERE n.nodename = $1 AND n.nodeport = $2::int AND n.groupid <> 0",
          {std::string{name}, std::to_string(port)}};
}

sql_statement update_worker_node(std::string_view name, std::uint16_t port, std::string_view new_name) {
  return {"SELECT citus_update_node(n.nodeid, $3, $2::int) FROM pg_dist_node n"
          " WHERE n.nodename = $1 AND n.nodeport = $2::int AND n.groupid <> 0",
          {std::string{name}, std::to_string(port), std::string{new_name}}};
}

sql_statement read_node_states() {
  return {"SELECT n.nodename, n.nodeport, n.isactive, n.shouldhaveshards, (SELECT count(*)"
          WLG_DISTRIBUTED_PLACEMENTS_OF_N ")"
          " FROM pg_dist_node n WHERE n.groupid <> 0 AND n.noderole = 'primary'"
          " ORDER BY n.nodename COLLATE \"C\", n.nodeport",
          {}};
}

sql_statement set_should_have_shards(std::string_view name, std::uint16_t port, bool value) {
  return {"SELECT citus_set_node_property($1, $2::int, 'shouldhaveshards', $3::boolean)",
          {std::string{name}, std::to_string(port), value ? "true" : "false"}};
}

sql_statement start_drain(std::string_view transfer_mode) {
  return {"SELECT citus_rebalance_start(drain_only := true, shard_transfer_mode := $1::citus.shard_transfer_mode)",
          {std::string{transfer_mode}}};
}

sql_statement drain_progress(const std::vector<node_address>& nodes) {
  auto [names, ports] = node_arrays(nodes);
  return {"SELECT (SELECT state::text FROM citus_rebalance_status()),"
          " (SELECT count(*) FROM pg_dist_node n, LATERAL (SELECT 1" WLG_DISTRIBUTED_PLACEMENTS_OF_N ") h"
          "  WHERE (n.nodename, n.nodeport) IN (SELECT * FROM unnest($1::text[], $2::int[]))),"
          " (SELECT message FROM pg_dist_background_task WHERE status = 'error' AND job_id ="
          "  (SELECT max(job_id) FROM pg_dist_background_job WHERE job_type = 'rebalance') ORDER BY task_id LIMIT 1)",
          {std::move(names), std::move(ports)}};
}

sql_statement planned_drain_moves() {
  return {"SELECT table_name::text, shardid, sourcename, sourceport, targetname, targetport"
          " FROM get_rebalance_table_shards_plan(drain_only := true)",
          {}};
}

sql_statement begin_transaction() { return {"BEGIN", {}}; }

sql_statement roll_back() { return {"ROLLBACK", {}}; }

sql_statement stop_rebalance() { return {"SELECT citus_rebalance_stop()", {}}; }

bool says_a_job_runs(std::string_view message) {
  return message.find("A rebalance is already running") != std::string_view::npos;
}

sql_statement try_leader_lock() {
  return {"SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(leader_lock_key)}};
}

sql_statement rebalance_status() {
  return {"SELECT state::text FROM citus_rebalance_status()", {}};
}

sql_statement start_rebalance(std::string_view transfer_mode) {
  return {"SELECT citus_rebalance_start(shard_transfer_mode := $1::citus.shard_transfer_mode)",
          {std::string{transfer_mode}}};
}

std::string render_for_reading(const sql_statement& statement) {
  std::string out;
  const auto text = statement.text;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] >= '1' && text[i + 1] <= '9') {
      const auto index = static_cast<std::size_t>(text[i + 1] - '1');
      ++i;
      if (index < statement.params.size()) {
        out += '\'';
        for (char c : statement.params[index])
          out += c == '\'' ? std::string{"''"} : std::string{c};
        out += '\'';
        continue;
      }
    }
    out += text[i];
  }
  return out + ";";
}

std::string text_array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1)
      out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::optional<std::uint16_t> parse_node_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

} // namespace wlg::protocol
