#pragma once

// Swarm mode (--source=swarm): a swarm manager's Engine API, read down to the
// worker tasks (protocols.md section 4 covers the transport, which is engine
// mode's). Pure: the requests' targets, the parsers of GET /services and GET
// /tasks, which events mean "look again", and the names the running worker
// tasks get by --worker-name.

#include "protocol/container_object.hpp"
#include "protocol/engine_events.hpp"
#include "protocol/json_document.hpp"
#include "protocol/parse_error.hpp"
#include "protocol/result.hpp"
#include "protocol/worker_name.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

struct swarm_service {
  std::string id;
  std::string name;
  std::optional<std::uint64_t> replicas; // replicated mode's wanted tasks; none for global
};

struct swarm_task_address {
  std::string network; // the network's name, as the swarm knows it ("citus_overlay")
  std::string address; // without the prefix length
};

struct swarm_task {
  std::string id;
  std::string service_id;
  std::string node_id;
  std::uint64_t slot = 0; // 0 for a global service's tasks
  std::string desired_state; // running, shutdown, remove, ...
  std::string state;         // new, pending, ..., running, complete, failed, ...
  std::vector<swarm_task_address> addresses;
};

class swarm_service_parser {
public:
  swarm_service_parser();
  result<std::vector<swarm_service>, parse_error> parse(std::string_view body);

private:
  json_reader reader_;
};

class swarm_task_parser {
public:
  swarm_task_parser();
  result<std::vector<swarm_task>, parse_error> parse(std::string_view body);

private:
  json_reader reader_;
};

// The labels a worker service carries: the worker label, and the stack's
// namespace when one is set.
std::vector<std::string> swarm_service_labels(std::string_view label_key, std::string_view label_value,
                                              std::string_view stack);

// GET /services with every label required.
std::string service_list_target(const std::string& version_prefix, const std::vector<std::string>& labels);
// GET /tasks of these services, whatever their state (a former task's name
// and address tell which node a new task replaces).
std::string task_list_target(const std::string& version_prefix, const std::vector<std::string>& service_ids);

// The events query: services (created, scaled, removed) and containers (a
// task's container dying on this node).
std::string swarm_events_target(const std::string& version_prefix);

// Any service event; a container event that can change the worker set (as in
// engine mode) of a swarm task's container, of `stack` when one is set.
bool is_relevant_swarm_event(const engine_event& event, std::string_view stack);

// The worker tasks, named by --worker-name (service, task or address:NET):
// - the workers are the running tasks (desired and current state running);
// - a running task's former names are those of the other tasks that held its
//   slot (a global service's: its node) and no longer run;
// - the set is settling while a task is on its way up or down, or a
//   replicated service has fewer or more running tasks than it wants.
// A task whose name cannot be written is refused on its own.
container_links swarm_worker_names(const std::vector<swarm_service>& services, const std::vector<swarm_task>& tasks,
                                   const worker_name_source& naming, std::string_view stack);

} // namespace wlg::protocol
