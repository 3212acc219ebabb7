#include "runtime/fault_plan.hpp"

#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <string>

namespace wlg::runtime {

fault_plan::fault_plan(const std::vector<config::fault_spec>& specs, metrics& counters)
  : specs_(specs), metrics_(counters) {}

void fault_plan::on_message(config::actor_role role) {
  if (specs_.empty())
    return;
  const auto n = handled_[config::index_of(role)].fetch_add(1) + 1;
  for (const auto& spec : specs_) {
    if (spec.role != role || n % spec.every != 0)
      continue;
    const auto injected = metrics_.faults_injected[config::index_of(role)].fetch_add(1) + 1;
    const std::string name{config::name_of(role)};
    if (spec.what == config::fault_spec::kind::crash) {
      component_logger(name)->warn("injected fault: crashing {} on message {} (fault {})", name, n,
                                   injected);
      throw injected_crash{"injected crash in " + name + " on message " + std::to_string(n)};
    }
    component_logger(name)->warn("injected fault: stalling {} for {} ms on message {} (fault {})",
                                 name, spec.stall.count(), n, injected);
    std::unique_lock lock{mutex_};
    wake_.wait_for(lock, spec.stall, [this] { return interrupted_; });
  }
}

void fault_plan::interrupt() {
  {
    std::lock_guard lock{mutex_};
    interrupted_ = true;
  }
  wake_.notify_all();
}

} // namespace wlg::runtime
