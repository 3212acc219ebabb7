// --target=citus against a real Citus cluster (a coordinator and workers,
// each a PostgreSQL 15 instance) and podman's engine for the worker
// containers: each container is labelled with its worker's address, and
// --worker-name=label:citus.address names it.

#include "test/support/citus_setup.hpp"
#include "test/support/fixtures.hpp"
#include "test/support/http_client.hpp"
#include "test/support/engine.hpp"
#include "test/support/process.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <optional>
#include <sstream>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const std::set<std::string> both = {citus_cluster::worker(1), citus_cluster::worker(2)};

// Shards and where their placements are, as one line per placement.
std::string placements(const citus_setup& t) {
  return t.cluster.sql("SELECT shardid, groupid FROM pg_dist_placement ORDER BY 1, 2").value_or("(unreadable)");
}

std::string node_row(const citus_setup& t, int worker) {
  return t.cluster
    .sql("SELECT isactive FROM pg_dist_node WHERE nodename = '" + citus_cluster::worker(worker) + "'")
    .value_or("(unreadable)");
}

// Every line the sidecar wrote (stdout and stderr) is a JSON object.
void check_every_line_is_json(const std::string& log) {
  std::istringstream lines{log};
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    CHECK((line.size() > 1 && line.front() == '{' && line.back() == '}'));
  }
}

} // namespace

TEST_CASE("citus: workers present at start are added, and one started later too") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  sidecar side{t.env(), with_status_port()};
  CHECK_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
  REQUIRE(side.metric_reaches("citus_nodes_added_total", 1));
  CHECK(side.metric("coordinator_connected") == 1);
  t.run_worker(2);
  CHECK_MESSAGE(t.nodes_become(both), side.log());
  CHECK(side.metric_reaches("citus_nodes_added_total", 2));
  CHECK(side.metric("citus_add_failures_total") == 0);
  CHECK(side.log().find("password") == std::string::npos);
}

TEST_CASE("citus: a worker whose database is down is retried, and added once it is up") {
  SKIP_WITHOUT_CITUS();
  citus_setup t;
  t.cluster.stop_node("w2");
  t.run_worker(1);
  t.run_worker(2);
  sidecar side{t.env(), with_status_port()};
  CHECK_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
  REQUIRE_MESSAGE(side.metric_reaches("citus_add_failures_total", 2), side.log()); // tried, and tried again
  t.cluster.start_node("w2");
  CHECK_MESSAGE(t.nodes_become(both), side.log());
}

TEST_CASE("citus: a worker gone without shard placements is removed, one with placements stays, every row kept") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2};
  sidecar side{t.env(), with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become(both), side.log());

  // A distributed table: shards on both workers.
  REQUIRE(t.cluster.sql("CREATE TABLE items (id bigint PRIMARY KEY, v text);"
                        "SELECT create_distributed_table('items', 'id');"
                        "INSERT INTO items SELECT i, 'v' || i FROM generate_series(1, 1000) i;"));
  t.engine.stop_container("citus_worker_2");
  REQUIRE_MESSAGE(side.metric_reaches("citus_stale_nodes", 1), side.log());
  CHECK(t.cluster.worker_nodes() == both);
  CHECK(side.metric("citus_nodes_removed_total") == 0);
  CHECK(t.cluster.sql("SELECT count(*) FROM items") == "1000\n");
  CHECK(t.cluster.sql("SELECT count(*) FROM pg_dist_placement") != "0\n");

  // Without placements it goes: drop the table, and the next sync removes it.
  REQUIRE(t.cluster.sql("DROP TABLE items"));
  side.process().signal(SIGUSR1);
  CHECK_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
  CHECK(side.metric_reaches("citus_nodes_removed_total", 1));
  CHECK(wait_until([&] { return side.metric("citus_stale_nodes") == 0; }, 10s));
}

// A scale-in of two drained workers: both databases stop before either
// container is gone. Citus sends a removal to every other active node with
// metadata, so each blocks the other's until one is disabled, and Citus then
// refuses until its maintenance daemon has synced that: the refused
// removals must be retried, not left for the next sync.
TEST_CASE("citus: two empty workers that go at once, each blocking the other's removal, are disabled, then removed" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{4, 4};
  sidecar side{t.env({{"WORKERLISTGEN_DISABLE_UNREACHABLE_AFTER", "1s"}}), with_status_port()};
  std::set<std::string> four;
  for (int i = 1; i <= 4; ++i)
    four.insert(citus_cluster::worker(i));
  REQUIRE_MESSAGE(t.nodes_become(four), side.log());

  t.cluster.stop_node("w3");
  t.cluster.stop_node("w4");
  t.engine.remove_container("citus_worker_3");
  t.engine.remove_container("citus_worker_4");
  const auto gone_at = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(t.nodes_become(both, 45s), side.log());
  MESSAGE("both containers gone -> both nodes removed, with --disable-unreachable-after=1s: "
          << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - gone_at).count()
          << " ms, " << side.metric("citus_remove_failures_total") << " refused removals");
  CHECK(side.metric("citus_remove_failures_total") >= 1); // refused, and retried
  CHECK(side.metric("citus_nodes_disabled_total") >= 1); // one of them at least, which blocked the other
  CHECK(side.metric("citus_nodes_removed_total") == 2);
  CHECK_MESSAGE(wait_until([&] { return side.metric("citus_stale_nodes") == 0; }, 10s), side.log());
}

