#include "actors/roles.hpp"

#include "actors/api_poller.hpp"
#include "actors/citus_membership.hpp"
#include "actors/docker_restarter.hpp"
#include "actors/engine_poller.hpp"
#include "actors/event_subscriber.hpp"
#include "actors/file_writer.hpp"
#include "actors/machine_options.hpp"
#include "actors/state_reconciler.hpp"
#include "actors/swarm_poller.hpp"
#include "runtime/metrics.hpp"

#include <stdexcept>

namespace wlg::actors {

using config::actor_role;

policy::file_output_machine::options file_output_options(const config::settings& config, bool restarted) {
  return {run_options_of(config), restarted && !config.once, config.worker_list_path()};
}

policy::citus_output_machine::options citus_output_options(const config::settings& config) {
  policy::citus_output_machine::options options;
  options.run = run_options_of(config);
  options.plan.retry_initial = config.backoff_initial;
  options.plan.retry_max = config.backoff_max;
  options.plan.remove_unwanted = config.remove_workers == config::worker_removal::if_empty;
  options.plan.seed = options.run.seed;
  options.health.disable_after = config.disable_unreachable_after;
  options.health.refused_retry = config.backoff_max;
  options.rebalance_after_add = config.rebalance_after_add;
  // A node still missing its shard tables is checked again once per periodic reconcile.
  if (config.poll_interval > config::settings::duration::zero())
    options.audit.interval = config.poll_interval;
  return options;
}

namespace {

void nobody(supervisor_actor::pointer, const crew&) {}

// The reconciler sends to the pollers and the outputs.
void tell_reconciler(supervisor_actor::pointer self, const crew& peers) {
  if (const auto reconciler = peers.as<state_reconciler_actor>(actor_role::state_reconciler))
    self->send(reconciler, peers_atom::value, peers.poller(), peers.output());
}

caf::actor spawn_restarter(supervisor_actor::pointer self, const context_ptr& ctx, const crew&, bool) {
  return caf::actor_cast<caf::actor>(self->spawn(docker_restarter, ctx, run_options_of(ctx->config)));
}

void tell_writer(supervisor_actor::pointer self, const crew& peers) {
  if (const auto writer = peers.as<file_writer_actor>(actor_role::file_writer))
    self->send(writer, peers_atom::value, caf::actor_cast<signaller_actor>(peers.serving(contract::signaller)));
}

caf::actor spawn_writer(supervisor_actor::pointer self, const context_ptr& ctx, const crew& peers, bool restarted) {
  const auto options = file_output_options(ctx->config, restarted);
  const auto signaller = caf::actor_cast<signaller_actor>(peers.serving(contract::signaller));
  // Detached: its fsync blocks a thread of its own, not the scheduler's.
  return caf::actor_cast<caf::actor>(ctx->detach_blocking_actors
                                       ? self->spawn<caf::detached>(file_writer, ctx, signaller, options)
                                       : self->spawn(file_writer, ctx, signaller, options));
}

caf::actor spawn_membership(supervisor_actor::pointer self, const context_ptr& ctx, const crew&, bool) {
  return caf::actor_cast<caf::actor>(self->spawn(citus_membership, ctx, citus_output_options(ctx->config)));
}

caf::actor spawn_api_poller(supervisor_actor::pointer self, const context_ptr& ctx, const crew&, bool) {
  return caf::actor_cast<caf::actor>(self->spawn(api_poller, ctx));
}

caf::actor spawn_engine_poller(supervisor_actor::pointer self, const context_ptr& ctx, const crew&, bool) {
  return caf::actor_cast<caf::actor>(self->spawn(engine_poller, ctx));
}

caf::actor spawn_swarm_poller(supervisor_actor::pointer self, const context_ptr& ctx, const crew&, bool) {
  return caf::actor_cast<caf::actor>(self->spawn(swarm_poller, ctx));
}

caf::actor spawn_reconciler(supervisor_actor::pointer self, const context_ptr& ctx, const crew& peers, bool) {
  reconciler_policy policy;
  // The first sync reloads the consumer: at start-up, as the original did,
  // and after a restart.
  policy.reload_first = !ctx->config.once;
  policy.apply_every_sync = ctx->config.target == config::output_target::citus;
  if (ctx->config.target == config::output_target::file)
    policy.unchanged = &ctx->metrics->file_unchanged; // a skipped sync would have found the same bytes
  return caf::actor_cast<caf::actor>(
    self->spawn(state_reconciler, ctx, reconciler_peers{peers.poller(), peers.output()}, policy));
}

void tell_subscriber(supervisor_actor::pointer self, const crew& peers) {
  if (const auto subscriber = peers.as<event_subscriber_actor>(actor_role::event_subscriber))
    self->send(subscriber, peers_atom::value, peers.reconciler());
}

caf::actor spawn_subscriber(supervisor_actor::pointer self, const context_ptr& ctx, const crew& peers, bool) {
  return caf::actor_cast<caf::actor>(self->spawn(event_subscriber, ctx, peers.reconciler()));
}

constexpr std::array<role_spec, config::actor_role_count> table{{
  {actor_role::docker_restarter, contract::signaller, spawn_restarter, tell_writer},
  {actor_role::file_writer, contract::output, spawn_writer, tell_reconciler},
  {actor_role::citus_membership, contract::output, spawn_membership, tell_reconciler},
  {actor_role::api_poller, contract::fetcher, spawn_api_poller, tell_reconciler},
  {actor_role::engine_poller, contract::fetcher, spawn_engine_poller, tell_reconciler},
  {actor_role::swarm_poller, contract::fetcher, spawn_swarm_poller, tell_reconciler},
  {actor_role::state_reconciler, contract::reconciler, spawn_reconciler, tell_subscriber},
  {actor_role::event_subscriber, contract::event_feed, spawn_subscriber, nobody},
}};

} // namespace

const caf::actor& crew::serving(contract c) const {
  static const caf::actor none;
  for (const auto& spec : table)
    if (spec.serves == c && (*this)[spec.role])
      return (*this)[spec.role];
  return none;
}

std::span<const role_spec> role_table() {
  return table;
}

const role_spec& spec_of(actor_role role) {
  for (const auto& spec : table)
    if (spec.role == role)
      return spec;
  throw std::logic_error("a role without a row in the role table");
}

} // namespace wlg::actors
