// The docker_restarter against real engines, podman's API service and Debian's
// dockerd, with a container labelled as the Citus master that records each
// SIGHUP it receives.

#include "test/support/fixtures.hpp"
#include "test/support/engine.hpp"

#include <doctest/doctest.h>


using namespace wlg::test;
using namespace std::chrono_literals;

TEST_CASE_TEMPLATE("the master container receives one SIGHUP per change", E, podman_kind, docker_kind) {
  container_engine engine{E::kind};
  engine.run("other_master_1", {"com.docker.compose.project=other", "com.docker.compose.service=master"});
  emulator emu;
  auto env = emu.sidecar_env();
  env["DOCKER_HOST"] = engine.docker_host();
  sidecar side{env, with_status_port()};

  REQUIRE_MESSAGE(side.wait_for_list(worker_file({"worker-1", "worker-2", "worker-3"}), 10s), side.log());
  CHECK_MESSAGE(wait_until([&] { return engine.hups_of("citus_master_1") == 1; }, 10s), side.log());

  emu.scale(5);
  REQUIRE(side.wait_for_list(
    worker_file({"worker-1", "worker-2", "worker-3", "worker-4", "worker-5"}), 2s));
  CHECK_MESSAGE(wait_until([&] { return engine.hups_of("citus_master_1") == 2; }, 10s), side.log());

  // Settled: a signal to another container would have been counted by now.
  REQUIRE(side.metric_reaches("signals_sent_total", 2));
  REQUIRE(wait_until([&] { return side.metric("sync_pending") == 0; }, 5s));
  CHECK(side.metric("signals_sent_total") == 2);
  CHECK(engine.hups_of("citus_master_1") == 2);
  CHECK(engine.hups_of("other_master_1") == 0); // another stack's master is left alone
}