TEST_CASE("citus: the coordinator stopped while a worker starts, it converges once the coordinator is back") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  sidecar side{t.env(), with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
  t.cluster.stop_node("coord");
  t.run_worker(2);
  REQUIRE_MESSAGE(wait_until([&] { return side.metric("coordinator_connected") == 0; }, 15s), side.log());
  REQUIRE_MESSAGE(side.metric_reaches("coordinator_connect_failures_total", 3), side.log()); // waited for, with back-off
  // One warning for the outage: not one per attempt, and not a second one
  // from the reconciler's retry.
  CHECK_MESSAGE(count_of(side.log(), "warning [citus_membership] cannot reach the coordinator") == 1, side.log());
  CHECK_MESSAGE(count_of(side.log(), "warning [state_reconciler]") == 0, side.log());
  const auto health = http_request("GET", "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz");
  CHECK(health.status == 503);
  CHECK(health.body.find("cannot reach the coordinator") != std::string::npos);
  CHECK(side.metric("coordinator_problem{problem=\"unreachable\"}") == 1);
  t.cluster.start_node("coord");
  CHECK_MESSAGE(t.nodes_become(both), side.log());
  CHECK(side.metric("coordinator_reconnects_total") >= 1);
  CHECK(side.process().running());
}

TEST_CASE("citus: --ready-file: one left from an earlier run is removed at start, and made once the coordinator is reached") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  temp_dir dir;
  const std::string ready = dir.path() + "/manager-ready";
  write_file(ready, ""); // what a worker waiting on it would take for a ready sidecar
  t.cluster.stop_node("coord");
  sidecar side{t.env({{"WORKERLISTGEN_READY_FILE", ready}}), with_status_port()};
  REQUIRE_MESSAGE(side.metric_reaches("coordinator_connect_failures_total", 1), side.log());
  CHECK_FALSE(read_file(ready).has_value());
  t.cluster.start_node("coord");
  REQUIRE_MESSAGE(wait_until([&] { return read_file(ready).has_value(); }, 30s), side.log());
  CHECK(side.metric("coordinator_connected") == 1);
  CHECK_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
}

TEST_CASE("citus: --once adds the workers and exits 0, exits 1 when the coordinator is down") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2};
  const auto env = t.env({{"WORKERLISTGEN_ONCE", "1"}});
  {
    sidecar side{env};
    CHECK_MESSAGE(side.process().wait_for_exit(30s) == 0, side.log());
    CHECK(t.cluster.worker_nodes() == both);
  }
  t.cluster.stop_node("coord");
  sidecar side{env};
  CHECK_MESSAGE(side.process().wait_for_exit(30s) == 1, side.log());
}

TEST_CASE("citus: --dry-run prints the statements and runs none") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  const auto env = t.env({{"WORKERLISTGEN_ONCE", "1"}, {"WORKERLISTGEN_DRY_RUN", "1"}});
  temp_dir out;
  const auto run = run_to_completion({bin_path("dockercloud-workerlistgen"), {}, env, {}, {}, out.path() + "/stderr"}, 30s);
  CAPTURE(run.output);
  CHECK(run.status == 0);
  CHECK(run.output.find("SELECT citus_add_node('" + citus_cluster::worker(1) + "', '" + std::to_string(t.cluster.port())
                        + "'::int);")
        != std::string::npos);
  CHECK(t.cluster.worker_nodes().empty());
}

TEST_CASE("citus: SIGTERM while the coordinator holds a query exits 0 within a second") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  // Another session holds pg_dist_node: the sidecar's read waits on it.
  // (Any query on the coordinator may wait on it too, so the session says
  // itself when it has the lock.)
  temp_dir dir;
  write_file(dir.path() + "/hold.sql", "BEGIN;\nLOCK TABLE pg_dist_node IN ACCESS EXCLUSIVE MODE;\n\\! touch "
                                        + dir.path() + "/locked\nSELECT pg_sleep(60);\n");
  child_process holder{{"/usr/bin/psql",
                        {"-h", "127.0.0.1", "-p", std::to_string(t.cluster.port()), "-U", "postgres", "-qAtX", "-f",
                         dir.path() + "/hold.sql"},
                        {},
                        dir.path() + "/holder.log",
                        {}}};
  REQUIRE(wait_until([&] { return read_file(dir.path() + "/locked").has_value(); }, 10s));
  sidecar side{t.env(), with_status_port()};
  REQUIRE_MESSAGE(side.metric_reaches("coordinator_connected", 1), side.log());
  side.process().signal(SIGTERM);
  const auto status = side.process().wait_for_exit(1s);
  CHECK_MESSAGE(status == 0, side.log());
  holder.signal(SIGTERM);
}

