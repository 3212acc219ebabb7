#include "actors/state_reconciler.hpp"

#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "actors/machine_options.hpp"
#include "net/read_gate.hpp"
#include "policy/memory_trim.hpp"
#include "policy/sync_machine.hpp"
#include "runtime/clock_readings.hpp"
#include "runtime/heap.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::state_reconciler;
using clock = policy::steady_clock;

policy::sync_machine::options machine_options(const config::settings& config, const reconciler_policy& policy) {
  policy::sync_machine::options o;
  o.coalescing.min_interval = config.min_interval;
  o.coalescing.max_wait = config.max_wait;
  o.run = run_options_of(config);
  o.auth_retry = config.auth_retry;
  o.reload_first = policy.reload_first;
  o.apply_every_sync = policy.apply_every_sync;
  o.poll_interval = config.poll_interval;
  return o;
}

// Carries out the machine's commands. Each request carries a token; an
// answer to a request that was re-sent since (to a restarted peer) is
// ignored.
class reconciliation {
public:
  reconciliation(state_reconciler_actor::pointer self, context_ptr ctx, reconciler_peers peers,
                 reconciler_policy policy)
    : self_(self), ctx_(std::move(ctx)), peers_(std::move(peers)), unchanged_(policy.unchanged),
      log_(runtime::component_logger(std::string{config::name_of(role)})),
      machine_(machine_options(ctx_->config, policy)) {
    // Not run(): the first sync is still owed, and the pending gauge says so
    // until the start-up resync is handled.
    carry_out_all(machine_.on_start());
  }

  // Counted here rather than where it is judged relevant, and marked pending
  // first: once a reader sees the count, the gauge covers the event.
  void on_events(const relevant_events& events) {
    ctx_->metrics->sync_pending = true;
    ctx_->metrics->events_relevant += events.count;
    run(machine_.on_event(now(), events.first_received_ns));
  }

  void on_resync(const sync_request& sync) {
    log_->info("full resync requested ({})", to_string(sync.reason));
    run(machine_.on_resync(now(), sync.force));
  }

  void on_peers(reconciler_peers peers) {
    const bool new_poller = peers.poller != peers_.poller;
    const bool new_output = peers.output != peers_.output;
    peers_ = std::move(peers);
    if (new_poller)
      run(machine_.on_poller_replaced());
    if (new_output)
      run(machine_.on_output_replaced());
  }

  void on_tick(std::uint64_t timer) { run(machine_.on_timer(now(), timer)); }
  void on_trim(std::uint64_t id) {
    if (!trim_.on_timer(id))
      return;
    runtime::release_free_heap();
    ++ctx_->metrics->heap_trims;
  }

  void on_retry() { run(machine_.on_retry()); }

  void on_poll() {
    log_->info("full resync requested ({})", to_string(sync_reason::poll_timer));
    run(machine_.on_poll(now()));
  }

private:
  // The actor system's clock: steady time when running, the deterministic
  // scheduler's virtual time in the actor tests.
  clock::time_point now() const { return self_->clock().now(); }

  void run(const policy::sync_machine::commands& commands) {
    // Before the fetch is asked for: the poller answers on another thread, and
    // a stream must not read what arrives meanwhile as if nothing were syncing.
    hold_streams_while_syncing();
    carry_out_all(commands);
    ctx_->metrics->sync_pending = !machine_.idle();
    hold_streams_while_syncing();
  }

  // While the first sync after a pause is under way, the event streams leave
  // their reads until it is done (net/read_gate.hpp).
  void hold_streams_while_syncing() {
    const bool busy = machine_.leading_sync_under_way();
    if (!ctx_->read_gate || busy == ctx_->read_gate->closed())
      return;
    if (busy)
      return ctx_->read_gate->close();
    ctx_->read_gate->open();
    machine_.on_reads_resumed(now());
  }

  void carry_out_all(const policy::sync_machine::commands& commands) {
    for (const auto& command : commands)
      std::visit([this](const auto& c) { carry_out(c); }, command);
  }

  void carry_out(const policy::sync_machine::fetch&) {
    const auto token = ++fetch_token_;
    self_->request(peers_.poller, ctx_->config.request_timeout * 2 + std::chrono::seconds(1), fetch_atom::value)
      .then(
        [this, token](const protocol::worker_set& workers) {
          if (token == fetch_token_)
            fetched(workers);
        },
        [this, token](const caf::error& error) {
          if (token == fetch_token_)
            fetch_failed(error);
        });
  }

  void carry_out(const policy::sync_machine::arm_timer& timer) {
    self_->delayed_send(self_, std::max(timer.deadline - now(), clock::duration::zero()),
                        internal_atom::value, tick_atom::value, timer.id);
  }

