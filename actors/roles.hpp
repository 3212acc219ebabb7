#pragma once

// The supervised roles, in one table: for each, how to spawn it, which
// contract it serves, and which peers learn where a new instance is (which
// of them run in a configuration is config::runs_in's rule). The supervisor serves spawn, respawn,
// addressing, fault injection and metrics from it, and never asks which role
// it holds.

#include "actors/context.hpp"
#include "actors/interfaces.hpp"
#include "policy/citus_output_machine.hpp"
#include "policy/file_output_machine.hpp"

#include <array>
#include <span>

namespace wlg::actors {

// What a role does for the others: which contract of actors/interfaces.hpp
// it serves. A source or target picks one role per contract.
enum class contract { event_feed, fetcher, reconciler, output, signaller };

// The running actors' handles, by role.
class crew {
public:
  caf::actor& operator[](config::actor_role role) { return handles_[config::index_of(role)]; }
  const caf::actor& operator[](config::actor_role role) const { return handles_[config::index_of(role)]; }

  // The running actor that serves `c` (an empty handle when none does).
  const caf::actor& serving(contract c) const;

  fetcher_actor poller() const { return caf::actor_cast<fetcher_actor>(serving(contract::fetcher)); }
  output_actor output() const { return caf::actor_cast<output_actor>(serving(contract::output)); }
  reconciler_actor reconciler() const { return caf::actor_cast<reconciler_actor>(serving(contract::reconciler)); }

  template <class Handle>
  Handle as(config::actor_role role) const {
    return caf::actor_cast<Handle>((*this)[role]);
  }

private:
  std::array<caf::actor, config::actor_role_count> handles_;
};

// The outputs' options for these settings, chosen here once (--once,
// --dry-run and the back-off: actors/machine_options.hpp). `restarted`:
// replacing a file writer that died, which reloads the master after its
// first write, since it cannot know whether its predecessor's last write was
// signalled.
policy::file_output_machine::options file_output_options(const config::settings& config, bool restarted);
policy::citus_output_machine::options citus_output_options(const config::settings& config);

struct role_spec {
  config::actor_role role;
  contract serves;
  // `restarted`: replacing one that died.
  caf::actor (*spawn)(supervisor_actor::pointer self, const context_ptr& ctx, const crew& peers, bool restarted);
  // A new instance is up: tell the peers that send to it.
  void (*introduce)(supervisor_actor::pointer self, const crew& peers);
};

// In spawn order: an actor's peers exist before it is given their handles.
std::span<const role_spec> role_table();

const role_spec& spec_of(config::actor_role role);

} // namespace wlg::actors
