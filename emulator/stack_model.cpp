#include "emulator/stack_model.hpp"

#include "protocol/json_text.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace wlg::emulator {

using protocol::json_quote;

namespace {

std::string rfc1123_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

std::string json_array(const std::vector<std::string>& quoted_items) {
  std::string out = "[";
  for (std::size_t i = 0; i < quoted_items.size(); ++i)
    out += (i ? "," : "") + quoted_items[i];
  return out + "]";
}

} // namespace

stack_model::stack_model(model_options options) : options_(std::move(options)), rng_(options_.seed) {
  stack_uuid_ = new_uuid();
  node_uuid_ = new_uuid();
  master_service_uuid_ = new_uuid();
  worker_service_uuid_ = new_uuid();
  sidecar_service_uuid_ = new_uuid();
  sidecar_container_uuid_ = new_uuid();
  sidecar_container_uri_ = uri("app", "container", sidecar_container_uuid_);
  sidecar_service_uri_ = uri("app", "service", sidecar_service_uuid_);
  for (int i = 1; i <= options_.workers; ++i)
    workers_.push_back(make_worker(i));
  changed();
}

// Like an API that serves from its store, the sidecar's container document is
// rendered when the stack changes (before the change's events go out), not on
// every request: 10,000 links take the emulator ~15 ms to render.
void stack_model::changed() {
  sidecar_document_ = sidecar_container_json();
}

std::string stack_model::new_uuid() {
  const auto a = rng_();
  const auto b = rng_();
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff), static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

std::string stack_model::uri(const std::string& subsystem, const std::string& type,
                             const std::string& uuid) const {
  std::string out = "/api/" + subsystem + "/v1/";
  if (!options_.cloud_namespace.empty() && subsystem != "infra")
    out += options_.cloud_namespace + "/";
  return out + type + "/" + uuid + "/";
}

std::string stack_model::events_path() const {
  std::string out = "/api/audit/v1/";
  if (!options_.cloud_namespace.empty())
    out += options_.cloud_namespace + "/";
  return out + "events/";
}

stack_model::container stack_model::make_worker(int index) {
  container c;
  c.uuid = new_uuid();
  c.name = "worker-" + std::to_string(index);
  c.index = index;
  c.ip = "10.7." + std::to_string(index / 250) + "." + std::to_string(index % 250 + 3);
  return c;
}

std::vector<std::string> stack_model::worker_names() const {
  std::vector<std::string> names;
  if (link_name_override_)
    names = *link_name_override_;
  else
    for (const auto& w : workers_)
      names.push_back(w.name);
  std::sort(names.begin(), names.end());
  return names;
}

void stack_model::override_link_names(std::optional<std::vector<std::string>> names) {
  link_name_override_ = std::move(names);
  changed();
}

std::vector<std::string> stack_model::worker_parents() const {
  return {json_quote(uri("app", "service", worker_service_uuid_)),
          json_quote(uri("app", "stack", stack_uuid_)), json_quote(uri("infra", "node", node_uuid_))};
}

std::string stack_model::event(const std::string& type, const std::string& action,
                               const std::string& state, const std::string& resource_uri,
                               const std::vector<std::string>& parents) {
  ++event_seq_;
  return "{\"type\":" + json_quote(type) + ",\"action\":" + json_quote(action)
         + ",\"state\":" + json_quote(state) + ",\"uuid\":" + json_quote(new_uuid())
         + ",\"resource_uri\":" + json_quote(resource_uri) + ",\"parents\":" + json_array(parents)
         + ",\"datetime\":" + json_quote(rfc1123_now()) + "}";
}

std::string stack_model::sidecar_container_json() const {
  std::string links;
  const auto names = worker_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const container* target = i < workers_.size() ? &workers_[i] : nullptr;
    const std::string to = target ? uri("app", "container", target->uuid) : uri("app", "container", "0");
    links += (i ? "," : "");
    links += "{\"name\":" + json_quote(names[i]) + ",\"from_container\":"
             + json_quote(sidecar_container_uri_) + ",\"to_container\":" + json_quote(to)
             + ",\"endpoints\":{\"5432/tcp\":"
             + json_quote("tcp://" + (target ? target->ip : std::string{"10.7.0.9"}) + ":5432")
             + "}}";
  }
  return "{\"uuid\":" + json_quote(sidecar_container_uuid_) + ",\"resource_uri\":"
         + json_quote(sidecar_container_uri_)
         + ",\"image_name\":\"citusdata/workerlist-gen:latest\",\"name\":\"config-1\","
           "\"state\":\"Running\",\"synchronized\":true,\"service\":"
         + json_quote(sidecar_service_uri_) + ",\"node\":" + json_quote(uri("infra", "node", node_uuid_))
         + ",\"private_ip\":\"10.7.0.2\",\"roles\":[\"global\"],\"labels\":{},"
           "\"container_envvars\":[{\"key\":\"CITUS_CONFDIR\",\"value\":\"/etc/citus\",\"origin\":\"IMAGE\"}],"
           "\"link_variables\":{},\"linked_to_container\":["
         + links + "]}";
}

std::string stack_model::worker_container_json(const container& c) const {
  return "{\"uuid\":" + json_quote(c.uuid) + ",\"resource_uri\":"
         + json_quote(uri("app", "container", c.uuid)) + ",\"name\":" + json_quote(c.name)
         + ",\"state\":\"Running\",\"service\":" + json_quote(uri("app", "service", worker_service_uuid_))
         + ",\"private_ip\":" + json_quote(c.ip) + ",\"linked_to_container\":[]}";
}