  void carry_out(const policy::sync_machine::apply& apply) {
    const auto token = ++apply_token_;
    self_->request(peers_.output, caf::infinite, apply_atom::value, apply.request)
      .then(
        [this, token](const policy::output_report& report) {
          if (token == apply_token_)
            run(machine_.on_applied(report));
        },
        [this, token](const caf::error& error) {
          if (token != apply_token_)
            return;
          // The Citus output logs its coordinator's state itself, once per change.
          output_logged_failure_ = is(error, sync_error::coordinator);
          ++ctx_->metrics->apply_failures;
          run(machine_.on_apply_failed(describe(error)));
        });
  }

  // A failure that repeats with the same reason is logged at warning level
  // once, then at debug level until it changes or an apply succeeds; one the
  // output has logged itself, at debug level only: one line per change of state.
  void carry_out(const policy::sync_machine::retry_later& retry) {
    const auto level = retry.why == last_retry_why_ || output_logged_failure_ ? spdlog::level::debug
                                                                              : spdlog::level::warn;
    last_retry_why_ = retry.why;
    log_->log(level, "{}; retrying in {} ms", retry.why,
              std::chrono::duration_cast<std::chrono::milliseconds>(retry.delay).count());
    self_->delayed_send(self_, retry.delay, internal_atom::value, retry_atom::value);
  }

  void carry_out(const policy::sync_machine::synced& synced) {
    last_retry_why_.clear();
    ctx_->metrics->last_sync_unix_ms = runtime::unix_now_ms();
    ctx_->metrics->worker_count = static_cast<std::int64_t>(synced.workers);
    if (synced.skipped && unchanged_)
      ++*unchanged_;
    const auto at = now();
    if (const auto trim = trim_.after_sync(at, synced.workers))
      self_->delayed_send(self_, trim->deadline - at, internal_atom::value, trim_atom::value, trim->id);
  }

  void carry_out(const policy::sync_machine::arm_poll& poll) {
    self_->delayed_send(self_, poll.delay, internal_atom::value, poll_atom::value);
  }

  void carry_out(const policy::sync_machine::finish& finish) {
    if (finish.ok) {
      log_->info("once: {}", finish.why);
      return self_->quit();
    }
    log_->error("once: {}", finish.why);
    self_->quit(make_error(sync_error::once_failed, finish.why));
  }

  void fetched(const protocol::worker_set& workers) {
    log_->debug("fetched {} linked worker(s)", workers.size());
    ctx_->metrics->fetch_trouble.clear();
    run(machine_.on_fetched(now(), workers));
  }

  void fetch_failed(const caf::error& error) {
    const auto failure = is(error, sync_error::unauthorized) ? policy::fetch_failure::refused_credentials
                                                             : policy::fetch_failure::other;
    ctx_->metrics->fetch_trouble.report("cannot fetch the worker list: " + describe(error));
    const auto at = now();
    const auto commands = machine_.on_fetch_failed(at, failure, describe(error));
    for (const auto& command : commands)
      if (const auto* timer = std::get_if<policy::sync_machine::arm_timer>(&command))
        log_->warn("fetch failed ({}); the worker list stays as it is; retrying in {} ms", describe(error),
                   std::chrono::duration_cast<std::chrono::milliseconds>(timer->deadline - at).count());
    run(commands);
  }

  state_reconciler_actor::pointer self_;
  context_ptr ctx_;
  reconciler_peers peers_;
  std::atomic<std::uint64_t>* unchanged_;
  std::shared_ptr<spdlog::logger> log_;
  policy::sync_machine machine_;
  policy::memory_trim trim_;
  std::uint64_t fetch_token_ = 0;
  std::uint64_t apply_token_ = 0;
  std::string last_retry_why_; // the last failure logged at warning level
  bool output_logged_failure_ = false;
};

} // namespace

state_reconciler_actor::behavior_type state_reconciler(state_reconciler_actor::pointer self, context_ptr ctx,
                                                       reconciler_peers peers, reconciler_policy policy) {
  end_on_exception(self, role);
  // A reconciler that ends mid-sync leaves no stream waiting for it.
  self->attach_functor([gate = ctx->read_gate] {
    if (gate)
      gate->open();
  });
  auto work = std::make_shared<reconciliation>(self, ctx, std::move(peers), policy);
  self->send(self, resync_atom::value, sync_request{sync_reason::startup, false});
  return guarded_behavior<state_reconciler_actor>(
    ctx->faults, role,
    [=](event_atom, const relevant_events& events) { work->on_events(events); },
    [=](resync_atom, const sync_request& sync) { work->on_resync(sync); },
    [=](peers_atom, const fetcher_actor& poller, const output_actor& output) { work->on_peers({poller, output}); },
    [=](internal_atom, tick_atom, std::uint64_t timer) { work->on_tick(timer); },
    [=](internal_atom, retry_atom) { work->on_retry(); },
    [=](internal_atom, poll_atom) { work->on_poll(); },
    [=](internal_atom, trim_atom, std::uint64_t id) { work->on_trim(id); });
}

} // namespace wlg::actors