TEST_CASE("citus: a crash of the membership actor is restarted alone, and the nodes still converge") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2};
  // Every 5th message (a pass is the apply, then the outcomes of connecting,
  // the lock, the read and each change): the first passes die on an add's
  // outcome (after its statement ran), the third finds nothing left to do.
  sidecar side{t.env({{"WORKERLISTGEN_INJECT_FAULT", "citus_membership:crash:every=5"},
                      {"WORKERLISTGEN_MAX_RESTARTS", "1000"}}),
               with_status_port()};
  CHECK_MESSAGE(t.nodes_become(both), side.log());
  CHECK(side.metric_reaches("actor_restarts_total{actor=\"citus_membership\"}", 1));
  CHECK(side.metric("actor_restarts_total{actor=\"state_reconciler\"}") == 0);
  CHECK(side.process().running());
}

TEST_CASE("citus: a coordinator password never reaches the log, /metrics or /healthz") {
  // No cluster needed: the workers come from the emulator, the coordinator
  // refuses, and every error is logged (at debug level too).
  emulator emu;
  const std::string secret = "hunter2-coordinator-secret";
  auto env = emu.sidecar_env();
  env["WORKERLISTGEN_TARGET"] = "citus";
  env["WORKERLISTGEN_COORDINATOR"] =
    "host=127.0.0.1 port=" + std::to_string(unused_tcp_port()) + " user=postgres password=" + secret;
  env["PGPASSWORD"] = secret + "-from-env";
  env["WORKERLISTGEN_BACKOFF_INITIAL"] = "50ms";
  env["DEBUG"] = "true";
  sidecar side{env, with_status_port()};
  REQUIRE_MESSAGE(side.metric_reaches("coordinator_connect_failures_total", 3), side.log());
  const auto page = http_request("GET", "http://127.0.0.1:" + std::to_string(side.status_port()) + "/metrics");
  const auto health = http_request("GET", "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz");
  CHECK(health.status == 503);
  CHECK(health.body.find("\"coordinator_connected\":false") != std::string::npos);
  for (const auto& [where, text] : {std::pair{"log", side.log()}, {"metrics", page.body}, {"healthz", health.body}}) {
    CAPTURE(where);
    CHECK(text.find(secret) == std::string::npos);
  }
}

TEST_CASE("citus: a multi-host connection string whose first host refuses connections reaches the second") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2};
  // libpq's own failover: nothing listens on 127.0.0.99, so it goes on to the
  // coordinator, and accepts it as it takes writes.
  const auto port = std::to_string(t.cluster.port());
  sidecar side{t.env({{"WORKERLISTGEN_COORDINATOR", "host=127.0.0.99,127.0.0.1 port=" + port + "," + port
                                                      + " user=postgres dbname=postgres target_session_attrs=read-write"}}),
               with_status_port()};
  CHECK_MESSAGE(t.nodes_become(both), side.log());
  CHECK(side.metric_reaches("citus_nodes_added_total", 2));
  CHECK(side.metric("coordinator_connect_failures_total") == 0);
}

TEST_CASE("citus: a wrong password, a missing database and a database without Citus each name their own fix" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  t.cluster.require_password("wlg_pw", "right-one");
  REQUIRE(t.cluster.sql("CREATE DATABASE plain"));
  const auto port = std::to_string(t.cluster.port());
  struct case_ {
    std::string conninfo;
    std::string problem;
    std::string reason; // in /healthz, and once in the log
  };
  const std::vector<case_> cases{
    {"host=127.0.0.1 port=" + port + " user=wlg_pw password=wrong-one dbname=postgres", "wrong_password",
     "refused the password"},
    {"host=127.0.0.1 port=" + port + " user=wlg_pw dbname=postgres", "no_password", "wants a password"},
    {"host=127.0.0.1 port=" + port + " user=postgres dbname=nope", "no_database", "has no such database"},
    {"host=127.0.0.1 port=" + port + " user=postgres dbname=plain", "no_citus", "run CREATE EXTENSION citus"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.problem);
    {
      sidecar side{t.env({{"WORKERLISTGEN_COORDINATOR", c.conninfo}, {"PGPASSFILE", "/nonexistent"}}), with_status_port()};
      REQUIRE_MESSAGE(side.metric_reaches("coordinator_problem{problem=\"" + c.problem + "\"}", 1), side.log());
      // Retried (said once, as the outage test checks), and /healthz names it.
      REQUIRE_MESSAGE(side.metric_reaches("apply_failures_total", 3, 15s), side.log());
      const auto health = http_request("GET", "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz");
      CHECK(health.status == 503);
      CHECK_MESSAGE(health.body.find(c.reason) != std::string::npos, health.body);
      CHECK(side.log().find("right-one") == std::string::npos);
      CHECK(side.log().find("wrong-one") == std::string::npos);
    }
    // --once names the cause and exits 1 (the sidecar above, which held the
    // lock in that database, is gone).
    sidecar once{t.env({{"WORKERLISTGEN_COORDINATOR", c.conninfo}, {"PGPASSFILE", "/nonexistent"},
                        {"WORKERLISTGEN_ONCE", "1"}})};
    CHECK(once.process().wait_for_exit(30s) == 1);
    CHECK_MESSAGE(once.log().find(c.reason) != std::string::npos, once.log());
  }
}

