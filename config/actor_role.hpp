#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace wlg::config {

// The supervised actors, by the names operators use in --inject-fault,
// logs and metrics. Which of them run depends on the configuration: one
// poller per source, one output per target.
enum class actor_role : unsigned char {
  event_subscriber,
  api_poller,    // --source=cloud
  state_reconciler,
  file_writer,   // --target=file
  docker_restarter, // --target=file
  citus_membership, // --target=citus
  engine_poller, // --source=engine
  swarm_poller,  // --source=swarm
};

inline constexpr std::size_t actor_role_count = 8;

inline constexpr std::array<std::string_view, actor_role_count> actor_role_names = {
  "event_subscriber", "api_poller",       "state_reconciler", "file_writer",
  "docker_restarter", "citus_membership", "engine_poller",    "swarm_poller"};

constexpr std::string_view name_of(actor_role role) {
  return actor_role_names[static_cast<std::size_t>(role)];
}

constexpr std::size_t index_of(actor_role role) {
  return static_cast<std::size_t>(role);
}

inline std::optional<actor_role> parse_actor_role(std::string_view name) {
  for (std::size_t i = 0; i < actor_role_count; ++i)
    if (actor_role_names[i] == name)
      return static_cast<actor_role>(i);
  return std::nullopt;
}

} // namespace wlg::config
