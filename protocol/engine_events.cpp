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

simdjson::error_code read_attributes(simdjson::ondemand::value actor, engine_event& out) {
  simdjson::ondemand::object object;
  if (auto err = actor.get_object().get(object))
    return err;
  for (auto field : object) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key))
      return err;
    if (key == "ID") {
      std::string_view id;
      if (auto err = field.value().get_string().get(id))
        return err;
      if (out.id.empty())
        out.id = id;
    } else if (key == "Attributes") {
      simdjson::ondemand::object attributes;
      if (auto err = field.value().get_object().get(attributes))
        return err;
      for (auto attribute : attributes) {
        std::string_view name, value;
        if (auto err = attribute.unescaped_key().get(name))
          return err;
        if (auto err = attribute.value().get_string().get(value))
          return err;
        out.attributes.emplace(std::string{name}, std::string{value});
      }
    }
  }
  return simdjson::SUCCESS;
}

} // namespace

engine_event_parser::engine_event_parser() : reader_(limits::max_engine_event_line_bytes) {}

result<engine_event, parse_error> engine_event_parser::parse(std::string_view line) {
  auto doc = reader_.open(line);
  if (!doc)
    return fail(doc.error());
  simdjson::ondemand::object object;
  if (auto err = doc->get_object().get(object))
    return fail(to_parse_error(err, "event"));
  engine_event event;
  std::string status; // the pre-1.22 name of Action
  for (auto field : object) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key))
      return fail(to_parse_error(err, "event key"));
    simdjson::error_code err = simdjson::SUCCESS;
    std::string_view text;
    if (key == "Type") {
      err = field.value().get_string().get(text);
      event.type = text;
    } else if (key == "Action") {
      err = field.value().get_string().get(text);
      event.action = text;
    } else if (key == "status") {
      err = field.value().get_string().get(text);
      status = text;
    } else if (key == "id") {
      err = field.value().get_string().get(text);
      event.id = text;
    } else if (key == "Actor") {
      err = read_attributes(field.value(), event);
    }
    if (err)
      return fail(to_parse_error(err, key));
  }
  if (!fully_consumed(*doc))
    return fail(parse_error{parse_error::kind::not_json, "trailing content after the event"});
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

std::vector<std::string> worker_labels(const settings& config) {
  std::vector<std::string> labels{config.worker_label_key + "=" + config.worker_label_value};
  if (!config.stack_name.empty())
    labels.push_back("com.docker.compose.project=" + config.stack_name);
  return labels;
}

container_links engine_worker_names(const std::vector<engine_container>& containers,
                                    const worker_name_source& source) {
  container_links out;
  std::vector<std::string> names;
  for (const auto& c : containers) {
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
    }
    if (auto problem = worker_name_problem(name)) {
      const std::string who = c.id.substr(0, 12);
      out.refused.push_back({printable_excerpt(name.empty() ? who : name),
                             name.empty() ? "container " + who + " has no name to write" : *problem});
      continue;
    }
    names.push_back(std::move(name));
  }
  out.workers = worker_set{std::move(names)};
  return out;
}

result<std::string, parse_error> parse_container_hostname(std::string_view body) {
  json_reader reader{limits::max_engine_document_bytes};
  auto doc = reader.open(body);
  if (!doc)
    return fail(doc.error());
  simdjson::ondemand::object object;
  if (auto err = doc->get_object().get(object))
    return fail(to_parse_error(err, "container"));
  std::string hostname;
  for (auto field : object) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key))
      return fail(to_parse_error(err, "container key"));
    if (key != "Config")
      continue;
    simdjson::ondemand::object config;
    if (auto err = field.value().get_object().get(config))
      return fail(to_parse_error(err, "Config"));
    for (auto entry : config) {
      std::string_view name;
      if (auto err = entry.unescaped_key().get(name))
        return fail(to_parse_error(err, "Config key"));
      if (name != "Hostname")
        continue;
      std::string_view text;
      if (auto err = entry.value().get_string().get(text))
        return fail(to_parse_error(err, "Config.Hostname"));
      hostname = text;
    }
  }
  if (!fully_consumed(*doc))
    return fail(parse_error{parse_error::kind::not_json, "trailing content after the container"});
  if (hostname.empty())
    return fail(parse_error{parse_error::kind::wrong_type, "Config.Hostname missing"});
  return hostname;
}

std::string container_inspect_target(const std::string& version_prefix, std::string_view id) {
  return version_prefix + "/containers/" + url_encode(id) + "/json";
}

} // namespace wlg::protocol