TEST_CASE("citus: the connection string from WORKERLISTGEN_COORDINATOR_FILE: a refused password is 503 naming the host, 200 once mended") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  t.cluster.require_password("wlg_pw", "right-one");
  REQUIRE(t.cluster.sql("CREATE ROLE wlg_pw LOGIN SUPERUSER", 1)); // Citus reaches the worker as the same role
  temp_dir secrets;
  const auto file = secrets.path() + "/coordinator"; // as a Docker secret is mounted
  const std::string secret = "file-secret-1";
  write_file(file, "host=127.0.0.1 port=" + std::to_string(t.cluster.port()) + " user=wlg_pw password=" + secret
                     + " dbname=postgres\n");
  auto env = t.env({{"WORKERLISTGEN_COORDINATOR_FILE", file}, {"PGPASSFILE", "/nonexistent"}});
  env.erase("WORKERLISTGEN_COORDINATOR");
  sidecar side{env, with_status_port()};
  const auto health_url = "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz";
  REQUIRE_MESSAGE(side.metric_reaches("coordinator_problem{problem=\"wrong_password\"}", 1), side.log());
  const auto refused = http_request("GET", health_url);
  CHECK(refused.status == 503);
  CHECK_MESSAGE(refused.body.find("the coordinator refused the password") != std::string::npos, refused.body);
  CHECK_MESSAGE(refused.body.find("127.0.0.1") != std::string::npos, refused.body); // libpq's words name the host

  // Mended on the coordinator's side: the file's password becomes the role's.
  REQUIRE(t.cluster.sql("ALTER ROLE wlg_pw PASSWORD '" + secret + "'"));
  REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
  CHECK_MESSAGE(wait_until([&] { return http_request("GET", health_url).status == 200; }, 10s), side.log());
  const auto page = http_request("GET", "http://127.0.0.1:" + std::to_string(side.status_port()) + "/metrics");
  for (const auto& [where, text] : {std::pair{"log", side.log()}, {"metrics", page.body}, {"healthz", refused.body}}) {
    CAPTURE(where);
    CHECK(text.find(secret) == std::string::npos);
  }
}

TEST_CASE("citus: with --log-format=json, the server's notices are JSON lines too, as is every other line") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2};
  // client_min_messages=debug5 has the server send notices for every
  // statement; libpq would print them raw on stderr.
  sidecar side{t.env({{"WORKERLISTGEN_LOG_FORMAT", "json"},
                      {"DEBUG", "1"},
                      {"WORKERLISTGEN_COORDINATOR", t.cluster.conninfo() + " options='-c client_min_messages=debug5'"}}),
               with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become(both), side.log());
  // A worker down and the coordinator restarted meanwhile.
  t.cluster.stop_node("w2");
  t.cluster.stop_node("coord");
  side.process().signal(SIGUSR1);
  REQUIRE_MESSAGE(side.metric_reaches("coordinator_connect_failures_total", 1), side.log());
  t.cluster.start_node("coord");
  t.cluster.start_node("w2");
  REQUIRE_MESSAGE(side.metric_reaches("coordinator_connected", 1), side.log());
  const auto log = side.log();
  CHECK_MESSAGE(log.find("the coordinator says: DEBUG: StartTransaction") != std::string::npos, log);
  check_every_line_is_json(log);
}

