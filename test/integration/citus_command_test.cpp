// The commands beside the sidecar (`dockercloud-workerlistgen status`, ...)
// against a real Citus cluster: run to completion, their output and exit
// status checked.

#include "test/support/citus_cluster.hpp"
#include "test/support/citus_kit.hpp"
#include "test/support/files.hpp"
#include "test/support/fixtures.hpp"
#include "test/support/process.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

#define SKIP_WITHOUT_CITUS()                                                                                   \
  if (auto why = citus_unavailable()) {                                                                        \
    std::fprintf(stderr, "%s\n", why->c_str());                                                                \
    return;                                                                                                    \
  }

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

// A cluster of two registered workers and a 1,000-row table in 32 shards.
struct registered_cluster {
  citus_cluster cluster{2};
  registered_cluster() {
    for (int i = 1; i <= 2; ++i)
      REQUIRE(cluster.sql("SELECT citus_add_node('" + citus_cluster::worker(i) + "', " + std::to_string(cluster.port())
                          + ")"));
    REQUIRE(cluster.sql("SET citus.shard_count = 32; CREATE TABLE items (id int PRIMARY KEY, payload text);"
                        "SELECT create_distributed_table('items', 'id');"
                        "INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 1000) g;"));
  }
  env_map env(const std::string& conninfo = {}) const {
    return {{"WORKERLISTGEN_COORDINATOR", conninfo.empty() ? cluster.conninfo() : conninfo}};
  }
  std::string node_json(int worker, const std::string& rest) const {
    return "{\"name\":\"" + citus_cluster::worker(worker) + "\",\"port\":" + std::to_string(cluster.port()) + "," + rest
           + "}";
  }
};

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
