#pragma once

// The Docker Engine API subset the sidecar uses over the unix socket
// (protocols.md section 4): version negotiation, the label-filtered container
// list, and the request targets built from them.

#include "protocol/json_document.hpp"
#include "protocol/parse_error.hpp"
#include "protocol/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

struct api_version {
  int major = 1;
  int minor = 0;
  friend auto operator<=>(const api_version&, const api_version&) = default;
};

std::optional<api_version> parse_api_version(std::string_view text);
std::string to_string(api_version v);

// The highest version this client speaks: Docker 29 refuses anything below
// 1.44, so the client must reach at least that far. Everything the sidecar
// uses has been stable since 1.24.
inline constexpr api_version client_max_api_version{1, 52};
inline constexpr api_version client_min_api_version{1, 24};

struct engine_version {
  api_version api;
  std::optional<api_version> min_api;
};

result<engine_version, parse_error> parse_engine_version(std::string_view body);

// min(client max, engine's), refused when below what either side accepts.
result<api_version, std::string> negotiate_api_version(const engine_version& engine);

// The "/v1.NN" prefix for every later request, from the engine's answer to
// GET /version; or why the engine cannot be used.
result<std::string, std::string> version_prefix_from(unsigned status, std::string_view body);

struct engine_container {
  std::string id;
  std::vector<std::string> names; // as the engine gives them: "/name"
  std::map<std::string, std::string> labels;
  std::string state;
  std::string status;    // "Up 5 seconds (health: starting)": for people, not read
  bool starting = false;  // its healthcheck has not passed yet (health_container_list_target "starting")
  bool unhealthy = false; // its healthcheck fails (health_container_list_target "unhealthy")
};

// GET /containers/json of the labelled containers in one health state
// (the `health` filter, {"label":[...],"health":["starting"]}; "starting":
// the healthcheck has not passed yet, "unhealthy": it fails): what Docker and
// Podman both answer, where only Docker's status text says it.
std::string health_container_list_target(const std::string& version_prefix, const std::vector<std::string>& labels,
                                         std::string_view health);

// Sets `flag` on the containers that `listed` (one of those listings) names.
void mark_listed(std::vector<engine_container>& containers, const std::vector<engine_container>& listed,
                 bool engine_container::*flag);

class container_list_parser {
public:
  container_list_parser();
  result<std::vector<engine_container>, parse_error> parse(std::string_view body);

private:
  json_reader reader_;
};

// Percent-encodes a string for use in a query component.
std::string url_encode(std::string_view text);

// JSON for the `filters` parameter, {"label":["k=v",...]} with every label
// required, already percent-encoded.
std::string label_filter_query(const std::vector<std::string>& labels);

// "/v1.44/containers/json?filters=..." (an empty version gives "/containers/...").
std::string container_list_target(const std::string& version_prefix,
                                  const std::vector<std::string>& labels);
// GET /containers/json of the container whose id starts with `id` (the
// {"id":[...]} filter): HOSTNAME names the container a process runs in so.
std::string container_by_id_target(const std::string& version_prefix, std::string_view id);

// Whether `hostname` is what Docker and Podman set HOSTNAME to in a container
// that has no hostname of its own: its id, 12 or 64 lowercase hex digits.
bool is_container_id(std::string_view hostname);

std::string container_kill_target(const std::string& version_prefix, std::string_view id,
                                  std::string_view signal);


} // namespace wlg::protocol
