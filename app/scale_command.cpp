#include "app/scale_command.hpp"

#include "app/drain_command.hpp"
#include "app/engine_calls.hpp"
#include "policy/drain_machine.hpp"
#include "policy/scale_plan.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/scale_spec.hpp"
#include "protocol/swarm_api.hpp"

#include <charconv>
#include <cstdio>
#include <optional>
#include <sstream>
#include <thread>

namespace wlg::app {

namespace {

constexpr int refused_status = policy::drain_machine::refused_status;
constexpr int failed_status = policy::drain_machine::failed_status;

// A failure of the command, with its status.
struct stop {
  int status;
  std::string why;
};

// The Engine API, each failure a failure of the command.
class engine_api {
public:
  explicit engine_api(const config::settings& config) : engine_{config} {}

  std::variant<std::string, stop> call(const std::string& method, const std::string& target, std::string body = {},
                                       unsigned expected = 200) {
    auto answer = engine_.call(method, target, std::move(body), expected);
    if (!answer)
      return stop{failed_status, answer.error().why};
    return std::move(*answer);
  }

  std::optional<stop> negotiate() {
    if (auto failed = engine_.negotiate())
      return stop{failed_status, failed->why};
    return std::nullopt;
  }

private:
  blocking_engine engine_;
};

// The service's running replicas, and what scaling needs to know of it.
struct listing {
  std::vector<protocol::numbered_replica> running;
  std::optional<protocol::swarm_service> service; // Swarm's
  std::vector<std::string> config_files;          // Compose's
};

template <class Parser, class Items = std::decay_t<decltype(*std::declval<Parser&>().parse(std::string_view{}))>>
std::variant<Items, stop> parse_with(const std::string& body, const char* what) {
  Parser parser;
  auto parsed = parser.parse(body);
  if (!parsed)
    return stop{failed_status, std::string{"cannot read the engine's "} + what + ": " + protocol::describe(parsed.error())};
  return std::move(*parsed);
}

// GET `target`, read by Parser (`what` names it in an error).
template <class Parser, class Items = std::decay_t<decltype(*std::declval<Parser&>().parse(std::string_view{}))>>
std::variant<Items, stop> fetch(engine_api& engine, const std::string& target, const char* what) {
  auto body = engine.call("GET", target);
  if (auto* failed = std::get_if<stop>(&body))
    return *failed;
  return parse_with<Parser>(std::get<std::string>(body), what);
}

std::variant<listing, stop> list_swarm(engine_api& engine, const config::settings& config, const std::string& name) {
  auto services = fetch<protocol::swarm_service_parser>(
    engine,
    protocol::service_list_target(
      "", protocol::swarm_service_labels(config.worker_label_key, config.worker_label_value, config.stack_name)),
    "services");
  if (auto* failed = std::get_if<stop>(&services))
    return *failed;
  listing out;
  for (const auto& service : std::get<0>(services))
    if (service.name == name)
      out.service = service;
  if (!out.service)
    return stop{refused_status, "no worker service " + name + " (labelled " + config.worker_label_key + "="
                                  + config.worker_label_value + ") on this swarm"};
  if (!out.service->replicas)
    return stop{refused_status, name + " is a global service: it has no replicas to set"};
  auto tasks = fetch<protocol::swarm_task_parser>(engine, protocol::task_list_target("", {out.service->id}), "tasks");
  if (auto* failed = std::get_if<stop>(&tasks))
    return *failed;
  out.running = protocol::swarm_replicas(*out.service, std::get<0>(tasks), config.worker_name, config.stack_name);
  return out;
}

std::variant<listing, stop> list_compose(engine_api& engine, const config::settings& config, const std::string& name) {
  if (config.stack_name.empty())
    return stop{2, std::string{config::command_name}
                     + ": scale needs the compose project in DOCKERCLOUD_STACK_NAME (--stack-name)"};
  auto containers = fetch<protocol::container_list_parser>(
    engine,
    protocol::container_list_target(
      "", {"com.docker.compose.project=" + config.stack_name, "com.docker.compose.service=" + name}),
    "containers");
  if (auto* failed = std::get_if<stop>(&containers))
    return *failed;
  listing out;
  out.running = protocol::compose_replicas(std::get<0>(containers), config.worker_name);
  if (out.running.empty())
    return stop{refused_status, "no running container of service " + name + " in compose project " + config.stack_name};
  for (const auto& container : std::get<0>(containers))
    if (auto files = container.labels.find("com.docker.compose.project.config_files"); files != container.labels.end()) {
      std::istringstream list{files->second};
      for (std::string file; std::getline(list, file, ',');)
        out.config_files.push_back(file);
      break;
    }
  return out;
}

std::string names_of(const std::vector<protocol::numbered_replica>& replicas) {
  std::string out;
  for (const auto& replica : replicas)
    out += (out.empty() ? "" : ", ") + replica.name;
  return out;
}

// Stops the containers of the drained tasks that run on this engine, so
// that Swarm, which removes tasks that are not running first, removes those.
void stop_drained_tasks(engine_api& engine, const std::vector<protocol::numbered_replica>& go,
                        const std::string& service) {
  for (const auto& replica : go) {
    auto containers = fetch<protocol::container_list_parser>(
      engine, protocol::container_list_target("", {"com.docker.swarm.task.name=" + replica.name}), "containers");
    if (std::holds_alternative<stop>(containers) || std::get<0>(containers).empty()) {
      std::printf("%s runs on another node: Swarm may remove another task of %s; the check below says\n",
                  replica.name.c_str(), service.c_str());
      continue;
    }
    engine.call("POST", protocol::container_stop_target("", std::get<0>(containers).front().id, 10), {}, 204);
  }
}

std::optional<stop> set_replicas(engine_api& engine, const protocol::swarm_service& service, std::uint64_t replicas) {
  auto inspected = engine.call("GET", protocol::service_inspect_target("", service.id));
  if (auto* failed = std::get_if<stop>(&inspected))
    return *failed;
  auto update = protocol::scaled_service_spec(std::get<std::string>(inspected), replicas);
  if (!update)
    return stop{failed_status, "cannot read service " + service.name + ": " + protocol::describe(update.error())};
  auto answer =
    engine.call("POST", protocol::service_update_target("", service.id, update->version), std::move(update->spec));
  if (auto* failed = std::get_if<stop>(&answer))
    return *failed;
  return std::nullopt;
}

// Swarm has settled on the kept replicas: they run, and no other does.
std::optional<stop> wait_for_swarm(engine_api& engine, const config::settings& config, const std::string& name,
                                   const std::vector<protocol::numbered_replica>& keep) {
  std::vector<std::string> wanted;
  for (const auto& replica : keep)
    wanted.push_back(replica.name);
  std::ranges::sort(wanted);
  std::string seen;
  for (int i = 0; i < 240; ++i) {
    auto listed = list_swarm(engine, config, name);
    if (auto* failed = std::get_if<stop>(&listed))
      return *failed;
    std::vector<std::string> running;
    for (const auto& replica : std::get<listing>(listed).running)
      running.push_back(replica.name);
    std::ranges::sort(running);
    if (running == wanted)
      return std::nullopt;
    seen = names_of(std::get<listing>(listed).running);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return stop{failed_status, "after 2 minutes " + name + " runs " + seen + ", not " + names_of(keep)
                               + ": see docker service ps " + name};
}

int said(const stop& s) {
  if (s.status == 2 && s.why.rfind(config::command_name, 0) == 0)
    std::fprintf(stderr, "%s\n", s.why.c_str());
  else
    std::fprintf(stderr, "%s scale: %s\n", std::string{config::command_name}.c_str(), s.why.c_str());
  return s.status;
}

} // namespace

int run_scale(const config::command_line& command, const std::vector<std::string>& secrets) {
  const auto& config = command.config;
  const auto& name = command.operands.at(0);
  const auto& count = command.operands.at(1);
  std::uint64_t replicas = 0;
  if (const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), replicas);
      ec != std::errc{} || end != count.data() + count.size())
    return said({2, std::string{config::command_name} + ": invalid REPLICAS '" + count + "': give a whole number"});
  const bool swarm = config.source == config::event_source::swarm;
  if (config.worker_name.what == protocol::worker_name_source::kind::hostname)
    return said({2, std::string{config::command_name}
                      + ": scale names nodes by container name, label, task or address; not by hostname"});

