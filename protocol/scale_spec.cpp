#include "protocol/scale_spec.hpp"

#include "protocol/engine_events.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

namespace wlg::protocol {

namespace {

// The one name `links` holds for one replica, if it was not refused.
std::optional<std::string> only_name(const container_links& links) {
  if (links.workers.names().size() != 1)
    return std::nullopt;
  return links.workers.names().front();
}

void by_number(std::vector<numbered_replica>& replicas) {
  std::ranges::sort(replicas, {}, &numbered_replica::number);
}

} // namespace

std::vector<numbered_replica> compose_replicas(const std::vector<engine_container>& containers,
                                               const worker_name_source& naming) {
  std::vector<numbered_replica> out;
  for (const auto& container : containers) {
    const auto label = container.labels.find("com.docker.compose.container-number");
    if (label == container.labels.end())
      continue;
    std::uint64_t number = 0;
    const auto& text = label->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc{} || end != text.data() + text.size())
      continue;
    if (const auto name = only_name(engine_worker_names({container}, naming)))
      out.push_back({number, *name});
  }
  by_number(out);
  return out;
}

std::vector<numbered_replica> swarm_replicas(const swarm_service& service, const std::vector<swarm_task>& tasks,
                                             const worker_name_source& naming, std::string_view stack) {
  std::vector<numbered_replica> out;
  for (const auto& task : tasks) {
    if (task.service_id != service.id || task.desired_state != "running" || task.state != "running")
      continue;
    if (const auto name = only_name(swarm_worker_names({service}, {task}, naming, stack)))
      out.push_back({task.slot, *name});
  }
  by_number(out);
  return out;
}

result<service_update, parse_error> scaled_service_spec(std::string_view inspect_body, std::uint64_t replicas) {
  boost::system::error_code ec;
  auto document = boost::json::parse(inspect_body, ec);
  if (ec)
    return fail(parse_error{parse_error::kind::not_json, ec.message()});
  auto* service = document.if_object();
  const auto* version = service ? service->if_contains("Version") : nullptr;
  const auto* index = version && version->is_object() ? version->as_object().if_contains("Index") : nullptr;
  auto* spec = service ? service->if_contains("Spec") : nullptr;
  if (!index || !spec || !spec->is_object())
    return fail(parse_error{parse_error::kind::wrong_type, "a service has a Version.Index and a Spec"});
  auto* mode = spec->as_object().if_contains("Mode");
  auto* replicated = mode && mode->is_object() ? mode->as_object().if_contains("Replicated") : nullptr;
  if (!replicated || !replicated->is_object())
    return fail(parse_error{parse_error::kind::wrong_type, "the service is not replicated (a global service)"});
  const auto number = index->to_number<std::uint64_t>(ec);
  if (ec)
    return fail(parse_error{parse_error::kind::wrong_type, "Version.Index is not a number"});
  replicated->as_object()["Replicas"] = replicas;
  return service_update{number, boost::json::serialize(*spec)};
}

std::string container_stop_target(const std::string& version_prefix, std::string_view id, int seconds) {
  return version_prefix + "/containers/" + url_encode(id) + "/stop?t=" + std::to_string(seconds);
}

std::string service_inspect_target(const std::string& version_prefix, std::string_view id) {
  return version_prefix + "/services/" + url_encode(id);
}

std::string service_update_target(const std::string& version_prefix, std::string_view id, std::uint64_t version) {
  return version_prefix + "/services/" + url_encode(id) + "/update?version=" + std::to_string(version);
}

} // namespace wlg::protocol
