#pragma once

// The emulator's model of one Docker Cloud stack (protocols.md sections 2-3):
// a master service, a worker service with N containers, and the sidecar's own
// service and container, whose linked_to_container follows the running
// workers. Changes return the events Docker Cloud would emit for them,
// transient states first, then final ones.

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace wlg::emulator {

struct model_options {
  std::string stack_name = "citus";
  std::string cloud_namespace; // empty: URIs without a namespace segment
  int workers = 3;
  std::uint32_t seed = 1;
};

// The events of one change, in order. `first_relevant` indexes the first event
// the sidecar's rule reacts to (after the model changed), or -1.
struct change_events {
  std::vector<std::string> events;
  int first_relevant = -1;
};

class stack_model {
public:
  explicit stack_model(model_options options);

  const std::string& sidecar_container_uri() const { return sidecar_container_uri_; }
  const std::string& sidecar_service_uri() const { return sidecar_service_uri_; }
  std::string events_path() const; // "/api/audit/v1/[ns/]events/"

  // Running worker link names, sorted.
  std::vector<std::string> worker_names() const;

  // The JSON document at a REST path, if any.
  std::optional<std::string> document_at(const std::string& path) const;

  change_events scale_to(int workers);
  change_events redeploy();

  // Events that match the relevance rule but change nothing (another stack's
  // containers), transient ones, and other types.
  std::vector<std::string> unrelated_events(int count);
  std::vector<std::string> transient_events(int count);
  std::vector<std::string> other_type_events(int count);

  // Hostile testing: link names served instead of the workers' own.
  void override_link_names(std::optional<std::vector<std::string>> names);

private:
  struct container {
    std::string uuid;
    std::string name;
    int index = 0;
    std::string ip;
  };

  std::string uri(const std::string& subsystem, const std::string& type, const std::string& uuid) const;
  std::string new_uuid();
  std::string event(const std::string& type, const std::string& action, const std::string& state,
                    const std::string& resource_uri, const std::vector<std::string>& parents);
  std::string sidecar_container_json() const;
  void changed();
  std::string worker_container_json(const container& c) const;
  std::string service_json(const std::string& uuid, const std::string& name, int containers) const;
  std::vector<std::string> worker_parents() const;
  container make_worker(int index);

  model_options options_;
  std::mt19937_64 rng_;
  std::string stack_uuid_, node_uuid_;
  std::string master_service_uuid_, worker_service_uuid_, sidecar_service_uuid_;
  std::string sidecar_container_uuid_;
  std::string sidecar_container_uri_, sidecar_service_uri_;
  std::vector<container> workers_; // ordered by index
  std::optional<std::vector<std::string>> link_name_override_;
  std::string sidecar_document_; // sidecar_container_json() as of the last change
  std::uint64_t event_seq_ = 0;
};

} // namespace wlg::emulator
