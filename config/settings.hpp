#pragma once

// Everything the sidecar can be told, with the original's environment variable
// names and defaults (protocols.md section 1) and the new WORKERLISTGEN_ ones.

#include "config/fault_spec.hpp"
#include "config/values.hpp"
#include "protocol/endpoint.hpp"
#include "protocol/worker_name.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wlg::config {

inline constexpr std::string_view product_name = "dockercloud/workerlistgen";
inline constexpr std::string_view command_name = "dockercloud-workerlistgen";

// DOCKERCLOUD_AUTH: the whole Authorization header value. Only reveal() gives
// the text, so it cannot end up in a log line by accident.
class secret {
public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }

private:
  std::string value_;
};

enum class event_source { cloud, engine, swarm };
enum class output_target { file, citus };
enum class worker_removal { if_empty, never };
enum class log_style { text, json };

struct settings {
  using duration = std::chrono::milliseconds;

  // The original's settings.
  std::string container_api_uri;
  std::string service_api_uri;
  secret auth;
  protocol::web_endpoint rest_host;
  protocol::web_endpoint stream_host;
  std::string cloud_namespace;
  std::string stack_name; // empty: unset
  std::string citus_confdir;
  std::string citus_service_name;
  bool debug = false;
  std::string docker_socket;

  // New settings.
  event_source source = event_source::cloud;
  std::string pid_file;
  std::string ready_file;      // empty: none
  std::uint16_t worker_port = 5432;
  std::string signal;
  duration poll_interval{};
  duration request_timeout{};
  duration ping_interval{};
  duration pong_timeout{};
  duration backoff_initial{};
  duration backoff_max{};
  duration auth_retry{};
  int max_restarts = 0;
  duration restart_window{};
  duration min_interval{};
  duration max_wait{};
  std::vector<fault_spec> faults;
  listen_address listen;       // health and metrics; disabled when empty
  int listen_connections = 64; // at most this many connections on it at once
  log_style log_format = log_style::text;
  bool once = false;           // one full sync, then exit 0 or 1
  bool dry_run = false;        // print instead of writing and signalling
  std::string worker_label_key;   // engine mode: com.citusdata.role
  std::string worker_label_value; // engine mode: Worker
  protocol::worker_name_source worker_name;

  // --target=citus: the coordinator's worker nodes instead of the file.
  output_target target = output_target::file;
  secret coordinator; // a libpq connection string or URI; may hold a password
  worker_removal remove_workers = worker_removal::if_empty;
  std::optional<duration> disable_unreachable_after; // none: never
  bool rebalance_after_add = false;      // --rebalance=after-add
  std::string rebalance_transfer_mode;   // citus.shard_transfer_mode: auto, force_logical, block_writes

  // Path of the worker list file.
  std::string worker_list_path() const;
  // Docker Cloud event stream path: /api/audit/v1/[namespace/]events/
  std::string events_path() const;
};

} // namespace wlg::config
