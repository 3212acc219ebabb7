#include "app/own_project.hpp"

#include "app/engine_calls.hpp"
#include "policy/backoff.hpp"
#include "protocol/engine_api.hpp"
#include "runtime/logging.hpp"

#include <cstdlib>
#include <thread>

namespace wlg::app {

const char* project_label(config::event_source source) {
  return source == config::event_source::swarm ? "com.docker.stack.namespace" : "com.docker.compose.project";
}

namespace {

result<own_project, engine_call_failure> look_up(blocking_engine& engine, const config::settings& config,
                                                 std::string_view hostname) {
  if (auto failed = engine.negotiate())
    return fail(std::move(*failed));
  auto body = engine.call("GET", protocol::container_by_id_target("", hostname));
  if (!body)
    return fail(body.error());
  protocol::container_list_parser parser;
  auto containers = parser.parse(*body);
  if (!containers)
    return fail(engine_call_failure{true, "cannot read the engine's containers: " + protocol::describe(containers.error())});
  for (const auto& container : *containers) {
    if (container.id.rfind(hostname, 0) != 0) // the filter matches any part of an id
      continue;
    own_project found;
    found.container = container.names.empty() ? container.id.substr(0, 12) : container.names.front();
    if (found.container.starts_with('/'))
      found.container.erase(0, 1);
    if (auto label = container.labels.find(project_label(config.source)); label != container.labels.end())
      found.name = label->second;
    return found;
  }
  return own_project{};
}

} // namespace

result<own_project, std::string> find_own_project(const config::settings& config, std::string_view hostname,
                                                  std::chrono::milliseconds patience) {
  if (!protocol::is_container_id(hostname))
    return own_project{};
  blocking_engine engine{config};
  policy::backoff wait{std::chrono::duration_cast<policy::backoff::duration>(config.backoff_initial),
                       std::chrono::duration_cast<policy::backoff::duration>(config.backoff_max)};
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    auto found = look_up(engine, config, hostname);
    if (found)
      return std::move(*found);
    if (found.error().reached || std::chrono::steady_clock::now() + wait.shortest() > deadline)
      return fail("cannot find the compose project or stack of this container (" + std::string{hostname} + "): "
                  + found.error().why + "; set DOCKERCLOUD_STACK_NAME to name it");
    std::this_thread::sleep_for(wait.next());
  }
}

std::optional<std::string> adopt_own_project(config::settings& config, std::chrono::milliseconds patience) {
  if (config.source == config::event_source::cloud || !config.stack_name.empty())
    return std::nullopt;
  const char* hostname = std::getenv("HOSTNAME");
  auto found = find_own_project(config, hostname ? hostname : "", patience);
  if (!found)
    return found.error();
  auto log = runtime::component_logger("main");
  const std::string workers = config.worker_label_key + "=" + config.worker_label_value;
  if (!found->name.empty()) {
    config.stack_name = found->name;
    log->info("watching the workers ({}) of {} {}, this container's ({})", workers,
              config.source == config::event_source::swarm ? "stack" : "compose project", found->name,
              found->container);
  } else {
    log->warn("watching every {} labelled {} on this engine, whatever its project; set DOCKERCLOUD_STACK_NAME "
              "to watch one project's only",
              config.source == config::event_source::swarm ? "service task" : "container", workers);
  }
  return std::nullopt;
}

} // namespace wlg::app
