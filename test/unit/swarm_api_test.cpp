// Swarm mode's reading of a manager's Engine API: services, tasks, events,
// and the names, former names and settling of the worker tasks. The JSON is
// shaped like Docker 20.10's answers, trimmed.

#include "protocol/swarm_api.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wlg::protocol;

namespace {

const std::string services_body = R"([
  {"ID":"svc1","Version":{"Index":20},"Spec":{"Name":"citus_worker","Labels":{"com.citusdata.role":"Worker"},
   "Mode":{"Replicated":{"Replicas":2}},"EndpointSpec":{"Mode":"dnsrr"}}},
  {"ID":"svc2","Spec":{"Name":"citus_global","Mode":{"Global":{}}}}])";

std::string task_json(const char* id, const char* service, int slot, const char* desired, const char* state,
                      const char* address) {
  return std::string{R"({"ID":")"} + id + R"(","ServiceID":")" + service + R"(","Slot":)" + std::to_string(slot)
         + R"(,"NodeID":"node1","Labels":{},"Spec":{"ContainerSpec":{"Image":"citus:13"}},)"
         + R"("Status":{"Timestamp":"2026-11-29T20:37:17Z","State":")" + state
         + R"(","ContainerStatus":{"ContainerID":"c","PID":1,"ExitCode":0}},"DesiredState":")" + desired
         + R"(","NetworksAttachments":[{"Network":{"ID":"n","Spec":{"Name":"citus_overlay","Scope":"swarm"}},)"
         + R"("Addresses":[")" + address + R"("]}]})";
}

swarm_service worker_service(std::uint64_t replicas) { return {"svc1", "citus_worker", replicas}; }

swarm_task task(const char* id, int slot, const char* desired, const char* state, const char* address) {
  return {id, "svc1", "node1", static_cast<std::uint64_t>(slot), desired, state, {{"citus_overlay", address}}};
}

worker_name_source naming(worker_name_source::kind what, std::string network = {}) {
  return {what, {}, std::move(network)};
}

} // namespace

TEST_CASE("the service list gives each service's id, name and wanted replicas") {
  swarm_service_parser parser;
  const auto services = parser.parse(services_body);
  REQUIRE(services);
  REQUIRE(services->size() == 2);
  CHECK((*services)[0].id == "svc1");
  CHECK((*services)[0].name == "citus_worker");
  CHECK((*services)[0].replicas == std::optional<std::uint64_t>{2});
  CHECK_FALSE((*services)[1].replicas); // global
}

TEST_CASE("the task list gives slot, states and each network's address without its prefix length") {
  swarm_task_parser parser;
  const auto tasks = parser.parse("[" + task_json("t1", "svc1", 1, "running", "running", "10.0.1.4/24") + "]");
  REQUIRE(tasks);
  REQUIRE(tasks->size() == 1);
  const auto& t = (*tasks)[0];
  CHECK(t.id == "t1");
  CHECK(t.service_id == "svc1");
  CHECK(t.slot == 1);
  CHECK(t.node_id == "node1");
  CHECK(t.desired_state == "running");
  CHECK(t.state == "running");
  REQUIRE(t.addresses.size() == 1);
  CHECK(t.addresses[0].network == "citus_overlay");
  CHECK(t.addresses[0].address == "10.0.1.4");
}

TEST_CASE("malformed service and task lists are errors, never an empty list") {
  swarm_service_parser services;
  swarm_task_parser tasks;
  CHECK_FALSE(services.parse("{}"));
  CHECK_FALSE(services.parse(R"([{"ID":"x"}])")); // no name
  CHECK_FALSE(services.parse(R"([{"ID":"x","Spec":{"Name":"w"}}] trailing)"));
  CHECK_FALSE(tasks.parse(R"([{"ID":"t","ServiceID":"s","Slot":"one"}])"));
  CHECK_FALSE(tasks.parse(R"([{"ServiceID":"s"}])")); // no id
  CHECK_FALSE(tasks.parse("[" + task_json("t1", "svc1", 1, "running", "running", "10.0.1.4/24")));
}

