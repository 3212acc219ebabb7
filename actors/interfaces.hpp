#pragma once

// The sidecar's actors, their typed interfaces and the messages between them.
// Read this file first.
//
//   event_subscriber --(event, resync)--> state_reconciler --fetch--> api_poller
//   api_poller ---(resync on its poll timer)--^     |-------write--> file_writer
//                                                   '------signal--> docker_restarter
//
// In engine mode (--source=engine) the same interfaces are served by the
// event_subscriber on the engine's event feed (actors/event_feeds.hpp) and by
// engine_poller in the api_poller's place.
//
// The supervisor spawns and monitors all five, restarts one that dies, and
// tells the others its new handle (peers messages). Messages named "internal"
// below are sent by an actor to itself, or by its network session from the
// I/O thread.

#include "net/event_stream.hpp"
#include "net/transport.hpp"
#include "protocol/actor_role.hpp"
#include "protocol/worker_list.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>

namespace wlg::actors {

using event_atom = caf::atom_constant<caf::atom("event")>;
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using signal_atom = caf::atom_constant<caf::atom("signal")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using frame_atom = caf::atom_constant<caf::atom("frame")>;
using binary_atom = caf::atom_constant<caf::atom("binary")>;
using connected_atom = caf::atom_constant<caf::atom("connected")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using reply_atom = caf::atom_constant<caf::atom("reply")>;
using respawn_atom = caf::atom_constant<caf::atom("respawn")>;
using restore_atom = caf::atom_constant<caf::atom("restore")>;

// --- messages ----------------------------------------------------------------

enum class sync_reason : std::uint8_t {
  startup,          // the reconciler (re)started
  stream_connected, // events sent while disconnected are lost
  poll_timer,       // the safety net against lost events
  operator_request, // SIGUSR1
};

std::string_view to_string(sync_reason reason);

// "Look again": a full fetch, then write and signal if anything changed.
// `force` rewrites the file and signals even when nothing changed.
struct sync_request {
  sync_reason reason = sync_reason::startup;
  bool force = false;
};

// An event that passed the relevance rule: a Docker Cloud event (type, state,
// resource URI) or an engine event (type, action, container id).
struct relevant_change {
  std::string type;
  std::string state;
  std::string resource_uri;
  std::int64_t received_ns = 0; // steady clock, for the event-to-signal histogram
};

struct write_request {
  protocol::worker_set workers;
  bool force = false; // write even when the bytes on disk are the same
};

struct write_report {
  bool written = false; // false: the file already held these bytes
  std::uint64_t bytes = 0;
};

struct signal_report {
  std::uint64_t containers_signalled = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sync_request& x) {
  return f(caf::meta::type_name("sync_request"), x.reason, x.force);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, relevant_change& x) {
  return f(caf::meta::type_name("relevant_change"), x.type, x.state, x.resource_uri, x.received_ns);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_request& x) {
  return f(caf::meta::type_name("write_request"), x.workers, x.force);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_report& x) {
  return f(caf::meta::type_name("write_report"), x.written, x.bytes);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_report& x) {
  return f(caf::meta::type_name("signal_report"), x.containers_signalled);
}

} // namespace wlg::actors

// Network outcomes travel from the I/O thread into actors as messages.
namespace wlg::net {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_reply& x) {
  return f(caf::meta::type_name("http_reply"), x.status, x.body);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transport_error& x) {
  return f(caf::meta::type_name("transport_error"), x.what, x.message);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_failure& x) {
  return f(caf::meta::type_name("stream_failure"), x.what, x.http_status, x.message);
}
} // namespace wlg::net

namespace wlg::actors {

// --- interfaces --------------------------------------------------------------

struct reconciler_ref; // breaks the reconciler <-> poller cycle; defined below

// Fetches this container's object and answers with the valid linked names,
// or an error (never an empty set for a failure).
using api_poller_actor = caf::typed_actor<
  caf::replies_to<fetch_atom>::with<protocol::worker_set>,
  caf::reacts_to<peers_atom, reconciler_ref>,
  caf::reacts_to<reply_atom, std::uint64_t, net::http_reply>,      // internal
  caf::reacts_to<reply_atom, std::uint64_t, net::transport_error>, // internal
  caf::reacts_to<tick_atom>>;                                      // internal: poll timer

// Writes the worker list atomically; reports whether the bytes changed.
// With --once, `restore` puts back what the file held before this process
// first changed it (removing it if it did not exist), so that a run whose
// signal failed leaves no change behind that the next run would not signal.
using file_writer_actor =
  caf::typed_actor<caf::replies_to<write_atom, write_request>::with<write_report>,
                   caf::replies_to<restore_atom>::with<write_report>>;

// Signals the Citus master container(s) through the Engine API; answers once
// the signal is delivered, retrying on its own until then.
using docker_restarter_actor = caf::typed_actor<
  caf::replies_to<signal_atom>::with<signal_report>,
  caf::reacts_to<reply_atom, std::uint64_t, net::http_reply>,      // internal
  caf::reacts_to<reply_atom, std::uint64_t, net::transport_error>, // internal
  caf::reacts_to<retry_atom>>;                                     // internal

// Owns the desired worker set: turns events and resyncs into fetches (at most
// one in flight plus one pending), writes on change, then signals.
using state_reconciler_actor = caf::typed_actor<
  caf::reacts_to<event_atom, relevant_change>,
  caf::reacts_to<resync_atom, sync_request>,
  caf::reacts_to<peers_atom, api_poller_actor, file_writer_actor, docker_restarter_actor>,
  caf::reacts_to<tick_atom, std::uint64_t>, // internal: coalescing timer
  caf::reacts_to<retry_atom>>;              // internal: write/signal retry

struct reconciler_ref {
  state_reconciler_actor handle;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconciler_ref& x) {
  return f(caf::meta::type_name("reconciler_ref"), x.handle);
}

// Holds the event stream; forwards relevant events; asks for a resync on
// every (re)connect.
using event_subscriber_actor = caf::typed_actor<
  caf::reacts_to<peers_atom, reconciler_ref>,
  caf::reacts_to<connected_atom, std::uint64_t>,                      // internal
  caf::reacts_to<frame_atom, std::uint64_t, std::string>,             // internal
  caf::reacts_to<binary_atom, std::uint64_t, std::uint64_t>,          // internal
  caf::reacts_to<closed_atom, std::uint64_t, net::stream_failure>,    // internal
  caf::reacts_to<retry_atom>>;                                        // internal

// Spawns and restarts the five; SIGUSR1 arrives here as a forced resync.
using supervisor_actor = caf::typed_actor<
  caf::reacts_to<resync_atom, sync_request>,
  caf::reacts_to<respawn_atom, protocol::actor_role>>; // internal: after the restart delay

} // namespace wlg::actors
