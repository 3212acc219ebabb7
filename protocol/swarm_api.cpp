#include "protocol/swarm_api.hpp"

#include "protocol/json_text.hpp"
#include "protocol/limits.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace wlg::protocol {

namespace {

using simdjson::ondemand::value;

// Spec.Mode: {"Replicated":{"Replicas":N}} or {"Global":{}}.
simdjson::error_code read_mode(value mode, swarm_service& out) {
  return for_each_field(mode, [&](std::string_view key, value v) {
    if (key != "Replicated")
      return simdjson::SUCCESS;
    return for_each_field(v, [&](std::string_view field, value n) {
      if (field != "Replicas")
        return simdjson::SUCCESS;
      std::uint64_t replicas = 0;
      auto err = n.get_uint64().get(replicas);
      if (!err)
        out.replicas = replicas;
      return err;
    });
  });
}

simdjson::error_code read_service(value service, swarm_service& out) {
  auto err = for_each_field(service, [&](std::string_view key, value v) {
    if (key == "ID")
      return read_string(v, out.id);
    if (key != "Spec")
      return simdjson::SUCCESS;
    return for_each_field(v, [&](std::string_view field, value spec) {
      if (field == "Name")
        return read_string(spec, out.name);
      if (field == "Mode")
        return read_mode(spec, out);
      return simdjson::SUCCESS;
    });
  });
  if (err)
    return err;
  return out.id.empty() || out.name.empty() ? simdjson::NO_SUCH_FIELD : simdjson::SUCCESS;
}

// NetworksAttachments[]: {"Network":{"Spec":{"Name":...}}, "Addresses":["10.0.1.4/24"]}.
simdjson::error_code read_attachment(value attachment, std::vector<swarm_task_address>& out) {
  std::string network;
  std::vector<std::string> addresses;
  auto err = for_each_field(attachment, [&](std::string_view key, value v) {
    if (key == "Addresses")
      return read_string_array(v, addresses);
    if (key != "Network")
      return simdjson::SUCCESS;
    return for_each_field(v, [&](std::string_view field, value spec) {
      if (field != "Spec")
        return simdjson::SUCCESS;
      return for_each_field(spec, [&](std::string_view name_key, value name) {
        return name_key == "Name" ? read_string(name, network) : simdjson::SUCCESS;
      });
    });
  });
  if (err)
    return err;
  for (auto& address : addresses)
    out.push_back({network, address.substr(0, address.find('/'))});
  return simdjson::SUCCESS;
}

simdjson::error_code read_task(value task, swarm_task& out) {
  auto err = for_each_field(task, [&](std::string_view key, value v) {
    if (key == "ID")
      return read_string(v, out.id);
    if (key == "ServiceID")
      return read_string(v, out.service_id);
    if (key == "NodeID")
      return is_null(v) ? simdjson::SUCCESS : read_string(v, out.node_id);
    if (key == "Slot")
      return v.get_uint64().get(out.slot);
    if (key == "DesiredState")
      return read_string(v, out.desired_state);
    if (key == "Status")
      return for_each_field(v, [&](std::string_view field, value state) {
        return field == "State" ? read_string(state, out.state) : simdjson::SUCCESS;
      });
    if (key == "NetworksAttachments")
      return is_null(v) ? simdjson::SUCCESS
                        : for_each_item(v, [&](value attachment) { return read_attachment(attachment, out.addresses); });
    return simdjson::SUCCESS;
  });
  if (err)
    return err;
  return out.id.empty() || out.service_id.empty() ? simdjson::NO_SUCH_FIELD : simdjson::SUCCESS;
}

template <class Item, class Read>
result<std::vector<Item>, parse_error> parse_list(json_reader& reader, std::string_view body, std::string_view what,
                                                  Read&& read) {
  auto doc = reader.open(body);
  if (!doc)
    return fail(doc.error());
  std::vector<Item> out;
  value list;
  auto err = doc->get_value().get(list);
  if (!err)
    err = for_each_item(list, [&](value item) { return read(item, out.emplace_back()); });
  if (err)
    return fail(to_parse_error(err, what));
  if (!fully_consumed(*doc))
    return fail(parse_error{parse_error::kind::not_json, "trailing content after the " + std::string{what}});
  return out;
}

std::string filter_query(std::string_view key, const std::vector<std::string>& values) {
  std::string json = "{" + json_quote(key) + ":[";
  for (std::size_t i = 0; i < values.size(); ++i)
    json += (i > 0 ? "," : "") + json_quote(values[i]);
  return url_encode(json + "]}");
}

bool runs(const swarm_task& task) {
  return task.desired_state == "running" && task.state == "running";
}

// On its way up (wanted, not running yet) or down (running, not wanted).
bool in_transition(const swarm_task& task) {
  static constexpr std::array<std::string_view, 7> starting = {"new", "allocated", "pending", "assigned",
                                                               "accepted", "preparing", "starting"};
  const bool wanted = task.desired_state == "running";
  const bool coming = std::find(starting.begin(), starting.end(), task.state) != starting.end();
  return wanted ? coming : task.state == "running" || coming;
}

// The name --worker-name gives a task of `service`, or why there is none.
result<std::string, std::string> task_name(const swarm_service& service, const swarm_task& task,
                                           const worker_name_source& naming, std::string_view stack) {
  using kind = worker_name_source::kind;
  switch (naming.what) {
    case kind::service: return service.name;
    case kind::task:
      return service.name + "." + (task.slot > 0 ? std::to_string(task.slot) : task.node_id) + "." + task.id;
    case kind::address: {
      const std::string in_stack = stack.empty() ? std::string{} : std::string{stack} + "_" + naming.network;
      for (const auto& a : task.addresses)
        if (a.network == naming.network || (!in_stack.empty() && a.network == in_stack))
          return a.address;
      return fail("task " + task.id.substr(0, 12) + " of " + service.name + " has no address on network "
                  + naming.network);
    }
    default: return fail(std::string{"not a swarm naming"});
  }
}

// A task's place in its service: its slot, or a global service's node.
std::string place_of(const swarm_task& task) {
  return task.service_id + "/" + (task.slot > 0 ? std::to_string(task.slot) : task.node_id);
}

} // namespace