std::string stack_model::service_json(const std::string& uuid, const std::string& name,
                                      int containers) const {
  return "{\"uuid\":" + json_quote(uuid) + ",\"resource_uri\":" + json_quote(uri("app", "service", uuid))
         + ",\"name\":" + json_quote(name) + ",\"state\":\"Running\",\"stack\":"
         + json_quote(uri("app", "stack", stack_uuid_))
         + ",\"target_num_containers\":" + std::to_string(containers)
         + ",\"current_num_containers\":" + std::to_string(containers) + "}";
}

std::optional<std::string> stack_model::document_at(const std::string& path) const {
  if (path == sidecar_container_uri_)
    return sidecar_document_;
  for (const auto& w : workers_)
    if (path == uri("app", "container", w.uuid))
      return worker_container_json(w);
  if (path == sidecar_service_uri_)
    return service_json(sidecar_service_uuid_, "config", 1);
  if (path == uri("app", "service", worker_service_uuid_))
    return service_json(worker_service_uuid_, "worker", static_cast<int>(workers_.size()));
  if (path == uri("app", "service", master_service_uuid_))
    return service_json(master_service_uuid_, "master", 1);
  return std::nullopt;
}

change_events stack_model::scale_to(int target) {
  change_events out;
  const auto service_uri = uri("app", "service", worker_service_uuid_);
  const auto action_uri = uri("audit", "action", new_uuid());
  const auto stack = json_quote(uri("app", "stack", stack_uuid_));
  out.events.push_back(event("action", "create", "Pending", action_uri, {json_quote(service_uri)}));
  out.events.push_back(event("action", "update", "In progress", action_uri, {json_quote(service_uri)}));
  out.events.push_back(event("service", "update", "Scaling", service_uri, {stack}));
  const auto current = static_cast<int>(workers_.size());
  if (target > current) {
    std::vector<container> added;
    int next_index = workers_.empty() ? 1 : workers_.back().index + 1;
    for (int i = current; i < target; ++i)
      added.push_back(make_worker(next_index++));
    for (const auto& c : added)
      out.events.push_back(event("container", "create", "Starting", uri("app", "container", c.uuid),
                                 worker_parents()));
    workers_.insert(workers_.end(), added.begin(), added.end());
    for (const auto& c : added) {
      if (out.first_relevant < 0)
        out.first_relevant = static_cast<int>(out.events.size());
      out.events.push_back(event("container", "update", "Running", uri("app", "container", c.uuid),
                                 worker_parents()));
    }
  } else if (target < current) {
    std::vector<container> removed(workers_.begin() + target, workers_.end());
    for (const auto& c : removed) {
      out.events.push_back(event("container", "update", "Stopping", uri("app", "container", c.uuid),
                                 worker_parents()));
      out.events.push_back(event("container", "update", "Terminating",
                                 uri("app", "container", c.uuid), worker_parents()));
    }
    workers_.resize(static_cast<std::size_t>(std::max(target, 0)));
    for (const auto& c : removed) {
      if (out.first_relevant < 0)
        out.first_relevant = static_cast<int>(out.events.size());
      out.events.push_back(event("container", "delete", "Terminated", uri("app", "container", c.uuid),
                                 worker_parents()));
    }
  }
  out.events.push_back(event("service", "update", "Running", service_uri, {stack}));
  out.events.push_back(event("action", "update", "Success", action_uri, {json_quote(service_uri)}));
  changed();
  return out;
}

change_events stack_model::redeploy() {
  change_events out;
  const auto service_uri = uri("app", "service", worker_service_uuid_);
  const auto stack = json_quote(uri("app", "stack", stack_uuid_));
  out.events.push_back(event("service", "update", "Redeploying", service_uri, {stack}));
  for (auto& c : workers_) {
    const auto old_uri = uri("app", "container", c.uuid);
    out.events.push_back(event("container", "update", "Stopping", old_uri, worker_parents()));
    out.events.push_back(event("container", "update", "Terminating", old_uri, worker_parents()));
    out.events.push_back(event("container", "delete", "Terminated", old_uri, worker_parents()));
    c.uuid = new_uuid(); // same name, new container
    const auto new_uri = uri("app", "container", c.uuid);
    out.events.push_back(event("container", "create", "Starting", new_uri, worker_parents()));
    out.events.push_back(event("container", "update", "Running", new_uri, worker_parents()));
  }
  out.events.push_back(event("service", "update", "Running", service_uri, {stack}));
  changed();
  return out;
}

std::vector<std::string> stack_model::unrelated_events(int count) {
  std::vector<std::string> out;
  const auto other_service = json_quote(uri("app", "service", "0ther5e7-0000-4000-8000-000000000000"));
  for (int i = 0; i < count; ++i)
    out.push_back(event("container", "update", "Running",
                        uri("app", "container", "0ther000-0000-4000-8000-" + std::to_string(100000000000 + i)),
                        {other_service}));
  return out;
}

std::vector<std::string> stack_model::transient_events(int count) {
  static const char* states[] = {"In progress", "Pending", "Terminating", "Starting", "Scaling", "Stopping"};
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i)
    out.push_back(event(i % 2 ? "service" : "container", "update", states[i % 6],
                        uri("app", i % 2 ? "service" : "container", worker_service_uuid_),
                        worker_parents()));
  return out;
}

std::vector<std::string> stack_model::other_type_events(int count) {
  static const char* types[] = {"stack", "node", "nodecluster", "action"};
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i)
    out.push_back(event(types[i % 4], "update", "Success", uri("app", types[i % 4], new_uuid()),
                        {json_quote(uri("app", "stack", stack_uuid_))}));
  return out;
}

} // namespace wlg::emulator
