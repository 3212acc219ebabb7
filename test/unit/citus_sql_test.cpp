// The Citus output's statements: parameters, never text pasted into SQL,
// and how --dry-run shows them.

#include "protocol/citus_sql.hpp"

#include <doctest/doctest.h>

using namespace wlg::protocol;

TEST_CASE("the statements carry names and ports as parameters") {
  const auto add = add_worker_node("worker-1", 5432);
  CHECK(add.text == "SELECT citus_add_node($1, $2::int)");
  CHECK(add.params == std::vector<std::string>{"worker-1", "5432"});
  const auto remove = remove_worker_node_if_empty("worker-1", 5432);
  CHECK(remove.params == std::vector<std::string>{"worker-1", "5432"});
  // Removed only when it holds no distributed table's placement (a reference
  // table's, on every node, citus_remove_node drops itself).
  CHECK(std::string{remove.text}.find("CASE WHEN h.shards = 0 THEN citus_remove_node") != std::string::npos);
  CHECK(std::string{remove.text}.find("t.partmethod <> 'n'") != std::string::npos);
  CHECK(read_worker_nodes().params.empty());
}

TEST_CASE("--dry-run shows a statement with its parameters quoted in") {
  CHECK(render_for_reading(add_worker_node("worker-1", 5432)) == "SELECT citus_add_node('worker-1', '5432'::int);");
  CHECK(render_for_reading({"SELECT $1", {"it's"}}) == "SELECT 'it''s';");
}

TEST_CASE("node ports from pg_dist_node") {
  CHECK(parse_node_port("5432") == 5432);
  CHECK_FALSE(parse_node_port("0").has_value());
  CHECK_FALSE(parse_node_port("65536").has_value());
  CHECK_FALSE(parse_node_port("54x").has_value());
}

TEST_CASE("the probe names its nodes as array parameters, quoted, and bounds the coordinator's wait") {
  const auto probe = probe_worker_nodes({{"worker-1", 5432}, {"we\"ird\\", 6432}}, 2000);
  CHECK(probe.params == std::vector<std::string>{"{\"worker-1\",\"we\\\"ird\\\\\"}", "{\"5432\",\"6432\"}", "2000"});
  const std::string text{probe.text};
  CHECK(text.find("citus_check_connection_to_node(u.name, u.port)") != std::string::npos);
  CHECK(text.find("set_config('citus.node_connection_timeout', $3, true)") != std::string::npos);
  CHECK(text_array_literal({}) == "{}");
}

TEST_CASE("the placement check names its nodes as parameters, changes nothing and bounds the coordinator's wait") {
  const auto check = check_node_placements({{"worker-1", 5432}, {"it's", 6432}}, 2000);
  CHECK(check.params == std::vector<std::string>{"{\"worker-1\",\"it's\"}", "{\"5432\",\"6432\"}", "2000"});
  const std::string text{check.text};
  CHECK(text.find("master_run_on_worker(") != std::string::npos);
  CHECK(text.find("to_regclass") != std::string::npos);
  CHECK(text.find("%L") != std::string::npos); // the shard names are quoted by format(), on the coordinator
  CHECK(text.find("set_config('citus.node_connection_timeout', $3, true)") != std::string::npos);
  for (const auto* change : {"DELETE", "UPDATE", "INSERT", "citus_remove_node", "citus_disable_node"})
    CHECK(text.find(change) == std::string::npos);
}

TEST_CASE("a disable is synchronous for the first worker node only, as Citus asks, and keeps the row") {
  const auto disable = disable_worker_node("worker-1", 5432);
  CHECK(disable.params == std::vector<std::string>{"worker-1", "5432"});
  const std::string text{disable.text};
  CHECK(text.find("citus_disable_node(n.nodename, n.nodeport, synchronous := NOT EXISTS") != std::string::npos);
  CHECK(text.find("COLLATE \"C\"") != std::string::npos);
  CHECK(text.find("citus_remove_node") == std::string::npos);
  CHECK(activate_worker_node("worker-1", 5432).text == "SELECT citus_activate_node($1, $2::int)");
}

TEST_CASE("the drain's statements carry their nodes and modes as parameters") {
  const auto set = set_should_have_shards("worker-1", 5432, false);
  CHECK(set.text == "SELECT citus_set_node_property($1, $2::int, 'shouldhaveshards', $3::boolean)");
  CHECK(set.params == std::vector<std::string>{"worker-1", "5432", "false"});
  CHECK(set_should_have_shards("worker-1", 5432, true).params.back() == "true");
  const auto start = start_drain("block_writes");
  CHECK(std::string{start.text}.find("drain_only := true") != std::string::npos);
  CHECK(start.params == std::vector<std::string>{"block_writes"});
  const auto progress = drain_progress({{"w3", 5432}, {"w'4", 6432}});
  CHECK(progress.params == std::vector<std::string>{"{\"w3\",\"w'4\"}", "{\"5432\",\"6432\"}"});
  CHECK(std::string{planned_drain_moves().text}.find("get_rebalance_table_shards_plan(drain_only := true)")
        != std::string::npos);
  CHECK(says_a_job_runs("A rebalance is already running as job 2"));
  CHECK_FALSE(says_a_job_runs("permission denied"));
}
