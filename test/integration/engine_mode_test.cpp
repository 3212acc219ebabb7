// Engine mode against real engines, each test once on podman's API service and
// once on Debian's dockerd, with real containers labelled as compose would
// label them.

#include "test/support/fixtures.hpp"
#include "test/support/engine.hpp"

#include <doctest/doctest.h>

#include <csignal>


using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> worker_of_citus = {"com.citusdata.role=Worker", "com.docker.compose.project=citus"};

env_map engine_env(const container_engine& engine) {
  return {{"WORKERLISTGEN_SOURCE", "engine"},
          {"DOCKER_HOST", engine.docker_host()},
          {"DOCKERCLOUD_STACK_NAME", "citus"},
          {"WORKERLISTGEN_BACKOFF_INITIAL", "100ms"},
          {"WORKERLISTGEN_BACKOFF_MAX", "500ms"}};
}

} // namespace

TEST_CASE_TEMPLATE("engine mode: the labelled workers of the project, one SIGHUP per change", E, podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("citus_worker_1", worker_of_citus);
  engine.run("citus_worker_2", worker_of_citus);
  engine.run("other_worker_1", {"com.citusdata.role=Worker", "com.docker.compose.project=other"});
  engine.run("citus_client_1", {"com.docker.compose.project=citus"}); // not a worker
  sidecar side{engine_env(engine), with_status_port()};

  REQUIRE_MESSAGE(side.wait_for_list(worker_file({"citus_worker_1", "citus_worker_2"}), 15s), side.log());
  REQUIRE_MESSAGE(wait_until([&] { return engine.hups_of("citus_master_1") == 1; }, 10s), side.log());

  engine.run("citus_worker_3", worker_of_citus);
  CHECK_MESSAGE(side.wait_for_list(worker_file({"citus_worker_1", "citus_worker_2", "citus_worker_3"}), 1s),
                side.log());
  CHECK(wait_until([&] { return engine.hups_of("citus_master_1") == 2; }, 5s));

  engine.stop_container("citus_worker_1");
  CHECK_MESSAGE(side.wait_for_list(worker_file({"citus_worker_2", "citus_worker_3"}), 5s), side.log());
  CHECK(wait_until([&] { return engine.hups_of("citus_master_1") == 3; }, 5s));

  // Settled: a fourth signal would have been sent and counted by now.
  REQUIRE(side.metric_reaches("signals_sent_total", 3));
  REQUIRE(wait_until([&] { return side.metric("sync_pending") == 0; }, 5s));
  CHECK(side.metric("signals_sent_total") == 3);
  CHECK(side.log().find("other_worker_1") == std::string::npos);
}

TEST_CASE_TEMPLATE("engine mode survives the engine's API service restarting, and resyncs", E, podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("citus_worker_1", worker_of_citus);
  engine.run("citus_worker_2", worker_of_citus);
  sidecar side{engine_env(engine), with_status_port()};
  REQUIRE_MESSAGE(side.wait_for_list(worker_file({"citus_worker_1", "citus_worker_2"}), 15s), side.log());
  REQUIRE(wait_until([&] { return engine.hups_of("citus_master_1") == 1; }, 10s));
  REQUIRE(side.metric_reaches("stream_connected", 1));
  const auto worker_2 = engine.pid_of("citus_worker_2");

  engine.stop_service();
  REQUIRE_MESSAGE(side.metric_reaches("stream_reconnects_total", 1, 5s), side.log());
  // Changes while the stream is down: their events are lost, the resync finds
  // them. A worker's process ends (dockerd runs with live-restore, so its
  // containers outlive it); podman, which needs no service to run one, also
  // starts a worker.
  REQUIRE(::kill(worker_2, SIGKILL) == 0);
  auto wanted = worker_file({"citus_worker_1"});
  if constexpr (E::kind == engine_kind::podman) {
    engine.run("citus_worker_3", worker_of_citus);
    wanted = worker_file({"citus_worker_1", "citus_worker_3"});
  }
  CHECK(side.worker_list() == worker_file({"citus_worker_1", "citus_worker_2"}));
  engine.start_service();

  CHECK_MESSAGE(side.wait_for_list(wanted, 10s), side.log());
  CHECK(wait_until([&] { return engine.hups_of("citus_master_1") == 2; }, 10s));
  CHECK_MESSAGE(side.metric_reaches("stream_connects_total", 2, 5s), side.log());
  CHECK(side.process().running());
}

