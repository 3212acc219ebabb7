#include "policy/scale_plan.hpp"

#include <algorithm>

namespace wlg::policy {

scale_plan plan_scale(std::vector<protocol::numbered_replica> running, std::uint64_t replicas) {
  std::ranges::sort(running, {}, &protocol::numbered_replica::number);
  scale_plan out;
  out.grows = replicas > running.size();
  const auto kept = std::min<std::size_t>(running.size(), replicas);
  out.keep.assign(running.begin(), running.begin() + static_cast<std::ptrdiff_t>(kept));
  out.go.assign(running.begin() + static_cast<std::ptrdiff_t>(kept), running.end());
  return out;
}

std::string compose_scale_command(std::string_view project, const std::vector<std::string>& config_files,
                                  std::string_view service, std::uint64_t replicas) {
  std::string out = "docker compose -p " + std::string{project};
  for (const auto& file : config_files)
    out += " -f " + file;
  return out + " up -d --scale " + std::string{service} + "=" + std::to_string(replicas);
}

} // namespace wlg::policy
