#pragma once

// --inject-fault at run time: each actor calls on_message() at the top of
// every handler; a crash spec throws there, a stall spec blocks there.

#include "config/actor_role.hpp"
#include "config/fault_spec.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace wlg::runtime {

struct metrics;

struct injected_crash : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class fault_plan {
public:
  fault_plan(const std::vector<config::fault_spec>& specs, metrics& counters);

  // Counts the message; throws injected_crash or sleeps when a spec says so.
  // Message counts run across restarts, so "every=N" means every Nth message
  // the role handles over the process's life.
  void on_message(config::actor_role role);

  // Ends every stall early (at shutdown) and stops new ones.
  void interrupt();

  bool any() const noexcept { return !specs_.empty(); }

private:
  std::vector<config::fault_spec> specs_;
  metrics& metrics_;
  std::array<std::atomic<std::uint64_t>, config::actor_role_count> handled_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool interrupted_ = false;
};

} // namespace wlg::runtime
