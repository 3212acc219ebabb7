#pragma once

// One Citus background job (citus_rebalance_start schedules a rebalance and
// a drain alike, one at a time), started and followed to its end. Pure: the
// caller runs the statements and the timer and reports back. It serves the
// sidecar's rebalance after an add (a pass of citus_output_machine) and a
// short-lived command that waits for its job (`to_the_end`). Tested by
// simulation (test/unit/background_job_test.cpp).
//
// A step begins by reading the latest job's state. While one runs, it is
// followed every `follow_interval`: with `to_the_end` the step waits for it,
// otherwise the step ends and the caller begins another once the follow
// timer fires. When none runs and one is owed, one is started. Each change
// of phase is reported once (a failure again when its reason changes).

#include "policy/rebalance_phase.hpp"
#include "policy/steady_time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wlg::policy {

class background_job {
public:
  struct options {
    duration follow_interval{std::chrono::seconds(1)};
    bool to_the_end = false; // the step ends only when the job does
  };

  // --- commands --------------------------------------------------------------
  struct read_state {};                // then on_state / on_refused
  struct start {};                     // then on_started / on_refused
  struct arm_follow { duration delay; }; // then on_follow
  struct phase_changed { rebalance_phase phase; std::string why; };
  // The step is over. `failure`: the job failed or was refused, and the
  // step waited for its end (why).
  struct step_done { std::string failure; };
  using command = std::variant<read_state, start, arm_follow, phase_changed, step_done>;
  using commands = std::vector<command>;

  explicit background_job(options opts) : options_(opts) {}

  // A job is owed: the next step starts one unless one already runs.
  void owe() noexcept { owed_ = true; }
  // A step has something to do: a job is owed or known to run.
  bool due() const noexcept { return owed_ || active_; }
  bool active() const noexcept { return active_; }
  rebalance_phase phase() const noexcept { return phase_; }

  commands begin();
  // The latest job's state as citus_rebalance_status() says it (scheduled,
  // running, finished, failed, ...; empty: there is none).
  commands on_state(const std::string& state);
  // A job was scheduled (its id), or nothing needed moving.
  commands on_started(std::optional<std::int64_t> job);
  // Citus refused to start or report one (why).
  commands on_refused(const std::string& why);
  // Citus refused to start one because another runs (a drain, another
  // sidecar's rebalance): that one is followed, and this one stays owed.
  commands on_busy();
  // The follow timer fired. A step waiting for the job reads it again;
  // otherwise nothing, and the caller begins a step if active().
  commands on_follow();
  // The connection went during the step: it is over, nothing is forgotten.
  void on_lost() noexcept { at_ = stage::idle; }

private:
  enum class stage { idle, asking, waiting };

  void set_phase(commands& out, rebalance_phase phase, const std::string& why);
  void follow(commands& out);
  void done(commands& out, std::string failure);

  options options_;
  stage at_ = stage::idle;
  bool owed_ = false;
  bool active_ = false;
  bool follow_armed_ = false;
  rebalance_phase phase_ = rebalance_phase::none;
  std::string failure_;
};

} // namespace wlg::policy