TEST_CASE("citus: two sidecars, one leader: nothing is done twice, and the standby takes over from a killed leader") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2, 3};
  const auto env = t.env({{"WORKERLISTGEN_POLL_INTERVAL", "1s"}});
  std::optional<sidecar> first{std::in_place, env, with_status_port()};
  sidecar second{env, with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become(both), (first->log() + second.log()));
  // Both have answered a pass on a live connection, and each pass of one
  // that does not lead tries the lock: one leads, one stands by.
  const auto both_settled = [&] {
    return first->metric("coordinator_connected") == 1 && second.metric("coordinator_connected") == 1
           && first->metric("last_sync_timestamp_seconds") > 0 && second.metric("last_sync_timestamp_seconds") > 0
           && first->metric("citus_leader") + second.metric("citus_leader") == 1;
  };
  REQUIRE_MESSAGE(wait_until(both_settled, 15s), (first->log() + second.log()));
  CHECK(first->metric("citus_nodes_added_total") + second.metric("citus_nodes_added_total") == 2);
  CHECK(first->metric("citus_add_failures_total") + second.metric("citus_add_failures_total") == 0);
  const bool first_leads = first->metric("citus_leader") == 1;
  sidecar& standby = first_leads ? second : *first;
  // Healthy as a standby once its first sync is answered.
  const auto healthy_standby = [&] {
    const auto health = http_request("GET", "http://127.0.0.1:" + std::to_string(standby.status_port()) + "/healthz");
    return health.status == 200 && health.body.find("\"role\":\"standby\"") != std::string::npos;
  };
  CHECK_MESSAGE(wait_until(healthy_standby, 10s), standby.log());

  // The leader dies; its session ends, and the standby leads from its next poll.
  const auto killed_at = std::chrono::steady_clock::now();
  (first_leads ? first->process() : second.process()).signal(SIGKILL);
  t.run_worker(3);
  const std::set<std::string> three{citus_cluster::worker(1), citus_cluster::worker(2), citus_cluster::worker(3)};
  REQUIRE_MESSAGE(standby.metric_reaches("citus_leader", 1, 15s), standby.log());
  const auto takeover = std::chrono::steady_clock::now() - killed_at;
  CHECK_MESSAGE(t.nodes_become(three), standby.log());
  CHECK(standby.metric("citus_nodes_added_total") == 1);
  MESSAGE("takeover after kill -9 of the leader (poll interval 1 s): "
          << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count() << " ms");
}

TEST_CASE("citus: --dry-run takes no lock, so it runs beside a leader") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{1};
  sidecar leader{t.env(), with_status_port()};
  REQUIRE_MESSAGE(leader.metric_reaches("citus_leader", 1), leader.log());
  t.run_worker(2);
  temp_dir out;
  const auto run = run_to_completion({bin_path("dockercloud-workerlistgen"), {},
                                      t.env({{"WORKERLISTGEN_ONCE", "1"}, {"WORKERLISTGEN_DRY_RUN", "1"}}), {}, {},
                                      out.path() + "/stderr"},
                                     30s);
  CHECK_MESSAGE(run.status == 0, run.output);
  CHECK(run.output.find("standing by") == std::string::npos);
  CHECK(run.output.find("pg_try_advisory_lock") == std::string::npos);
}

TEST_CASE("citus: a worker with a healthcheck is added once it reports healthy, not while it starts, on both engines" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  for (const auto kind : {engine_kind::podman, engine_kind::docker}) {
    CAPTURE(kind == engine_kind::podman ? "podman" : "docker");
    citus_setup t{1, 2, kind};
    sidecar side{t.env(), with_status_port()};
    REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
    // Starting until /hups/citus_worker_2.ok exists (100 failures before it would count as unhealthy).
    auto labels = worker_labels(2);
    labels.insert(labels.end(),
                  {"--health-cmd=test -f /hups/citus_worker_2.ok", "--health-interval=200ms", "--health-retries=100"});
    const auto fetches = side.metric("fetches_total");
    t.engine.run("citus_worker_2", labels);
    // The container's start was fetched, and fetched again while it starts;
    // its worker waits. (Podman lists it as "Up", without the health in the
    // status text, and answers the health filter.)
    REQUIRE_MESSAGE(side.metric_reaches("fetches_total", fetches + 2), side.log());
    t.engine.run_healthcheck("citus_worker_2"); // a failing check: still starting
    CHECK(t.cluster.worker_nodes() == std::set<std::string>{citus_cluster::worker(1)});
    const auto healthy_at = std::chrono::steady_clock::now();
    t.engine.exec("citus_worker_2", {"/bin/sh", "-c", ": > /hups/citus_worker_2.ok"});
    const auto registered = [&] {
      t.engine.run_healthcheck("citus_worker_2");
      return t.cluster.worker_nodes() == both;
    };
    REQUIRE_MESSAGE(wait_until(registered, 15s), side.log());
    MESSAGE((kind == engine_kind::podman ? "podman" : "docker")
            << ": healthcheck passing -> node in pg_dist_node (health interval 200 ms): "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - healthy_at).count()
            << " ms");
  }
}

