#pragma once

// --inject-fault=SPEC: ACTOR:crash:every=N or ACTOR:stall:ms=M[,every=N].

#include "config/actor_role.hpp"
#include "protocol/result.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace wlg::config {

struct fault_spec {
  enum class kind { crash, stall };
  config::actor_role role = config::actor_role::event_subscriber;
  kind what = kind::crash;
  unsigned every = 1; // on every Nth message the actor handles
  std::chrono::milliseconds stall{0};
};

result<fault_spec, std::string> parse_fault_spec(std::string_view text);

} // namespace wlg::config
