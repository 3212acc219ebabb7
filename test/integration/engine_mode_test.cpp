// Engine mode against a real Docker-compatible engine: podman's API service
// with real containers, labelled as compose would label them.

#include "test/support/fixtures.hpp"
#include "test/support/podman.hpp"

#include <doctest/doctest.h>


using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> worker_of_citus = {"com.citusdata.role=Worker", "com.docker.compose.project=citus"};

env_map engine_env(const podman_engine& engine) {
  return {{"WORKERLISTGEN_SOURCE", "engine"},
          {"DOCKER_HOST", engine.docker_host()},
          {"DOCKERCLOUD_STACK_NAME", "citus"},
          {"WORKERLISTGEN_BACKOFF_INITIAL", "100ms"},
          {"WORKERLISTGEN_BACKOFF_MAX", "500ms"}};
}

} // namespace

TEST_CASE("engine mode: the labelled workers of the project, one SIGHUP per change") {
  podman_engine engine;
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

TEST_CASE("engine mode survives the engine's API service restarting, and resyncs") {
  podman_engine engine;
  engine.run("citus_worker_1", worker_of_citus);
  sidecar side{engine_env(engine), with_status_port()};
  REQUIRE_MESSAGE(side.wait_for_list(worker_file({"citus_worker_1"}), 15s), side.log());
  REQUIRE(wait_until([&] { return engine.hups_of("citus_master_1") == 1; }, 10s));
  REQUIRE(side.metric_reaches("stream_connected", 1));

  engine.stop_service();
  REQUIRE_MESSAGE(side.metric_reaches("stream_reconnects_total", 1, 5s), side.log());
  // A change while the stream is down: its event is lost, the resync finds it.
  engine.run("citus_worker_2", worker_of_citus);
  CHECK(side.worker_list() == worker_file({"citus_worker_1"}));
  engine.start_service();

  CHECK_MESSAGE(side.wait_for_list(worker_file({"citus_worker_1", "citus_worker_2"}), 10s), side.log());
  CHECK(wait_until([&] { return engine.hups_of("citus_master_1") == 2; }, 10s));
  CHECK_MESSAGE(side.metric_reaches("stream_connects_total", 2, 5s), side.log());
  CHECK(side.process().running());
}

TEST_CASE("engine mode: --worker-name=label:KEY and --worker-label choose the workers and their names") {
  podman_engine engine;
  engine.run("c1", {"app.role=citus-worker", "com.docker.compose.project=citus", "app.host=db-a.internal"});
  engine.run("c2", {"app.role=citus-worker", "com.docker.compose.project=citus", "app.host=bad name"});
  engine.run("c3", {"com.citusdata.role=Worker", "com.docker.compose.project=citus", "app.host=db-c.internal"});
  sidecar side{engine_env(engine), {"--worker-label=app.role=citus-worker", "--worker-name=label:app.host", "--once"}};
  CHECK(side.process().wait_for_exit(20s) == 0);
  CHECK_MESSAGE(side.worker_list() == worker_file({"db-a.internal"}), side.log());
  CHECK(side.log().find("ignoring worker 'bad name'") != std::string::npos);
}

TEST_CASE("engine mode: a --worker-name=label:KEY that no worker has leaves the list as it is") {
  podman_engine engine;
  engine.run("citus_worker_1", worker_of_citus); // no app.host label
  temp_dir confdir;
  write_file(confdir.path() + "/pg_worker_list.conf", worker_file({"db-a.internal"}));
  sidecar side{engine_env(engine), {"--worker-name=label:app.host", "--once"}, confdir.path()};
  CHECK(side.process().wait_for_exit(20s) == 1);
  CHECK_MESSAGE(side.worker_list() == worker_file({"db-a.internal"}), side.log());
  CHECK(engine.hups_of("citus_master_1") == 0);
}

TEST_CASE("engine mode: --worker-name=hostname writes each worker's hostname") {
  podman_engine engine;
  engine.run("citus_worker_1", {"--hostname=db-1.example", "com.citusdata.role=Worker", "com.docker.compose.project=citus"});
  engine.run("citus_worker_2", {"--hostname=db-2.example", "com.citusdata.role=Worker", "com.docker.compose.project=citus"});
  sidecar side{engine_env(engine), {"--worker-name=hostname", "--once"}};
  CHECK(side.process().wait_for_exit(20s) == 0);
  CHECK_MESSAGE(side.worker_list() == worker_file({"db-1.example", "db-2.example"}), side.log());
}
