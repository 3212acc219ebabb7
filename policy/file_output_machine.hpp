#pragma once

// The file output's progress, as a pure machine beside sync_machine: an apply
// writes the worker list, then owes the master a reload when the bytes
// changed or the request asks for one. One signal at a time; one owed while a
// signal is under way goes out after it; a failed signal is retried with
// back-off. An apply is answered once the file is written and the signal that
// write started has been answered, delivered or not (a failed one is retried
// on its own), or `answer_wait` has passed, so a slow engine never holds up
// the next write for longer; an apply that starts no signal is answered once
// written. With --once it waits for the signal it owes, and a failed signal
// fails the run after the file is put back as it was, so the next run signals
// the change. No I/O,
// no clock, no CAF: tested by simulation (test/unit/file_output_machine_test.cpp);
// actors/file_writer.cpp carries out its commands.

#include "policy/run_options.hpp"
#include "policy/sync_machine.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace wlg::policy {

class file_output_machine {
public:
  struct options {
    run_options run;
    // Owe a reload from the start: a restarted writer cannot know whether its
    // predecessor's last write was signalled.
    bool reload_first = false;
    std::string path; // the worker list, for the summary
    // How long an apply waits for the signal its write started. Long enough
    // for a healthy engine (about a millisecond), so the next fetch does not
    // run beside the signal; short enough that a slow one does not hold up
    // the next change.
    duration answer_wait{std::chrono::milliseconds(100)};
  };

  // --- commands --------------------------------------------------------------
  struct write { output_request request; };             // then on_written / on_write_failed
  struct signal {};                                      // then on_signalled / on_signal_failed
  struct answer { output_report report; };              // the apply under way is answered
  struct fail { std::string why; bool restore; };       // it fails; restore: put the file back first
  struct retry_later { duration delay; std::string why; }; // then on_retry
  struct answer_later { duration delay; std::uint64_t id; }; // then on_answer_due(id)
  // The master reloaded a change an event caused: for the event-to-signal time.
  struct event_signalled { std::int64_t event_ns; };
  using command = std::variant<write, signal, answer, fail, retry_later, answer_later, event_signalled>;
  using commands = std::vector<command>;

  explicit file_output_machine(options opts);

  commands on_apply(output_request request);
  commands on_written(bool changed); // false: the file already held these bytes
  commands on_write_failed(const std::string& why);
  commands on_signalled(std::uint64_t containers);
  commands on_signal_failed(const std::string& why);
  commands on_retry();
  commands on_answer_due(std::uint64_t id); // the apply stops waiting for its signal
  commands on_signaller_replaced(); // the signal in flight is asked again

  bool signal_in_flight() const noexcept { return signal_in_flight_; }

private:
  void maybe_signal(commands& out);
  std::string summary() const;

  options options_;
  backoff backoff_;
  std::optional<output_request> writing_;
  // The apply waits for the signal its write started (with --once, for the
  // signal it owes, and fails if that fails).
  bool answer_after_signal_ = false;
  bool held_changed_ = false; // the waiting apply's write changed the file
  std::uint64_t held_id_ = 0; // which wait an answer_later ends
  bool signal_owed_;
  bool signal_in_flight_ = false;
  bool retry_armed_ = false;
  bool signalled_ = false;
  bool changed_ = false;
  std::size_t workers_ = 0;
  std::uint64_t containers_signalled_ = 0;
  // Steady-clock times of the oldest event behind the owed and the running
  // signal (0: none).
  std::int64_t owed_event_ns_ = 0;
  std::int64_t signaling_event_ns_ = 0;
};

} // namespace wlg::policy