TEST_CASE("the requests filter services by label and stack, tasks by service, events by type") {
  const auto labels = swarm_service_labels("com.citusdata.role", "Worker", "citus");
  CHECK(labels == std::vector<std::string>{"com.citusdata.role=Worker", "com.docker.stack.namespace=citus"});
  CHECK(swarm_service_labels("k", "v", "").size() == 1);
  CHECK(service_list_target("/v1.41", {"a=b"}) == "/v1.41/services?filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
  CHECK(task_list_target("/v1.41", {"s1", "s2"})
        == "/v1.41/tasks?filters=%7B%22service%22%3A%5B%22s1%22%2C%22s2%22%5D%7D");
  CHECK(swarm_events_target("/v1.41")
        == "/v1.41/events?filters=%7B%22type%22%3A%5B%22service%22%2C%22container%22%5D%7D");
}

TEST_CASE("service events and this stack's task containers are relevant, other containers are not") {
  engine_event scaled{"service", "update", "svc1", {{"name", "citus_worker"}, {"replicas.new", "4"}}};
  CHECK(is_relevant_swarm_event(scaled, "citus"));
  engine_event task_died{"container", "die", "c1",
                         {{"com.docker.swarm.task.id", "t1"}, {"com.docker.stack.namespace", "citus"}}};
  CHECK(is_relevant_swarm_event(task_died, "citus"));
  CHECK_FALSE(is_relevant_swarm_event(task_died, "other"));
  engine_event plain{"container", "die", "c2", {{"name", "busybox"}}};
  CHECK_FALSE(is_relevant_swarm_event(plain, ""));
  engine_event exec{"container", "exec_start: sh", "c1", {{"com.docker.swarm.task.id", "t1"}}};
  CHECK_FALSE(is_relevant_swarm_event(exec, ""));
}

TEST_CASE("running tasks are named by service, task DNS name, or address on a network") {
  const std::vector<swarm_service> services{worker_service(2)};
  const std::vector<swarm_task> tasks{task("t1", 1, "running", "running", "10.0.1.4"),
                                      task("t2", 2, "running", "running", "10.0.1.5")};
  using kind = worker_name_source::kind;
  CHECK(swarm_worker_names(services, tasks, naming(kind::service), "").workers.names()
        == std::vector<std::string>{"citus_worker"});
  CHECK(swarm_worker_names(services, tasks, naming(kind::task), "").workers.names()
        == std::vector<std::string>{"citus_worker.1.t1", "citus_worker.2.t2"});
  CHECK(swarm_worker_names(services, tasks, naming(kind::address, "citus_overlay"), "").workers.names()
        == std::vector<std::string>{"10.0.1.4", "10.0.1.5"});
  // In a stack, the network may be named as in the stack file.
  CHECK(swarm_worker_names(services, tasks, naming(kind::address, "overlay"), "citus").workers.names()
        == std::vector<std::string>{"10.0.1.4", "10.0.1.5"});
  const auto elsewhere = swarm_worker_names(services, tasks, naming(kind::address, "other"), "");
  CHECK(elsewhere.workers.empty());
  CHECK(elsewhere.refused.size() == 2);
  CHECK(every_name_refused(elsewhere));
}

TEST_CASE("only running tasks are workers, and tasks of unlisted services are ignored") {
  const std::vector<swarm_service> services{worker_service(2)};
  auto stray = task("t9", 1, "running", "running", "10.0.1.9");
  stray.service_id = "unlabelled";
  const std::vector<swarm_task> tasks{task("t1", 1, "running", "running", "10.0.1.4"),
                                      task("t2", 2, "running", "starting", "10.0.1.5"),
                                      task("t3", 3, "shutdown", "running", "10.0.1.6"), stray};
  const auto named = swarm_worker_names(services, tasks, naming(worker_name_source::kind::task), "");
  CHECK(named.workers.names() == std::vector<std::string>{"citus_worker.1.t1"});
}

TEST_CASE("a task that replaced another in its slot lists the former task's name") {
  const std::vector<swarm_service> services{worker_service(2)};
  const std::vector<swarm_task> tasks{task("new1", 1, "running", "running", "10.0.1.9"),
                                      task("old1", 1, "shutdown", "failed", "10.0.1.4"),
                                      task("older1", 1, "shutdown", "shutdown", "10.0.1.2"),
                                      task("t2", 2, "running", "running", "10.0.1.5")};
  const auto by_address = swarm_worker_names(services, tasks, naming(worker_name_source::kind::address, "citus_overlay"), "");
  CHECK(by_address.workers.names() == std::vector<std::string>{"10.0.1.5", "10.0.1.9"});
  CHECK(by_address.workers.formers()
        == worker_set::successions{{"10.0.1.9", {"10.0.1.4", "10.0.1.2"}}});
  const auto by_task = swarm_worker_names(services, tasks, naming(worker_name_source::kind::task), "");
  CHECK(by_task.workers.formers()
        == worker_set::successions{{"citus_worker.1.new1", {"citus_worker.1.old1", "citus_worker.1.older1"}}});
  // The service's name does not change with its tasks.
  CHECK(swarm_worker_names(services, tasks, naming(worker_name_source::kind::service), "").workers.formers().empty());
}

TEST_CASE("the set is settling while tasks start or stop, or the running count differs from the replicas") {
  using kind = worker_name_source::kind;
  const auto settling = [](std::uint64_t replicas, std::vector<swarm_task> tasks) {
    return swarm_worker_names({worker_service(replicas)}, tasks, naming(kind::task), "").workers.settling();
  };
  CHECK_FALSE(settling(1, {task("t1", 1, "running", "running", "10.0.1.4")}));
  CHECK_FALSE(settling(1, {task("t1", 1, "running", "running", "10.0.1.4"),
                           task("t0", 1, "shutdown", "failed", "10.0.1.3")}));
  CHECK(settling(2, {task("t1", 1, "running", "running", "10.0.1.4"),
                     task("t2", 2, "running", "preparing", "10.0.1.5")}));
  CHECK(settling(1, {task("t1", 1, "running", "running", "10.0.1.4"),
                     task("t2", 2, "shutdown", "running", "10.0.1.5")}));
  // Scaled up, before the orchestrator has made the new tasks.
  CHECK(settling(3, {task("t1", 1, "running", "running", "10.0.1.4")}));
}
