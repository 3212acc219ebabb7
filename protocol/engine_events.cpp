#include "protocol/engine_events.hpp"

#include "protocol/limits.hpp"
#include "protocol/worker_name.hpp"

#include <array>
#include <algorithm>

namespace wlg::protocol {

line_splitter::line_splitter(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

void line_splitter::feed(std::string_view bytes, std::vector<line>& out) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    const auto piece = bytes.substr(0, newline);
    if (!discarding_) {
      if (partial_.size() + piece.size() > max_line_bytes_) {
        partial_.clear();
        discarding_ = true;
        out.push_back({{}, true});
      } else {
        partial_.append(piece);
      }
    }
    if (newline == std::string_view::npos)
      return;
    bytes.remove_prefix(newline + 1);
    if (!discarding_ && !partial_.empty() && partial_ != "\r")
      out.push_back({std::move(partial_), false});
    partial_.clear();
    discarding_ = false;
  }
}

namespace {

simdjson::error_code read_actor(simdjson::ondemand::value actor, engine_event& out) {
  return for_each_field(actor, [&](std::string_view key, simdjson::ondemand::value value) {
    if (key == "ID" && out.id.empty())
      return read_string(value, out.id);
    if (key == "Attributes")
      return read_string_map(value, out.attributes);
    return simdjson::SUCCESS;
  });
}

} // namespace

engine_event_parser::engine_event_parser() : reader_(limits::max_engine_event_line_bytes) {}

result<engine_event, parse_error> engine_event_parser::parse(std::string_view line) {
  engine_event event;
  std::string status; // the pre-1.22 name of Action
  auto error = reader_.read_object(line, "event", [&](std::string_view key, simdjson::ondemand::value value) {
    if (key == "Type")
      return read_string(value, event.type);
    if (key == "Action")
      return read_string(value, event.action);
    if (key == "status")
      return read_string(value, status);
    if (key == "id")
      return read_string(value, event.id);
    if (key == "Actor")
      return read_actor(value, event);
    return simdjson::SUCCESS;
  });
  if (error)
    return fail(std::move(*error));
  if (event.action.empty())
    event.action = std::move(status);
  if (event.type.empty() && !event.id.empty())
    event.type = "container"; // engines before API 1.22 only reported container events
  return event;
}

bool is_relevant_engine_event(const engine_event& event, std::string_view project) {
  // "remove" is podman's name for "destroy".
  static constexpr std::array<std::string_view, 7> changes = {
    "start", "die", "stop", "destroy", "remove", "rename", "health_status"};
  if (event.type != "container")
    return false;
  const std::string_view action = std::string_view{event.action}.substr(0, event.action.find(':'));
  if (std::find(changes.begin(), changes.end(), action) == changes.end())
    return false;
  if (!project.empty())
    if (auto it = event.attributes.find("com.docker.compose.project"); it != event.attributes.end())
      return it->second == project;
  return true;
}

std::string engine_events_target(const std::string& version_prefix) {
  return version_prefix + "/events?filters=" + url_encode(R"({"type":["container"]})");
}

std::vector<std::string> worker_labels(std::string_view label_key, std::string_view label_value,
                                       std::string_view project) {
  std::vector<std::string> labels{std::string{label_key} + "=" + std::string{label_value}};
  if (!project.empty())
    labels.push_back("com.docker.compose.project=" + std::string{project});
  return labels;
}

std::vector<std::string> master_labels(bool swarm, std::string_view stack, std::string_view service) {
  const std::string in_stack{stack};
  if (swarm)
    return stack.empty() ? std::vector<std::string>{"com.docker.swarm.service.name=" + std::string{service}}
                         : std::vector<std::string>{"com.docker.stack.namespace=" + in_stack,
                                                    "com.docker.swarm.service.name=" + in_stack + "_" + std::string{service}};
  std::vector<std::string> labels;
  if (!stack.empty())
    labels.push_back("com.docker.compose.project=" + in_stack);
  labels.push_back("com.docker.compose.service=" + std::string{service});
  return labels;
}

container_links engine_worker_names(const std::vector<engine_container>& containers,
                                    const worker_name_source& source) {
  container_links out;
  std::vector<std::string> names, held_back;
  std::map<std::string, std::string> ids;
  bool checks_pending = false;
  for (const auto& c : containers) {
    checks_pending = checks_pending || c.starting || c.unhealthy;
    if (c.starting)
      continue;
    std::string name;
    switch (source.what) {
      case worker_name_source::kind::container_name:
      case worker_name_source::kind::hostname: // the caller resolves hostnames into names[0]
        name = c.names.empty() ? std::string{} : c.names.front();
        if (!name.empty() && name.front() == '/')
          name.erase(0, 1);
        break;
      case worker_name_source::kind::label:
        if (auto it = c.labels.find(source.label_key); it != c.labels.end())
          name = it->second;
        break;
      case worker_name_source::kind::service:
      case worker_name_source::kind::task:
      case worker_name_source::kind::address:
        break; // swarm mode's (the settings refuse them in engine mode)
    }
    if (auto problem = worker_name_problem(name)) {
      const std::string who = c.id.substr(0, 12);
      out.refused.push_back({printable_excerpt(name.empty() ? who : name),
                             name.empty() ? "container " + who + " has no name to write" : *problem});
      continue;
    }
    // Two containers under one name (a label's): neither is its container.
    if (auto [it, first] = ids.try_emplace(name, c.id); !first)
      it->second.clear();
    (c.unhealthy ? held_back : names).push_back(std::move(name));
  }
  out.workers = worker_set{std::move(names), std::move(held_back)};
  out.workers.set_containers(std::move(ids));
  // Podman (4.3) reports a healthcheck's health_status event before it
  // records the result: a listing made on the event can show the state
  // before the check (measured here: 14 of 80). So while a worker's check
  // has not passed, the set counts as settling and is fetched again shortly
  // (sync_machine's settle_interval, for at most settle_for in a row).
  out.workers.set_settling(checks_pending);
  return out;
}

result<std::string, parse_error> parse_container_hostname(std::string_view body) {
  json_reader reader{limits::max_engine_document_bytes};
  std::string hostname;
  auto error = reader.read_object(body, "container", [&](std::string_view key, simdjson::ondemand::value config) {
    if (key != "Config")
      return simdjson::SUCCESS;
    return for_each_field(config, [&](std::string_view name, simdjson::ondemand::value value) {
      return name == "Hostname" ? read_string(value, hostname) : simdjson::SUCCESS;
    });
  });
  if (error)
    return fail(std::move(*error));
  if (hostname.empty())
    return fail(parse_error{parse_error::kind::wrong_type, "Config.Hostname missing"});
  return hostname;
}

std::string container_inspect_target(const std::string& version_prefix, std::string_view id) {
  return version_prefix + "/containers/" + url_encode(id) + "/json";
}

} // namespace wlg::protocol
