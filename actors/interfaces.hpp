#pragma once

// The sidecar's actors and their typed interfaces. Read this file first.
//
//   event_subscriber --(event, resync)--> state_reconciler --fetch--> api_poller | engine_poller
//                                               '--apply--> file_writer --signal--> docker_restarter
//                                                       or citus_membership
//
// Each actor has a contract: the messages its peers may send it. Its full
// type extends the contract with wiring (`peers`: the supervisor tells it
// where a restarted peer is) and with internal handlers, keyed by a leading
// `internal_atom`: messages an actor sends itself (timers, retries) or that
// its network session sends from the I/O thread. Peers hold only contracts,
// so no actor can send another's internal messages. Requests flow one way,
// left to right; answers come back as responses.
//
// The source decides the poller: api_poller (Docker Cloud's REST API) or
// engine_poller (--source=engine: the Engine API's labelled containers, with
// the event_subscriber on the engine's event feed, actors/event_feeds.hpp).
// The target decides the output: file_writer (the worker list file and the
// master's reload) or citus_membership (--target=citus: the coordinator's
// worker nodes). config::runs_in says which run; the supervisor's table of
// roles (actors/roles.hpp) spawns them and wires each to the contracts it
// needs.

#include "actors/messages.hpp"
#include "actors/net_messages.hpp"
#include "config/actor_role.hpp"

#include <caf/all.hpp>

#include <cstdint>

namespace wlg::actors {

using event_atom = caf::atom_constant<caf::atom("event")>;
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using apply_atom = caf::atom_constant<caf::atom("apply")>;
using signal_atom = caf::atom_constant<caf::atom("signal")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
// The first element of every internal message.
using internal_atom = caf::atom_constant<caf::atom("internal")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using reply_atom = caf::atom_constant<caf::atom("reply")>;
using connected_atom = caf::atom_constant<caf::atom("connected")>;
using frame_atom = caf::atom_constant<caf::atom("frame")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using respawn_atom = caf::atom_constant<caf::atom("respawn")>;
using pg_atom = caf::atom_constant<caf::atom("pg")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using trim_atom = caf::atom_constant<caf::atom("trim")>;

// --- contracts ----------------------------------------------------------------

// Takes relevant events and resync requests, and keeps the output equal to
// the fetched worker set.
using reconciler_actor = caf::typed_actor<caf::reacts_to<event_atom, relevant_events>,
                                          caf::reacts_to<resync_atom, sync_request>>;

// Answers with the valid worker names, or an error (never an empty set for a
// failure).
using fetcher_actor = caf::typed_actor<caf::replies_to<fetch_atom>::with<protocol::worker_set>>;

// Makes the consumer's workers equal to the set: the worker list file, then
// the master's reload. Answers once the set is in place.
using output_actor =
  caf::typed_actor<caf::replies_to<apply_atom, policy::output_request>::with<policy::output_report>>;

// Signals the Citus master container(s) through the Engine API; answers once
// the signal is delivered, retrying on its own until then (with --once: an
// error at the first failure).
using signaller_actor = caf::typed_actor<caf::replies_to<signal_atom>::with<signal_report>>;

// --- the actors -----------------------------------------------------------------

using http_outcome_handlers =
  caf::typed_actor<caf::reacts_to<internal_atom, reply_atom, std::uint64_t, net::http_reply>,
                   caf::reacts_to<internal_atom, reply_atom, std::uint64_t, net::transport_error>>;

// Fetches this container's object (api_poller), or lists the labelled
// workers (engine_poller).
using poller_actor = fetcher_actor::extend_with<http_outcome_handlers>;

// Turns events, resyncs and its poll timer into fetches and applies
// (policy/sync_machine.hpp).
using state_reconciler_actor = reconciler_actor::extend<
  caf::reacts_to<peers_atom, fetcher_actor, output_actor>,
  caf::reacts_to<internal_atom, tick_atom, std::uint64_t>, // coalescing timer
  caf::reacts_to<internal_atom, retry_atom>,               // apply retry
  caf::reacts_to<internal_atom, poll_atom>,                // the poll timer (--poll-interval)
  caf::reacts_to<internal_atom, trim_atom, std::uint64_t>>; // give freed heap back (policy/memory_trim.hpp)

// Writes the worker list atomically, then has the signaller reload the
// master when the bytes changed (or a reload is owed).
using file_writer_actor = output_actor::extend<
  caf::reacts_to<peers_atom, signaller_actor>,
  caf::reacts_to<internal_atom, retry_atom>,                // signal retry
  caf::reacts_to<internal_atom, tick_atom, std::uint64_t>>; // an apply stops waiting for its signal

// Lists the master's containers and signals each (policy/signal_machine.hpp).
using docker_restarter_actor =
  signaller_actor::extend_with<http_outcome_handlers>::extend<caf::reacts_to<internal_atom, retry_atom>>;

// --target=citus: keeps the coordinator's worker nodes (pg_dist_node) equal
// to the set over one libpq connection driven by the I/O thread.
using citus_membership_actor = output_actor::extend<
  caf::reacts_to<internal_atom, pg_atom, std::uint64_t, net::pg_outcome>, // a step's outcome
  caf::reacts_to<internal_atom, retry_atom>,                               // failed adds are due
  caf::reacts_to<internal_atom, tick_atom>>;                               // follow the rebalance job

// Holds the event stream; forwards relevant events; asks for a resync on
// every (re)connect.
using event_subscriber_actor = caf::typed_actor<
  caf::reacts_to<peers_atom, reconciler_actor>,
  caf::reacts_to<internal_atom, connected_atom, std::uint64_t>,
  caf::reacts_to<internal_atom, frame_atom, std::uint64_t>, // frames wait in the session's inbox
  caf::reacts_to<internal_atom, closed_atom, std::uint64_t, net::stream_failure>,
  caf::reacts_to<internal_atom, retry_atom>>;

// Spawns and restarts the others; SIGUSR1 arrives here as a forced resync.
using supervisor_actor = caf::typed_actor<
  caf::reacts_to<resync_atom, sync_request>,
  caf::reacts_to<internal_atom, respawn_atom, config::actor_role>>; // after the restart delay

} // namespace wlg::actors