TEST_CASE("citus: a worker whose healthcheck fails is not added, and a registered one that turns unhealthy stays, on both engines" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  for (const auto kind : {engine_kind::podman, engine_kind::docker}) {
    CAPTURE(kind == engine_kind::podman ? "podman" : "docker");
    citus_setup t{0, 3, kind};
    sidecar side{t.env(), with_status_port()};
    // Healthy until /hups/NAME.health says bad; one failure makes it unhealthy.
    const auto with_check = [](int i) {
      auto labels = worker_labels(i);
      const std::string name = "citus_worker_" + std::to_string(i);
      labels.insert(labels.end(), {"--health-cmd=test \"$(cat /hups/" + name + ".health)\" != bad",
                                   "--health-interval=200ms", "--health-retries=1"});
      return labels;
    };
    // Written through worker 1, which shares /hups with every container of the engine.
    const auto set_health = [&](int i, const char* health) {
      t.engine.exec("citus_worker_1", {"/bin/sh", "-c", std::string{"echo "} + health + " > /hups/citus_worker_"
                                                          + std::to_string(i) + ".health"});
    };
    const auto health_becomes = [&](int i, const std::string& wanted) {
      const std::string name = "citus_worker_" + std::to_string(i);
      return wait_until([&] { t.engine.run_healthcheck(name); return t.engine.health_of(name) == wanted; }, 15s);
    };
    t.engine.run("citus_worker_1", with_check(1));
    REQUIRE(health_becomes(1, "healthy"));
    REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());

    // Worker 2 fails its check from the first; worker 1 starts failing.
    set_health(2, "bad");
    t.engine.run("citus_worker_2", with_check(2));
    set_health(1, "bad");
    REQUIRE(health_becomes(2, "unhealthy"));
    REQUIRE(health_becomes(1, "unhealthy"));
    // A healthy worker started after both: once it is added, the sync that
    // added it saw them unhealthy.
    t.run_worker(3);
    REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1), citus_cluster::worker(3)}), side.log());
    CHECK(side.metric("citus_nodes_removed_total") == 0);

    // Once worker 2's check passes, it is added.
    set_health(2, "good");
    REQUIRE(health_becomes(2, "healthy"));
    CHECK_MESSAGE(t.nodes_become({citus_cluster::worker(1), citus_cluster::worker(2), citus_cluster::worker(3)}),
                  side.log());
  }
}

TEST_CASE("citus: a worker that came back empty under its name is found: /healthz 503, the metric, every placement kept, and once restored 200") {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2};
  sidecar side{t.env({{"WORKERLISTGEN_POLL_INTERVAL", "2s"}}), with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become(both), side.log());
  REQUIRE(t.cluster.sql(thousand_rows));
  const auto before = placements(t);
  const auto w2 = citus_cluster::worker(2) + ":" + std::to_string(t.cluster.port());
  const auto metric = "citus_missing_placements{node=\"" + w2 + "\"}";
  const auto health_url = "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz";

  // A container replaced under the same name, with its data intact: checked, whole, nothing reported.
  CHECK(side.metric("citus_placement_checks_total") == 0); // nothing changed under a name yet
  t.engine.remove_container("citus_worker_1");
  t.run_worker(1);
  REQUIRE_MESSAGE(side.metric_reaches("citus_placement_checks_total", 1, 15s), side.log());
  CHECK(side.metric("citus_missing_placements{node=\"" + citus_cluster::worker(1) + ":"
                    + std::to_string(t.cluster.port()) + "\"}") < 0);
  CHECK(http_request("GET", health_url).status == 200);

  // Worker 2's database comes back empty (a fresh data directory) and its
  // container is replaced under the same name, as Compose does on a scale
  // down and up without the volume.
  t.cluster.empty_worker(2);
  t.engine.remove_container("citus_worker_2");
  t.run_worker(2);
  REQUIRE_MESSAGE(side.metric_reaches(metric, 16, 15s), side.log());
  const auto health = http_request("GET", health_url);
  CHECK(health.status == 503);
  CHECK_MESSAGE(health.body.find("worker node " + w2 + " came back without 16 of its 16 shard(s)") != std::string::npos,
                health.body);
  // No metadata changed to hide it: the node, active, and every placement row stay.
  CHECK(placements(t) == before);
  CHECK(node_row(t, 2) == "t\n");
  CHECK(t.cluster.worker_nodes() == both);
  CHECK(side.metric("citus_nodes_removed_total") == 0);
  CHECK_FALSE(t.cluster.sql("SELECT count(*) FROM items").has_value()); // what the user meets

  // Its data restored, a periodic pass finds it whole: the metric goes, /healthz is 200.
  t.cluster.restore_worker(2);
  REQUIRE_MESSAGE(wait_until([&] { return side.metric(metric) < 0; }, 15s), side.log());
  CHECK(http_request("GET", health_url).status == 200);
  CHECK(t.cluster.sql("SELECT count(*) FROM items") == std::optional<std::string>{"1000\n"});
  CHECK(placements(t) == before);
}

