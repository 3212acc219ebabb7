#pragma once

// The messages the actors exchange, with the `inspect` overloads CAF needs to
// put them in a message.

#include "policy/sync_machine.hpp"
#include "protocol/worker_list.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace wlg::actors {

enum class sync_reason : std::uint8_t {
  startup,          // the reconciler (re)started
  stream_connected, // events sent while disconnected are lost
  poll_timer,       // the safety net against lost events
  operator_request, // SIGUSR1
};

std::string_view to_string(sync_reason reason);

// "Look again": a full fetch, then apply if anything changed. `force`
// rewrites the output and has the consumer reload even when nothing changed.
struct sync_request {
  sync_reason reason = sync_reason::startup;
  bool force = false;
};

// Events that passed the relevance rule, judged by the subscriber in one go:
// how many, and when the first of them was received (steady clock, for the
// event-to-signal histogram).
struct relevant_events {
  std::uint64_t count = 0;
  std::int64_t first_received_ns = 0;
  friend bool operator==(const relevant_events&, const relevant_events&) = default;
};

struct signal_report {
  std::uint64_t containers_signalled = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sync_request& x) {
  return f(caf::meta::type_name("sync_request"), x.reason, x.force);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, relevant_events& x) {
  return f(caf::meta::type_name("relevant_events"), x.count, x.first_received_ns);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_report& x) {
  return f(caf::meta::type_name("signal_report"), x.containers_signalled);
}

} // namespace wlg::actors

// What the reconciler asks of its output, and the answer (policy/sync_machine.hpp).
namespace wlg::policy {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_request& x) {
  return f(caf::meta::type_name("output_request"), x.workers, x.rewrite, x.reload, x.oldest_event_ns);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_report& x) {
  return f(caf::meta::type_name("output_report"), x.changed, x.summary);
}
} // namespace wlg::policy
