#pragma once

// The master's reload, as a pure machine beside the outputs': one signal run
// at a time lists the master's containers, then signals each in turn;
// everyone who asks while a run is under way is answered by it. A container
// that vanished or stopped between the list and the signal is skipped, not
// an error. A failed run is retried with back-off (with --once, answered with
// the error at once); --dry-run shows the containers and signals none. No
// I/O, no clock, no CAF: tested by simulation (test/unit/signal_machine_test.cpp);
// actors/docker_restarter.cpp carries out its commands.

#include "policy/backoff.hpp"
#include "policy/run_options.hpp"
#include "policy/steady_time.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace wlg::policy {

struct signal_target {
  std::string id;
  std::string name; // for messages
  friend bool operator==(const signal_target&, const signal_target&) = default;
};

enum class signal_result {
  delivered,
  gone,        // 404: vanished since the list
  not_running, // 409: stopped since the list
};

class signal_machine {
public:
  using options = run_options;

  // --- commands --------------------------------------------------------------
  struct list {};                                          // then on_listed / on_failed
  struct signal_one { signal_target target; };             // then on_signalled / on_failed
  struct show { std::vector<signal_target> targets; };     // --dry-run: would signal these
  struct answer { std::uint64_t delivered; };              // to everyone waiting
  struct fail { std::string why; };                        // --once: to everyone waiting
  struct retry_later { duration delay; std::string why; }; // then on_retry
  // For the operator and the metrics.
  struct nothing_to_signal {};                             // no master container runs
  struct skipped { signal_target target; signal_result why; };
  struct delivered_to { signal_target target; };
  using command = std::variant<list, signal_one, show, answer, fail, retry_later, nothing_to_signal, skipped,
                               delivered_to>;
  using commands = std::vector<command>;

  explicit signal_machine(options opts);

  commands on_request();
  commands on_listed(std::vector<signal_target> targets);
  commands on_signalled(signal_result result);
  commands on_failed(const std::string& why); // the list or a signal
  commands on_retry();

  bool running() const noexcept { return at_ != stage::idle; }

private:
  enum class stage { idle, listing, signalling };

  void begin(commands& out);
  void next(commands& out);
  void complete(commands& out);

  options options_;
  backoff backoff_;
  stage at_ = stage::idle;
  std::size_t waiting_ = 0; // requests the next answer covers
  bool retry_armed_ = false;
  std::vector<signal_target> targets_;
  std::size_t next_ = 0;
  std::uint64_t delivered_ = 0;
};

} // namespace wlg::policy
