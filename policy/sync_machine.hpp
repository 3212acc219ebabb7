#pragma once

// The state reconciler's decisions, as a pure state machine: inputs are
// events, resync requests, replies and timer ticks (time comes in as an
// argument); outputs are commands for the actor shell to carry out. No I/O,
// no clock, no CAF, so it is tested by simulation (test/unit/sync_machine_test.cpp).
//
// The flow: requests become fetches through a fetch_coalescer; a fetched set
// goes to the output (apply) when it differs from what the output last
// confirmed, when a rewrite is forced, or when a reload is owed; one apply is
// in flight at a time, and a newer set waits for it. A fetch due while an
// apply is in flight is asked for once the apply is answered: the apply (the
// write, or the coordinator's change) does not share the source, the process
// and the CPU with a fetch whose set would have to wait for it anyway. A
// failed fetch leaves the output alone and is retried with back-off (a
// refused credential with the slower --auth-retry back-off); a failed apply
// keeps the set pending and is retried. With --once the first failure, or the first complete sync,
// finishes the run. A poll timer (--poll-interval) asks for a resync now and
// then, the safety net against lost events. A fetched set that is still
// settling (swarm tasks starting or stopping) is applied, and fetched again
// every `settle_interval`, for at most `settle_for` in a row.

#include "policy/backoff.hpp"
#include "policy/fetch_coalescer.hpp"
#include "policy/run_options.hpp"
#include "protocol/worker_list.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wlg::policy {

// What the reconciler asks of its output.
struct output_request {
  protocol::worker_set workers;
  bool rewrite = false;            // write even when the output already holds this set
  bool reload = false;             // have the consumer reload even if nothing changed
  std::int64_t oldest_event_ns = 0; // steady clock of the oldest event behind it (0: none)
  friend bool operator==(const output_request&, const output_request&) = default;
};

// What the output answers once the set is in place.
struct output_report {
  bool changed = false; // false: the output already held this set
  std::string summary;  // for --once's last line: what was done
  friend bool operator==(const output_report&, const output_report&) = default;
};

enum class fetch_failure {
  refused_credentials, // 401: retried after --auth-retry
  other,               // anything else: retried after --backoff-initial, doubling
};

class sync_machine {
public:
  struct options {
    fetch_coalescer::options coalescing;
    run_options run; // the back-off of failed fetches and applies, and --once
    std::chrono::milliseconds auth_retry{60'000};
    // Owe a reload from the start: the first sync has the consumer reload
    // even if nothing changed (a restarted reconciler cannot know whether its
    // predecessor's last change reached the consumer).
    bool reload_first = false;
    // Apply every fetched set, even one the output last confirmed: for an
    // output whose state others can change (the coordinator's nodes), each
    // sync reconciles it.
    bool apply_every_sync = false;
    duration poll_interval{0}; // 0: no poll timer (nor with --once)
    duration settle_interval{std::chrono::milliseconds(500)};
    duration settle_for{std::chrono::seconds(60)};
  };

  // --- commands --------------------------------------------------------------
  struct fetch {};                                            // ask the poller
  struct arm_timer { time_point deadline; std::uint64_t id; }; // then on_timer(id)
  struct apply { output_request request; };                   // to the output
  struct retry_later { duration delay; std::string why; };    // then on_retry()
  struct synced { std::size_t workers; bool skipped; };       // the output holds the fetched set
  struct finish { bool ok; std::string why; };                // --once: the run is over
  struct arm_poll { duration delay; };                        // then on_poll()
  using command = std::variant<fetch, arm_timer, apply, retry_later, synced, finish, arm_poll>;
  using commands = std::vector<command>;

  explicit sync_machine(options opts);

  commands on_start(); // the poll timer's first round
  commands on_poll(time_point now);
  commands on_event(time_point now, std::int64_t event_ns);
  commands on_resync(time_point now, bool force);
  commands on_timer(time_point now, std::uint64_t id);
  commands on_fetched(time_point now, protocol::worker_set workers);
  commands on_fetch_failed(time_point now, fetch_failure failure, const std::string& why);
  commands on_applied(const output_report& report);
  commands on_apply_failed(const std::string& why);
  commands on_retry();
  // The event streams, held while the leading sync was under way, are read
  // again from `now` (see fetch_coalescer::on_reads_resumed).
  void on_reads_resumed(time_point now) { coalescer_.on_reads_resumed(now); }

  // A peer was replaced; whatever was in flight to it is asked again, since
  // its predecessor may have died without answering.
  commands on_poller_replaced();
  commands on_output_replaced();

  bool fetch_in_flight() const noexcept { return coalescer_.fetch_in_flight(); }
  bool apply_in_flight() const noexcept { return applying_.has_value(); }
  // The sync that the first request after a pause started (its fetch, then
  // the apply of its set) is under way: the event streams wait for it
  // (net/read_gate.hpp), so that it has the CPU. A follow-up fetch does not
  // hold them: what they bring joins the burst it answers.
  bool leading_sync_under_way() const noexcept { return leading_sync_; }
  // Nothing to fetch or apply: the output holds the last fetched set (or a
  // --once run is over).
  bool idle() const noexcept;

private:
  void take(commands& out, fetch_coalescer::decision decision, bool leading = false);
  void maybe_apply(commands& out);
  void maybe_finish(commands& out);
  void start_owed_fetch(commands& out);
  void arm_poll_timer(commands& out) const;

  options options_;
  fetch_coalescer coalescer_;
  backoff fetch_backoff_;
  backoff auth_backoff_;
  backoff apply_backoff_;
  std::optional<protocol::worker_set> desired_; // fetched, not yet applied
  std::optional<protocol::worker_set> applied_; // what the output last confirmed
  std::optional<output_request> applying_;      // the apply in flight
  bool rewrite_ = false;
  bool reload_owed_;
  bool retry_armed_ = false;
  bool leading_sync_ = false;
  bool fetch_owed_ = false; // the coalescer's fetch, held back while an apply is in flight
  bool finished_ = false;
  std::string last_summary_;
  std::optional<time_point> settling_since_; // the first of the settling sets in a row
  // Steady-clock times of the oldest event behind each stage (0: none).
  std::int64_t pending_event_ns_ = 0;
  std::int64_t fetching_event_ns_ = 0;
  std::int64_t desired_event_ns_ = 0;
};

} // namespace wlg::policy