TEST_CASE("citus: on podman, which reports a check before its result, one passing check after a failing one adds the worker, every time" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  // Podman 4.3 sends health_status when a check starts, before it records
  // the result: a sync made on the event alone sees the state before the
  // check, and no later event comes when nothing runs the check again. The
  // check takes a second here, so that the result always comes after the
  // event's sync.
  citus_setup t{0, 1};
  sidecar side{t.env(), with_status_port()};
  const std::string name = "citus_worker_1";
  auto labels = worker_labels(1);
  labels.insert(labels.end(), {"--health-cmd=sleep 1; test \"$(cat /hups/" + name + ".health)\" != bad",
                               "--health-interval=200ms", "--health-retries=1"});
  t.engine.run(name, labels);
  const auto set_health = [&](const char* health) {
    t.engine.exec(name, {"/bin/sh", "-c", std::string{"echo "} + health + " > /hups/" + name + ".health"});
  };
  const auto health_becomes = [&](const std::string& wanted) {
    return wait_until([&] { t.engine.run_healthcheck(name); return t.engine.health_of(name) == wanted; }, 15s);
  };
  REQUIRE(health_becomes("healthy"));
  REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1)}), side.log());
  const auto remove = "SELECT citus_remove_node('" + citus_cluster::worker(1) + "', " + std::to_string(t.cluster.port()) + ")";
  for (int round = 1; round <= 2; ++round) {
    CAPTURE(round);
    set_health("bad");
    REQUIRE(health_becomes("unhealthy"));
    REQUIRE(t.cluster.sql(remove)); // by hand; held back, it is not added again
    set_health("good");
    t.engine.run_healthcheck(name); // once, and no more
    REQUIRE(t.engine.health_of(name) == "healthy");
    REQUIRE_MESSAGE(t.nodes_become({citus_cluster::worker(1)}, 10s), side.log());
  }
}

TEST_CASE("citus: --rebalance=after-add gives new workers shards, loses no row, and the metric shows it finished" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2, 4};
  sidecar side{t.env({{"WORKERLISTGEN_REBALANCE", "after-add"},
                      {"WORKERLISTGEN_REBALANCE_TRANSFER_MODE", "block_writes"}}),
               with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become(both), side.log());
  REQUIRE(t.cluster.sql(thousand_rows));
  // The first sync's rebalance (for the first two) has nothing to move, or is done.
  REQUIRE_MESSAGE(side.metric_reaches("citus_rebalance{state=\"finished\"}", 1), side.log());
  const auto started = side.metric("citus_rebalances_started_total");
  t.run_worker(3);
  t.run_worker(4);
  const std::set<std::string> four{citus_cluster::worker(1), citus_cluster::worker(2), citus_cluster::worker(3),
                                   citus_cluster::worker(4)};
  REQUIRE_MESSAGE(t.nodes_become(four), side.log());
  REQUIRE_MESSAGE(side.metric_reaches("citus_rebalances_started_total", started + 1), side.log());
  const auto on = [&](int worker) { return placements_on(t, worker); };
  // Both new workers hold shards once the jobs are done (two, when the second
  // worker came while the first job ran: it is started once that one ends).
  const auto spread = [&] {
    return on(3) != "0\n" && on(4) != "0\n" && side.metric("citus_rebalance{state=\"finished\"}") == 1;
  };
  CHECK_MESSAGE(wait_until(spread, 60s), side.log());
  CHECK(t.cluster.sql("SELECT count(*) FROM items") == std::optional<std::string>{"1000\n"});
  MESSAGE("placements on the 4 workers after the rebalance: " << on(1) << on(2) << on(3) << on(4));
}

TEST_CASE("citus: replication factor 2, a gone worker that stops answering is disabled, not deleted, and the new one added" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2, 3};
  sidecar side{t.env({{"WORKERLISTGEN_DISABLE_UNREACHABLE_AFTER", "2s"}}), with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become(both), side.log());
  REQUIRE(t.cluster.sql("SET citus.shard_replication_factor = 2;" + thousand_rows));
  const auto before = placements(t);

  // Worker 1 (the first worker node, which Citus disables only synchronously)
  // goes: its container, then its database. A new worker comes.
  t.engine.stop_container("citus_worker_1");
  t.cluster.stop_node("w1");
  const auto gone_at = std::chrono::steady_clock::now();
  t.run_worker(3);
  const std::set<std::string> three{citus_cluster::worker(1), citus_cluster::worker(2), citus_cluster::worker(3)};
  REQUIRE_MESSAGE(t.nodes_become(three, 20s), side.log());
  MESSAGE("worker gone -> the new worker added, with --disable-unreachable-after=2s: "
          << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - gone_at).count()
          << " ms");
  CHECK(side.metric("citus_nodes_disabled_total") == 1);
  CHECK(node_row(t, 1) == "f\n"); // disabled, its row kept
  CHECK(placements(t) == before);  // no placement touched
  CHECK_MESSAGE(side.metric_reaches("citus_disabled_nodes", 1), side.log());
  CHECK(t.cluster.sql("SELECT count(*) FROM items") == std::optional<std::string>{"1000\n"});
  CHECK(side.metric("citus_nodes_removed_total") == 0);

  // It comes back, wanted again (a new container carrying its address): activated.
  t.cluster.start_node("w1");
  t.engine.run("citus_worker_1_again", worker_labels(1));
  REQUIRE_MESSAGE(side.metric_reaches("citus_nodes_activated_total", 1, 20s), side.log());
  CHECK(node_row(t, 1) == "t\n");
  CHECK(wait_until([&] { return side.metric("citus_disabled_nodes") == 0; }, 10s));
  CHECK(t.cluster.sql("SELECT count(*) FROM items") == std::optional<std::string>{"1000\n"});
  const auto after = placements(t);
  MESSAGE("placements: " << std::count(before.begin(), before.end(), '\n') << " before, "
                         << std::count(after.begin(), after.end(), '\n')
                         << " after the activation (Citus drops a disabled node's replicas)");
}

