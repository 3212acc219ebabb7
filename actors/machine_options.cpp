#include "actors/machine_options.hpp"

#include <random>

namespace wlg::actors {

policy::run_options run_options_of(const config::settings& config) {
  policy::run_options options;
  options.backoff_initial = config.backoff_initial;
  options.backoff_max = config.backoff_max;
  options.once = config.once;
  options.rehearse = config.dry_run;
  options.seed = std::random_device{}();
  return options;
}

} // namespace wlg::actors
