// The commands beside the sidecar (`dockercloud-workerlistgen status`, ...)
// against a real Citus cluster: run to completion, their output and exit
// status checked.

#include "test/support/citus_setup.hpp"
#include "test/support/files.hpp"
#include "test/support/fixtures.hpp"
#include "test/support/http_client.hpp"
#include "test/support/process.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

// A command's stdout and stderr apart, and its exit status.
struct command_result {
  int status = -1;
  std::string out;
  std::string err;
};

command_result run_command(const std::vector<std::string>& args, const env_map& env) {
  temp_dir dir;
  const auto run =
    run_to_completion({bin_path("dockercloud-workerlistgen"), args, env, {}, {}, dir.path() + "/err"}, 60s);
  return {run.status, run.output, read_file(dir.path() + "/err").value_or("")};
}

// A cluster of `workers` registered workers and a 1,000-row table in 32 shards.
struct registered_cluster {
  citus_cluster cluster;
  explicit registered_cluster(int workers = 2) : cluster(workers) {
    for (int i = 1; i <= workers; ++i)
      REQUIRE(cluster.sql("SELECT citus_add_node('" + citus_cluster::worker(i) + "', " + std::to_string(cluster.port())
                          + ")"));
    REQUIRE(cluster.sql(thousand_rows));
  }
  env_map env(const std::string& conninfo = {}) const {
    return {{"WORKERLISTGEN_COORDINATOR", conninfo.empty() ? cluster.conninfo() : conninfo}};
  }
  std::string node_json(int worker, const std::string& rest) const {
    return "{\"name\":\"" + citus_cluster::worker(worker) + "\",\"port\":" + std::to_string(cluster.port()) + "," + rest
           + "}";
  }
};

// Placements of distributed tables' shards on worker i (reference tables,
// on every node, left out), as psql prints the count.
std::string shards_on(const citus_cluster& cluster, int worker) {
  return cluster
    .sql("SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) JOIN pg_dist_shard s "
         "USING (shardid) JOIN pg_dist_partition t USING (logicalrelid) WHERE t.partmethod <> 'n' AND n.nodename = '"
         + citus_cluster::worker(worker) + "'")
    .value_or("");
}

std::string row_count(const citus_cluster& cluster) { return cluster.sql("SELECT count(*) FROM items").value_or(""); }

const std::string a_reference_table = "CREATE TABLE kinds (id int PRIMARY KEY); SELECT create_reference_table('kinds');";

} // namespace

TEST_CASE("citus: status shows each worker node's state and whether the coordinator reaches it") {
  SKIP_WITHOUT_CITUS();
  registered_cluster t;
  REQUIRE(t.cluster.sql("SELECT citus_set_node_property('" + citus_cluster::worker(2) + "', "
                        + std::to_string(t.cluster.port()) + ", 'shouldhaveshards', false)"));
  t.cluster.stop_node("w2");

  // As JSON, for scripts: no sidecar settings beyond the coordinator are needed.
  const auto json = run_command({"status", "--log-format=json"}, t.env());
  CHECK_MESSAGE(json.status == 0, json.err);
  CHECK(json.out
        == "{\"nodes\":["
             + t.node_json(1, "\"active\":true,\"should_have_shards\":true,\"placements\":16,\"answers\":true") + ","
             + t.node_json(2, "\"active\":true,\"should_have_shards\":false,\"placements\":16,\"answers\":false")
             + "]}\n");
  CHECK(json.err.empty());

  // As a table, for people.
  const auto table = run_command({"status"}, t.env());
  CHECK(table.status == 0);
  CHECK(table.out.rfind("NODE ", 0) == 0);
  CHECK(count_of(table.out, "\n") == 3);
  CHECK(table.out.find(citus_cluster::worker(2)) != std::string::npos);
  // Nothing was changed.
  CHECK(t.cluster.sql("SELECT count(*) FROM pg_dist_node WHERE isactive").value_or("") == "2\n");
}

TEST_CASE("citus: status exits 1 naming the problem when the coordinator cannot be used, and never shows a password") {
  SKIP_WITHOUT_CITUS();
  registered_cluster t;
  t.cluster.require_password("wlg_status", "right-one");
  const auto port = std::to_string(t.cluster.port());

  const auto refused =
    run_command({"status"}, t.env("host=127.0.0.1 port=" + port + " user=wlg_status password=wrong-one dbname=postgres"));
  CHECK(refused.status == 1);
  CHECK(refused.out.empty());
  CHECK_MESSAGE(refused.err.rfind("dockercloud-workerlistgen status: the coordinator refused the password", 0) == 0,
                refused.err);
  CHECK(count_of(refused.err, "\n") == 1);
  CHECK(refused.err.find("wrong-one") == std::string::npos);

  t.cluster.stop_node("coord");
  const auto down = run_command({"status", "--log-format=json"}, t.env());
  CHECK(down.status == 1);
  CHECK_MESSAGE(down.err.rfind("{\"error\":\"cannot reach the coordinator", 0) == 0, down.err);

  // A bad connection string is a configuration error, as for the sidecar.
  CHECK(run_command({"status"}, t.env("host=127.0.0.1 port=notaport")).status == 2);
}

