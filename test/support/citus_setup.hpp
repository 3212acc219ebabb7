#pragma once

// What the Citus integration tests share: a skip where no cluster can run, a
// cluster with an engine whose labelled containers stand for its workers
// (each labelled with its worker's address, named by
// --worker-name=label:citus.address), and a 1,000-row table.

#include "test/support/citus_cluster.hpp"
#include "test/support/citus_kit.hpp"
#include "test/support/engine.hpp"
#include "test/support/fixtures.hpp"
#include "test/support/process.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace wlg::test {

// True when the test can run; otherwise says why on one line.
inline bool citus_available() {
  if (auto why = citus_unavailable()) {
    std::fprintf(stderr, "%s\n", why->c_str());
    return false;
  }
  return true;
}

// Ends the test early (a skip, said on one line) where no cluster can run.
#define SKIP_WITHOUT_CITUS()                                                                                   \
  if (!citus_available())                                                                                      \
  return

inline std::vector<std::string> worker_labels(int i) {
  return {"com.citusdata.role=Worker", "com.docker.compose.project=citus", "citus.address=" + citus_cluster::worker(i)};
}

// A cluster of a coordinator and two workers, and an engine running the
// first `running` worker containers.
struct citus_setup {
  citus_cluster cluster;
  container_engine engine;

  explicit citus_setup(int running = 0, int workers = 2, engine_kind kind = engine_kind::podman)
    : cluster(workers), engine(kind) {
    for (int i = 1; i <= running; ++i)
      run_worker(i);
  }

  // The sidecar's environment, with `extra` settings on top.
  env_map env(const env_map& extra = {}) const {
    env_map out{{"WORKERLISTGEN_SOURCE", "engine"},
            {"DOCKER_HOST", engine.docker_host()},
            {"DOCKERCLOUD_STACK_NAME", "citus"},
            {"WORKERLISTGEN_TARGET", "citus"},
            {"WORKERLISTGEN_COORDINATOR", cluster.conninfo()},
            {"WORKERLISTGEN_WORKER_NAME", "label:citus.address"},
            {"WORKERLISTGEN_WORKER_PORT", std::to_string(cluster.port())},
            {"WORKERLISTGEN_BACKOFF_INITIAL", "100ms"},
            {"WORKERLISTGEN_BACKOFF_MAX", "500ms"}};
    for (const auto& [key, value] : extra)
      out[key] = value;
    return out;
  }
  void run_worker(int i) { engine.run("citus_worker_" + std::to_string(i), worker_labels(i)); }
  bool nodes_become(const std::set<std::string>& expected, std::chrono::milliseconds timeout = std::chrono::seconds(15)) const {
    return wait_until([&] { return cluster.worker_nodes() == expected; }, timeout);
  }
};

// The distributed table `items`, 1,000 rows in 32 shards.
inline const std::string thousand_rows = "CREATE TABLE items (id int PRIMARY KEY, payload text);"
                                  "SELECT create_distributed_table('items', 'id');"
                                  "INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 1000) g;";

// Placements on worker i's group, as psql prints the count ("16\n"), or
// nothing when the coordinator cannot say.
inline std::string placements_on(const citus_setup& t, int worker) {
  return t.cluster
    .sql("SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) WHERE n.nodename = '"
         + citus_cluster::worker(worker) + "'")
    .value_or("");
}

} // namespace wlg::test