TEST_CASE("citus: replication factor 1, a silent worker that holds the only placements blocks, /healthz names it, and adds resume once it answers" * doctest::test_suite("long")) {
  SKIP_WITHOUT_CITUS();
  citus_setup t{2, 3};
  // A refused add waits 5 s at first, so the time below is the watch's, not
  // a back-off's. The log is JSON, the server's warnings included.
  sidecar side{t.env({{"WORKERLISTGEN_DISABLE_UNREACHABLE_AFTER", "1s"},
                      {"WORKERLISTGEN_BACKOFF_INITIAL", "5s"},
                      {"WORKERLISTGEN_BACKOFF_MAX", "30s"},
                      {"WORKERLISTGEN_LOG_FORMAT", "json"}}),
               with_status_port()};
  REQUIRE_MESSAGE(t.nodes_become(both), side.log());
  REQUIRE(t.cluster.sql(thousand_rows));
  const auto before = placements(t);
  const auto on_w2 = placements_on(t, 2);
  REQUIRE_FALSE(on_w2.empty());
  const auto shards = std::stoi(on_w2);
  REQUIRE(shards > 0);

  t.engine.stop_container("citus_worker_2");
  t.cluster.stop_node("w2");
  t.run_worker(3);
  const auto blocker = citus_cluster::worker(2) + ":" + std::to_string(t.cluster.port());
  REQUIRE_MESSAGE(side.metric_reaches("citus_blocking_node_shards{node=\"" + blocker + "\"}", shards, 20s), side.log());
  REQUIRE_MESSAGE(side.metric_reaches("citus_add_failures_total", 1), side.log());
  const auto health = http_request("GET", "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz");
  CHECK(health.status == 503);
  CHECK_MESSAGE(health.body.find("worker node " + blocker + " does not answer") != std::string::npos, health.body);
  CHECK_MESSAGE(health.body.find("the only placement of " + std::to_string(shards) + " shard(s)") != std::string::npos,
                health.body);
  CHECK(side.metric("citus_unreachable_nodes") == 1);
  CHECK(side.metric("citus_nodes_disabled_total") == 0);
  CHECK(t.cluster.worker_nodes() == both);
  CHECK(placements(t) == before);

  // Its database answers again (its container stays gone): the blocked add goes through.
  t.cluster.start_node("w2");
  const auto answered_at = std::chrono::steady_clock::now();
  const std::set<std::string> three{citus_cluster::worker(1), citus_cluster::worker(2), citus_cluster::worker(3)};
  REQUIRE_MESSAGE(t.nodes_become(three), side.log());
  MESSAGE("blocking node answering again -> the blocked add done: "
          << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - answered_at).count()
          << " ms");
  CHECK(wait_until([&] { return side.metric("citus_unreachable_nodes") == 0; }, 10s));
  // It blocks no more, but its container is still gone with the only copies
  // of its shards: /healthz says that instead, until the container is back.
  const auto health_url = "http://127.0.0.1:" + std::to_string(side.status_port()) + "/healthz";
  const auto departed = [&] {
    const auto page = http_request("GET", health_url);
    return page.status == 503
           && page.body.find("worker " + blocker + " left holding " + std::to_string(shards) + " shard(s)")
                != std::string::npos;
  };
  CHECK_MESSAGE(wait_until(departed, 10s), side.log());
  t.engine.remove_container("citus_worker_2");
  t.run_worker(2);
  CHECK_MESSAGE(wait_until([&] { return http_request("GET", health_url).status == 200; }, 10s), side.log());
  CHECK(placements(t) == before);
  CHECK(t.cluster.sql("SELECT count(*) FROM items") == std::optional<std::string>{"1000\n"});
  check_every_line_is_json(side.log());
}