TEST_CASE_TEMPLATE("engine mode: with no project named, the project of its own container (HOSTNAME) is watched", E,
                   podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("citus_worker_1", worker_of_citus);
  engine.run("other_worker_1", {"com.citusdata.role=Worker", "com.docker.compose.project=other"});
  engine.run("citus_manager_1", {"com.docker.compose.project=citus"}); // where the sidecar would run
  auto env = engine_env(engine);
  env.erase("DOCKERCLOUD_STACK_NAME");
  {
    INFO("in no container of this engine: every labelled worker");
    sidecar side{env, {"--once"}};
    CHECK(side.process().wait_for_exit(20s) == 0);
    CHECK_MESSAGE(side.worker_list() == worker_file({"citus_worker_1", "other_worker_1"}), side.log());
  }
  INFO("in citus_manager_1, as Docker and Podman name it in HOSTNAME: project citus's only");
  temp_dir ready_dir;
  const std::string ready = ready_dir.path() + "/manager-ready";
  env["HOSTNAME"] = engine.id_of("citus_manager_1").substr(0, 12);
  env["WORKERLISTGEN_READY_FILE"] = ready;
  sidecar side{env, {"--once"}};
  CHECK(side.process().wait_for_exit(20s) == 0);
  CHECK_MESSAGE(side.worker_list() == worker_file({"citus_worker_1"}), side.log());
  CHECK(read_file(ready).has_value()); // made once the list was written
}

TEST_CASE_TEMPLATE("engine mode: --worker-name=label:KEY and --worker-label choose the workers and their names", E, podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("c1", {"app.role=citus-worker", "com.docker.compose.project=citus", "app.host=db-a.internal"});
  engine.run("c2", {"app.role=citus-worker", "com.docker.compose.project=citus", "app.host=bad name"});
  engine.run("c3", {"com.citusdata.role=Worker", "com.docker.compose.project=citus", "app.host=db-c.internal"});
  sidecar side{engine_env(engine), {"--worker-label=app.role=citus-worker", "--worker-name=label:app.host", "--once"}};
  CHECK(side.process().wait_for_exit(20s) == 0);
  CHECK_MESSAGE(side.worker_list() == worker_file({"db-a.internal"}), side.log()); // 'bad name' refused
}

TEST_CASE_TEMPLATE("engine mode: a --worker-name=label:KEY that no worker has leaves the list as it is", E, podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("citus_worker_1", worker_of_citus); // no app.host label
  temp_dir confdir;
  write_file(confdir.path() + "/pg_worker_list.conf", worker_file({"db-a.internal"}));
  sidecar side{engine_env(engine), {"--worker-name=label:app.host", "--once"}, confdir.path()};
  CHECK(side.process().wait_for_exit(20s) == 1);
  CHECK_MESSAGE(side.worker_list() == worker_file({"db-a.internal"}), side.log());
  CHECK(engine.hups_of("citus_master_1") == 0);
}

TEST_CASE_TEMPLATE("engine mode: --worker-name=hostname writes each worker's hostname", E, podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("citus_worker_1", {"--hostname=db-1.example", "com.citusdata.role=Worker", "com.docker.compose.project=citus"});
  engine.run("citus_worker_2", {"--hostname=db-2.example", "com.citusdata.role=Worker", "com.docker.compose.project=citus"});
  sidecar side{engine_env(engine), {"--worker-name=hostname", "--once"}};
  CHECK(side.process().wait_for_exit(20s) == 0);
  CHECK_MESSAGE(side.worker_list() == worker_file({"db-1.example", "db-2.example"}), side.log());
}

// The engine poller is a role of its own: --inject-fault and the restart
// metrics name it, and the api_poller (not running here) is untouched. A
// fetch costs the poller four or five messages (the request, the answers to
// the list and to the two health listings, and the API version once per
// poller), so a crash every 7th still leaves each poller one whole fetch.
TEST_CASE_TEMPLATE("engine mode: the engine_poller crashing every 7th message is restarted alone, by its own name", E,
                   podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("citus_worker_1", worker_of_citus);
  sidecar side{engine_env(engine),
               with_status_port({"--inject-fault=engine_poller:crash:every=7", "--max-restarts=1000"})};
  REQUIRE_MESSAGE(side.wait_for_list(worker_file({"citus_worker_1"}), 15s), side.log());
  engine.run("citus_worker_2", worker_of_citus);
  engine.run("citus_worker_3", worker_of_citus);
  CHECK_MESSAGE(side.wait_for_list(worker_file({"citus_worker_1", "citus_worker_2", "citus_worker_3"}), 15s),
                side.log());
  CHECK(side.metric_reaches("actor_restarts_total{actor=\"engine_poller\"}", 1));
  CHECK(side.metric("faults_injected_total{actor=\"engine_poller\"}") >= 1);
  CHECK(side.metric("faults_injected_total{actor=\"api_poller\"}") == 0);
  for (const char* other : {"event_subscriber", "state_reconciler", "file_writer", "docker_restarter"}) {
    CAPTURE(other);
    CHECK(side.metric("actor_restarts_total{actor=\"" + std::string{other} + "\"}") == 0);
  }
  CHECK(side.process().running());
}