swarm_service_parser::swarm_service_parser() : reader_(limits::max_engine_document_bytes) {}

result<std::vector<swarm_service>, parse_error> swarm_service_parser::parse(std::string_view body) {
  return parse_list<swarm_service>(reader_, body, "service list", read_service);
}

swarm_task_parser::swarm_task_parser() : reader_(limits::max_engine_document_bytes) {}

result<std::vector<swarm_task>, parse_error> swarm_task_parser::parse(std::string_view body) {
  return parse_list<swarm_task>(reader_, body, "task list", read_task);
}

std::vector<std::string> swarm_service_labels(std::string_view label_key, std::string_view label_value,
                                              std::string_view stack) {
  std::vector<std::string> labels{std::string{label_key} + "=" + std::string{label_value}};
  if (!stack.empty())
    labels.push_back("com.docker.stack.namespace=" + std::string{stack});
  return labels;
}

std::string service_list_target(const std::string& version_prefix, const std::vector<std::string>& labels) {
  return version_prefix + "/services?filters=" + filter_query("label", labels);
}

std::string task_list_target(const std::string& version_prefix, const std::vector<std::string>& service_ids) {
  return version_prefix + "/tasks?filters=" + filter_query("service", service_ids);
}

std::string swarm_events_target(const std::string& version_prefix) {
  return version_prefix + "/events?filters=" + filter_query("type", {"service", "container"});
}

bool is_relevant_swarm_event(const engine_event& event, std::string_view stack) {
  if (event.type == "service")
    return true;
  if (!event.attributes.count("com.docker.swarm.task.id") || !is_relevant_engine_event(event, {}))
    return false;
  if (stack.empty())
    return true;
  const auto it = event.attributes.find("com.docker.stack.namespace");
  return it == event.attributes.end() || it->second == stack;
}

namespace {

// A task on its way up or down, or a replicated service whose running tasks
// are not (yet) its replicas.
bool still_settling(const std::vector<swarm_service>& services, const std::vector<swarm_task>& tasks) {
  std::map<std::string_view, std::uint64_t> running_count;
  for (const auto& task : tasks) {
    if (in_transition(task))
      return true;
    if (runs(task))
      ++running_count[task.service_id];
  }
  return std::any_of(services.begin(), services.end(), [&](const swarm_service& service) {
    return service.replicas && running_count[service.id] != *service.replicas;
  });
}

} // namespace

container_links swarm_worker_names(const std::vector<swarm_service>& services, const std::vector<swarm_task>& tasks,
                                   const worker_name_source& naming, std::string_view stack) {
  std::map<std::string_view, const swarm_service*> by_id;
  for (const auto& service : services)
    by_id.emplace(service.id, &service);
  container_links out;
  std::vector<std::string> names;
  std::map<std::string, std::string> name_of_place; // the running task's
  for (const auto& task : tasks) {
    const auto service = by_id.find(task.service_id);
    if (service == by_id.end() || !runs(task))
      continue;
    auto name = task_name(*service->second, task, naming, stack);
    const auto problem = name ? worker_name_problem(*name) : std::optional<std::string>{name.error()};
    if (problem) {
      out.refused.push_back({printable_excerpt(name ? *name : task.id), *problem});
      continue;
    }
    name_of_place[place_of(task)] = *name;
    names.push_back(std::move(*name));
  }
  worker_set::successions formers;
  for (const auto& task : tasks) {
    const auto service = by_id.find(task.service_id);
    const auto successor = name_of_place.find(place_of(task));
    if (service == by_id.end() || runs(task) || successor == name_of_place.end())
      continue;
    auto name = task_name(*service->second, task, naming, stack);
    if (!name || worker_name_problem(*name) || *name == successor->second)
      continue;
    auto& list = formers[successor->second];
    if (std::find(list.begin(), list.end(), *name) == list.end())
      list.push_back(std::move(*name));
  }
  out.workers = worker_set{std::move(names), std::move(formers), still_settling(services, tasks)};
  return out;
}

} // namespace wlg::protocol