  engine_api engine{config};
  if (auto failed = engine.negotiate())
    return said(*failed);
  auto listed = swarm ? list_swarm(engine, config, name) : list_compose(engine, config, name);
  if (auto* failed = std::get_if<stop>(&listed))
    return said(*failed);
  const auto& found = std::get<listing>(listed);
  const auto plan = policy::plan_scale(found.running, replicas);
  const auto compose_command = policy::compose_scale_command(config.stack_name, found.config_files, name, replicas);

  std::printf("%s runs %zu replica(s): %s\n", name.c_str(), found.running.size(), names_of(found.running).c_str());
  if (!plan.go.empty()) {
    std::printf("%s %s, which go%s\n", config.dry_run ? "would drain" : "draining", names_of(plan.go).c_str(),
                config.dry_run ? "" : " (then removed)");
    std::vector<protocol::node_spec> targets;
    for (const auto& replica : plan.go)
      targets.push_back({replica.name, config.worker_port});
    std::fflush(stdout);
    if (const int drained = drain_nodes(config, std::move(targets), secrets, true); drained != 0)
      return drained;
  }
  if (config.dry_run) {
    if (swarm)
      std::printf("would set the replicas of %s to %llu\n", name.c_str(), static_cast<unsigned long long>(replicas));
    else
      std::printf("would print: %s\n", compose_command.c_str());
    return 0;
  }
  if (!swarm) {
    std::printf("%s now; to scale in, run:\n  %s\n",
                plan.go.empty() ? "nothing to drain" : "drained", compose_command.c_str());
    return 0;
  }
  const auto started = std::chrono::steady_clock::now(); // once drained
  stop_drained_tasks(engine, plan.go, name);
  if (auto failed = set_replicas(engine, *found.service, replicas))
    return said(*failed);
  if (!plan.grows) {
    if (auto failed = wait_for_swarm(engine, config, name, plan.keep))
      return said(*failed);
  }
  std::printf("%s scaled to %llu in %.1f s: %s\n", name.c_str(), static_cast<unsigned long long>(replicas),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
              plan.grows ? "Swarm starts the new replicas" : names_of(plan.keep).c_str());
  return 0;
}

} // namespace wlg::app