TEST_CASE("citus: drain moves every shard off two of four workers, --dry-run moves none, undrain lets them back") {
  SKIP_WITHOUT_CITUS();
  registered_cluster t{4};
  REQUIRE(t.cluster.sql(a_reference_table));
  const auto w3 = citus_cluster::worker(3);
  const auto w4 = citus_cluster::worker(4);
  const env_map env{{"WORKERLISTGEN_COORDINATOR", t.cluster.conninfo()},
                    {"WORKERLISTGEN_REBALANCE_TRANSFER_MODE", "block_writes"}};

  const auto rehearsal = run_command({"drain", w3, w4, "--dry-run"}, env);
  CHECK_MESSAGE(rehearsal.status == 0, rehearsal.err);
  CHECK(rehearsal.out.find("16 move(s) planned") != std::string::npos);
  CHECK(shards_on(t.cluster, 3) == "8\n");
  CHECK(t.cluster.sql("SELECT count(*) FROM pg_dist_node WHERE NOT shouldhaveshards").value_or("") == "0\n");

  const auto started = std::chrono::steady_clock::now();
  const auto drain = run_command({"drain", w3, w4}, env);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  REQUIRE_MESSAGE(drain.status == 0, (drain.out + drain.err));
  MESSAGE("drain of 2 of 4 workers, 1,000 rows in 32 shards, block_writes: " << took.count() << " s");
  CHECK(drain.out.find("drain: 16 of 16 shard placement(s) moved, 0 left") != std::string::npos);
  CHECK(shards_on(t.cluster, 3) == "0\n");
  CHECK(shards_on(t.cluster, 4) == "0\n");
  CHECK(shards_on(t.cluster, 1) == "16\n");
  CHECK(shards_on(t.cluster, 2) == "16\n");
  CHECK(row_count(t.cluster) == "1000\n");

  // A second drain of the same nodes has nothing to move and says so.
  CHECK(run_command({"drain", w4}, env).status == 0);

  const auto undrain = run_command({"undrain", w3, w4}, env);
  CHECK_MESSAGE(undrain.status == 0, undrain.err);
  REQUIRE(t.cluster.sql("SELECT citus_rebalance_start(shard_transfer_mode := 'block_writes')"));
  REQUIRE(t.cluster.sql("SELECT citus_rebalance_wait()"));
  CHECK(shards_on(t.cluster, 3) != "0\n");
  CHECK(shards_on(t.cluster, 4) != "0\n");
  CHECK(row_count(t.cluster) == "1000\n");
}

TEST_CASE("citus: drain refuses an unknown node and a drain of every node, and fails when the coordinator is down") {
  SKIP_WITHOUT_CITUS();
  registered_cluster t{2};
  const env_map env{{"WORKERLISTGEN_COORDINATOR", t.cluster.conninfo()}};
  const auto unknown = run_command({"drain", "127.0.0.99"}, env);
  CHECK(unknown.status == 3);
  CHECK_MESSAGE(unknown.err.rfind("dockercloud-workerlistgen drain: no worker node 127.0.0.99 is registered", 0) == 0,
                unknown.err);
  const auto every = run_command({"drain", citus_cluster::worker(1), citus_cluster::worker(2)}, env);
  CHECK(every.status == 3);
  CHECK(every.err.find("would leave no worker node that may hold shards") != std::string::npos);
  CHECK(t.cluster.sql("SELECT count(*) FROM pg_dist_node WHERE NOT shouldhaveshards").value_or("") == "0\n");
  CHECK(run_command({"drain", "127.0.0.2:"}, env).status == 2);
  CHECK(run_command({"drain"}, env).status == 2);
  t.cluster.stop_node("coord");
  const auto down = run_command({"drain", citus_cluster::worker(1)}, env);
  CHECK(down.status == 1);
  CHECK(down.err.find("cannot reach the coordinator") != std::string::npos);
}

