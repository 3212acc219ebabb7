// `scale`: which replicas stay and go, the Compose command, and what is read
// from and sent to the Engine API.

#include "policy/scale_plan.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using wlg::protocol::numbered_replica;

namespace {

std::vector<numbered_replica> replicas(std::initializer_list<std::uint64_t> numbers) {
  std::vector<numbered_replica> out;
  for (auto n : numbers)
    out.push_back({n, "worker_" + std::to_string(n)});
  return out;
}

} // namespace

TEST_CASE("scaling in keeps the lowest numbers and drains the rest, gaps and order aside") {
  const auto plan = plan_scale(replicas({4, 1, 5, 2}), 3);
  CHECK(plan.keep == replicas({1, 2, 4}));
  CHECK(plan.go == replicas({5}));
  CHECK_FALSE(plan.grows);
  CHECK(plan_scale(replicas({1, 2, 3, 4}), 2).go == replicas({3, 4}));
  CHECK(plan_scale(replicas({1, 2}), 0).go == replicas({1, 2}));
}

TEST_CASE("scaling out, or to as many as run, drains nothing") {
  const auto plan = plan_scale(replicas({1, 2}), 4);
  CHECK(plan.go.empty());
  CHECK(plan.keep == replicas({1, 2}));
  CHECK(plan.grows);
  CHECK_FALSE(plan_scale(replicas({1, 2}), 2).grows);
}

TEST_CASE("the Compose command names the project, its files and the service") {
  CHECK(compose_scale_command("citus", {"/srv/citus/docker-compose.yml"}, "worker", 3)
        == "docker compose -p citus -f /srv/citus/docker-compose.yml up -d --scale worker=3");
  CHECK(compose_scale_command("citus", {}, "worker", 3) == "docker compose -p citus up -d --scale worker=3");
}

TEST_CASE("Compose replicas: numbered by their label, named by --worker-name, the unnumbered left out") {
  using wlg::protocol::engine_container;
  std::vector<engine_container> containers{
    {"c2", {"/citus_worker_2"}, {{"com.docker.compose.container-number", "2"}}, "running", "Up"},
    {"c1", {"/citus_worker_1"}, {{"com.docker.compose.container-number", "1"}}, "running", "Up"},
    {"cx", {"/citus_worker_x"}, {}, "running", "Up"},
    {"cy", {"/citus_worker_y"}, {{"com.docker.compose.container-number", "two"}}, "running", "Up"}};
  const auto found = wlg::protocol::compose_replicas(containers, {});
  CHECK(found == std::vector<numbered_replica>{{1, "citus_worker_1"}, {2, "citus_worker_2"}});
}

TEST_CASE("a swarm service's spec with its replicas set, and its version for the update") {
  const auto update = wlg::protocol::scaled_service_spec(
    R"({"ID":"s1","Version":{"Index":42},"Spec":{"Name":"citus_worker","Labels":{"a":"b"},)"
    R"("Mode":{"Replicated":{"Replicas":4}}}})",
    2);
  REQUIRE(update.has_value());
  CHECK(update->version == 42);
  CHECK(update->spec == R"({"Name":"citus_worker","Labels":{"a":"b"},"Mode":{"Replicated":{"Replicas":2}}})");
  CHECK_FALSE(wlg::protocol::scaled_service_spec(R"({"Version":{"Index":1},"Spec":{"Mode":{"Global":{}}}})", 2));
  CHECK_FALSE(wlg::protocol::scaled_service_spec("not json", 2));
  CHECK(wlg::protocol::service_update_target("/v1.41", "s1", 42) == "/v1.41/services/s1/update?version=42");
}