TEST_CASE("citus: a drain beside a leading sidecar that rebalances after adds, then the drained workers leave and go" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{4, 5};
  sidecar side{t.env({{"WORKERLISTGEN_REBALANCE", "after-add"}, {"WORKERLISTGEN_REBALANCE_TRANSFER_MODE", "block_writes"}}),
               with_status_port()};
  std::set<std::string> four;
  for (int i = 1; i <= 4; ++i)
    four.insert(citus_cluster::worker(i));
  REQUIRE_MESSAGE(t.nodes_become(four), side.log());
  REQUIRE(t.cluster.sql(thousand_rows + a_reference_table));

  // The drain runs as its own process while a fifth worker comes: the
  // sidecar adds it and owes a rebalance, which waits for the drain's job.
  const auto rebalances = side.metric("citus_rebalances_started_total");
  temp_dir dir;
  child_process drain{{bin_path("dockercloud-workerlistgen"), {"drain", citus_cluster::worker(3), citus_cluster::worker(4)},
                       t.env({{"WORKERLISTGEN_REBALANCE_TRANSFER_MODE", "block_writes"}}), dir.path() + "/out", {}}};
  t.run_worker(5);
  const auto drained = drain.wait_for_exit(120s);
  CHECK_MESSAGE(drained == 0, (read_file(dir.path() + "/out").value_or("") + side.log()));
  // The sidecar's rebalance for the fifth worker has run, after the drain's
  // job or before it, and finished.
  REQUIRE_MESSAGE(wait_until([&] {
                    return side.metric("citus_rebalances_started_total") > rebalances
                           && side.metric("citus_rebalance{state=\"finished\"}") == 1;
                  }, 60s),
                  side.log());
  CHECK(shards_on(t.cluster, 3) == "0\n");
  CHECK(shards_on(t.cluster, 4) == "0\n");
  CHECK(shards_on(t.cluster, 5) != "0\n"); // the new worker got shards, the drained ones none

  // Their containers go: the drained nodes are removed, reference table and all.
  t.engine.remove_container("citus_worker_3");
  t.engine.remove_container("citus_worker_4");
  CHECK_MESSAGE(t.nodes_become({citus_cluster::worker(1), citus_cluster::worker(2), citus_cluster::worker(5)}),
                side.log());
  CHECK(side.metric("citus_nodes_removed_total") == 2);
  CHECK(row_count(t.cluster) == "1000\n");
  CHECK(t.cluster.sql("SELECT count(*) FROM kinds").value_or("") == "0\n");
}

TEST_CASE("citus: a worker that leaves holding shards is named by /healthz and a metric until it is back" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2};
  sidecar side{t.env(), with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1), citus_cluster::worker(2)}), side.log());
  REQUIRE(t.cluster.sql(thousand_rows));
  const auto w2 = citus_cluster::worker(2) + ":" + std::to_string(t.cluster.port());
  const auto metric = "citus_departed_node_shards{node=\"" + w2 + "\"}";
  t.engine.remove_container("citus_worker_2");
  REQUIRE_MESSAGE(side.metric_reaches(metric, 16, 15s), side.log());
  const auto health_url = "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz";
  const auto health = http_request("GET", health_url);
  CHECK(health.status == 503);
  CHECK_MESSAGE(health.body.find("worker " + w2 + " left holding 16 shard(s): start it again") != std::string::npos,
                health.body);
  CHECK(t.cluster.worker_nodes().count(citus_cluster::worker(2)) == 1); // kept, with its placements

  t.run_worker(2);
  CHECK_MESSAGE(wait_until([&] { return http_request("GET", health_url).status == 200; }, 15s), side.log());
  CHECK(side.metric(metric) == -1); // no sample: nothing has departed
}

TEST_CASE("citus: scale in a compose project drains the highest-numbered workers, then prints the compose command" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{0, 4};
  for (int i = 1; i <= 4; ++i) {
    auto labels = worker_labels(i);
    labels.push_back("com.docker.compose.service=worker");
    labels.push_back("com.docker.compose.container-number=" + std::to_string(i));
    t.engine.run("citus_worker_" + std::to_string(i), labels);
  }
  sidecar side{t.env(), with_status_port()};
  std::set<std::string> four;
  for (int i = 1; i <= 4; ++i)
    four.insert(citus_cluster::worker(i));
  REQUIRE_MESSAGE(t.nodes_become(four), side.log());
  REQUIRE(t.cluster.sql(thousand_rows));
  REQUIRE(shards_on(t.cluster, 4) == "8\n");

  const auto env = t.env({{"WORKERLISTGEN_REBALANCE_TRANSFER_MODE", "block_writes"}});
  const auto rehearsal = run_command({"scale", "worker", "2", "--dry-run"}, env);
  CHECK_MESSAGE(rehearsal.status == 0, (rehearsal.out + rehearsal.err));
  CHECK(rehearsal.out.find("would drain " + citus_cluster::worker(3) + ", " + citus_cluster::worker(4)) != std::string::npos);
  CHECK(shards_on(t.cluster, 4) == "8\n");

  const auto started = std::chrono::steady_clock::now();
  const auto scale = run_command({"scale", "worker", "2"}, env);
  REQUIRE_MESSAGE(scale.status == 0, (scale.out + scale.err));
  CHECK(scale.out.find("docker compose -p citus up -d --scale worker=2") != std::string::npos);
  CHECK(shards_on(t.cluster, 3) == "0\n");
  CHECK(shards_on(t.cluster, 4) == "0\n");
  // What the printed command does: the two highest-numbered containers go.
  t.engine.remove_container("citus_worker_3");
  t.engine.remove_container("citus_worker_4");
  CHECK_MESSAGE(t.nodes_become({citus_cluster::worker(1), citus_cluster::worker(2)}), side.log());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  MESSAGE("scale worker 4 -> 2 (compose, stand-in containers): drained and removed in " << took.count() << " s");
  CHECK(row_count(t.cluster) == "1000\n");

  CHECK(run_command({"scale", "nosuch", "1"}, env).status == 3);
  CHECK(run_command({"scale", "worker", "two"}, env).status == 2);
}
