#include "actors/state_reconciler.hpp"

#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "protocol/backoff.hpp"
#include "protocol/fetch_coalescer.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <optional>
#include <random>

namespace wlg::actors {

std::string_view to_string(sync_reason reason) {
  switch (reason) {
    case sync_reason::startup: return "start-up";
    case sync_reason::stream_connected: return "event stream (re)connected";
    case sync_reason::poll_timer: return "poll timer";
    case sync_reason::operator_request: return "SIGUSR1";
  }
  return "unknown";
}

namespace {

constexpr auto role = protocol::actor_role::state_reconciler;
using clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch()).count();
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

protocol::fetch_coalescer::options coalescing_of(const protocol::settings& config) {
  protocol::fetch_coalescer::options opts;
  opts.min_interval = config.min_interval;
  opts.max_wait = config.max_wait;
  return opts;
}

class reconciliation {
public:
  reconciliation(state_reconciler_actor::pointer self, context_ptr ctx, reconciler_peers peers,
                 bool signal_after_first_sync)
    : self_(self), ctx_(std::move(ctx)), peers_(std::move(peers)),
      log_(runtime::component_logger(std::string{protocol::name_of(role)})),
      coalescer_(coalescing_of(ctx_->config)),
      fetch_backoff_(ctx_->config.backoff_initial, ctx_->config.backoff_max),
      auth_backoff_(ctx_->config.auth_retry, ctx_->config.auth_retry * 10),
      retry_backoff_(ctx_->config.backoff_initial, ctx_->config.backoff_max),
      signal_owed_(signal_after_first_sync), rng_(std::random_device{}()) {}

  void on_event(const relevant_change& change) {
    if (pending_event_ns_ == 0)
      pending_event_ns_ = change.received_ns;
    request();
  }

  void on_resync(const sync_request& sync) {
    log_->info("full resync requested ({})", to_string(sync.reason));
    if (sync.force) {
      force_write_ = true;
      signal_owed_ = true;
    }
    request();
  }

  // A replaced peer died, perhaps while handling our request; CAF sends no
  // answer for that one, so whatever was in flight goes to the new peer.
  void on_peers(reconciler_peers peers) {
    const bool new_poller = peers.poller != peers_.poller;
    const bool new_writer = peers.writer != peers_.writer;
    const bool new_restarter = peers.restarter != peers_.restarter;
    peers_ = std::move(peers);
    if (new_poller && coalescer_.fetch_in_flight())
      send_fetch();
    if (new_writer && writing_)
      send_write();
    if (new_restarter && signal_in_flight_)
      send_signal();
  }

  void on_tick(std::uint64_t timer) { apply(coalescer_.on_timer(clock::now(), timer)); }

  void on_retry() {
    retry_armed_ = false;
    maybe_write();
    maybe_signal();
  }

private:
  void request() { apply(coalescer_.on_request(clock::now())); }

  void apply(protocol::fetch_coalescer::decision decision) {
    using action = protocol::fetch_coalescer::decision::action;
    if (decision.what == action::fetch_now)
      return start_fetch();
    if (decision.what == action::arm_timer)
      self_->delayed_send(self_, std::max(decision.deadline - clock::now(), clock::duration::zero()),
                          tick_atom::value, decision.timer_id);
  }

  void start_fetch() {
    fetch_event_ns_ = pending_event_ns_;
    pending_event_ns_ = 0;
    send_fetch();
  }

  // Each request carries a token; an answer to a request that was re-sent
  // since (to a restarted peer) is ignored.
  void send_fetch() {
    const auto token = ++fetch_token_;
    self_->request(peers_.poller, ctx_->config.request_timeout * 2 + std::chrono::seconds(1),
                   fetch_atom::value)
      .then(
        [this, token](const protocol::worker_set& workers) {
          if (token == fetch_token_)
            on_fetched(workers);
        },
        [this, token](const caf::error& error) {
          if (token == fetch_token_)
            on_fetch_failed(error);
        });
  }

  void on_fetched(const protocol::worker_set& workers) {
    fetch_backoff_.reset();
    auth_backoff_.reset();
    log_->debug("fetched {} linked worker(s)", workers.size());
    desired_ = workers;
    desired_event_ns_ = fetch_event_ns_;
    apply(coalescer_.on_fetch_succeeded(clock::now()));
    maybe_write();
  }

  void on_fetch_failed(const caf::error& error) {
    const bool refused = is(error, sync_error::unauthorized);
    const auto delay = (refused ? auth_backoff_ : fetch_backoff_).next(random01());
    if (pending_event_ns_ == 0)
      pending_event_ns_ = fetch_event_ns_;
    if (ctx_->config.once)
      return finish_once("fetch failed (" + describe(error) + "); the worker list stays as it is");
    log_->warn("fetch failed ({}); the worker list stays as it is; retrying in {} ms",
               describe(error), delay.count());
    apply(coalescer_.on_fetch_failed(clock::now(), delay));
  }

  void maybe_write() {
    if (writing_ || !desired_)
      return;
    if (on_disk_ && *desired_ == *on_disk_ && !force_write_) {
      ++ctx_->metrics->file_unchanged; // the writer would have found the same bytes
      desired_.reset();
      mark_synced();
      maybe_signal();
      return maybe_finish_once();
    }
    writing_ = write_request{std::move(*desired_), force_write_};
    writing_event_ns_ = desired_event_ns_;
    desired_.reset();
    force_write_ = false;
    send_write();
  }

  void send_write() {
    const auto token = ++write_token_;
    self_->request(peers_.writer, std::chrono::seconds(30), write_atom::value, *writing_)
      .then(
        [this, token](const write_report& report) {
          if (token == write_token_)
            on_written(report);
        },
        [this, token](const caf::error& error) {
          if (token == write_token_)
            on_write_failed(error);
        });
  }

  void on_written(const write_report& report) {
    on_disk_ = std::move(writing_->workers);
    writing_.reset();
    retry_backoff_.reset();
    mark_synced();
    if (report.written) {
      wrote_ = true;
      signal_owed_ = true;
      if (signal_event_ns_ == 0)
        signal_event_ns_ = writing_event_ns_;
    }
    maybe_signal();
    maybe_write();
    maybe_finish_once();
  }

  void on_write_failed(const caf::error& error) {
    if (!desired_)
      desired_ = std::move(writing_->workers);
    force_write_ = force_write_ || writing_->force;
    writing_.reset();
    if (ctx_->config.once)
      return finish_once("write failed (" + describe(error) + ")");
    schedule_retry("write failed (" + describe(error) + ")");
  }

  void maybe_signal() {
    if (!signal_owed_ || signal_in_flight_ || writing_ || !on_disk_)
      return;
    signal_owed_ = false;
    signal_in_flight_ = true;
    signaling_event_ns_ = signal_event_ns_;
    signal_event_ns_ = 0;
    send_signal();
  }

  void send_signal() {
    const auto token = ++signal_token_;
    self_->request(peers_.restarter, caf::infinite, signal_atom::value)
      .then(
        [this, token](const signal_report& report) {
          if (token != signal_token_)
            return;
          signal_in_flight_ = false;
          containers_signalled_ += report.containers_signalled;
          if (signaling_event_ns_ != 0)
            ctx_->metrics->event_to_signal.observe(std::chrono::nanoseconds{now_ns() - signaling_event_ns_});
          signalled_ = true;
          maybe_signal();
          maybe_finish_once();
        },
        [this, token](const caf::error& error) {
          if (token != signal_token_)
            return;
          signal_in_flight_ = false;
          if (ctx_->config.once)
            return undo_once("signal failed (" + describe(error) + ")");
          signal_owed_ = true;
          if (signal_event_ns_ == 0)
            signal_event_ns_ = signaling_event_ns_;
          schedule_retry("signal failed (" + describe(error) + ")");
        });
  }

  void schedule_retry(const std::string& why) {
    const auto delay = retry_backoff_.next(random01());
    log_->warn("{}; retrying in {} ms", why, delay.count());
    if (retry_armed_)
      return;
    retry_armed_ = true;
    self_->delayed_send(self_, delay, retry_atom::value);
  }

  // --once: stop after the first complete sync (quitting normally), or with
  // an error at the first failure; the supervisor turns either into the exit
  // status.
  void maybe_finish_once() {
    if (!ctx_->config.once || !on_disk_ || desired_ || writing_ || signal_owed_ || signal_in_flight_)
      return;
    log_->info("once: {} worker(s) in {}; {}", on_disk_->size(), ctx_->config.worker_list_path(), once_outcome());
    self_->quit();
  }

  std::string_view once_outcome() const {
    if (ctx_->config.dry_run)
      return "dry run: nothing was written or signalled";
    if (!signalled_)
      return "unchanged, no signal needed";
    if (containers_signalled_ == 0)
      return "no master container is running, so none was signalled";
    return "the master was signalled";
  }

  // --once, signal failed: a file this run changed goes back to what it held,
  // so the next run sees the change again and signals it. A reload is never
  // lost to "the bytes are already there".
  void undo_once(const std::string& why) {
    if (!wrote_)
      return finish_once(why + "; the worker list was not changed");
    self_->request(peers_.writer, std::chrono::seconds(30), restore_atom::value)
      .then(
        [this, why](const write_report&) {
          finish_once(why + "; the worker list was put back as it was, so the next run writes and signals again");
        },
        [this, why](const caf::error& error) {
          finish_once(why + "; putting the worker list back failed too (" + describe(error)
                      + "): it lists the new workers, but the master has not reloaded it");
        });
  }

  void finish_once(const std::string& why) {
    log_->error("once: {}", why);
    self_->quit(make_error(sync_error::once_failed, why));
  }

  void mark_synced() {
    ctx_->metrics->last_sync_unix_ms = unix_ms();
    ctx_->metrics->worker_count = static_cast<std::int64_t>(on_disk_ ? on_disk_->size() : 0);
  }

  double random01() { return std::uniform_real_distribution<double>{0.0, 1.0}(rng_); }

  state_reconciler_actor::pointer self_;
  context_ptr ctx_;
  reconciler_peers peers_;
  std::shared_ptr<spdlog::logger> log_;
  protocol::fetch_coalescer coalescer_;
  protocol::backoff fetch_backoff_;
  protocol::backoff auth_backoff_;
  protocol::backoff retry_backoff_;
  std::optional<protocol::worker_set> desired_; // fetched, not yet written
  std::optional<protocol::worker_set> on_disk_; // what the writer last confirmed
  std::optional<write_request> writing_;        // the write in flight
  bool force_write_ = false;
  bool signal_owed_;
  bool signal_in_flight_ = false;
  bool retry_armed_ = false;
  bool signalled_ = false;
  bool wrote_ = false; // this run changed the file
  std::uint64_t containers_signalled_ = 0;
  // Steady-clock times of the oldest event behind each stage, for the
  // event-to-signal histogram (0: none).
  std::int64_t pending_event_ns_ = 0;
  std::int64_t fetch_event_ns_ = 0;
  std::int64_t desired_event_ns_ = 0;
  std::int64_t writing_event_ns_ = 0;
  std::int64_t signal_event_ns_ = 0;
  std::int64_t signaling_event_ns_ = 0;
  std::uint64_t fetch_token_ = 0;
  std::uint64_t write_token_ = 0;
  std::uint64_t signal_token_ = 0;
  std::mt19937 rng_;
};

} // namespace

state_reconciler_actor::behavior_type state_reconciler(state_reconciler_actor::pointer self,
                                                       context_ptr ctx, reconciler_peers peers,
                                                       bool signal_after_first_sync) {
  end_on_exception(self, role);
  auto work = std::make_shared<reconciliation>(self, ctx, std::move(peers), signal_after_first_sync);
  self->send(self, resync_atom::value, sync_request{sync_reason::startup, false});
  return {
    guarded(ctx->faults, role, [=](event_atom, const relevant_change& change) { work->on_event(change); }),
    guarded(ctx->faults, role, [=](resync_atom, const sync_request& sync) { work->on_resync(sync); }),
    guarded(ctx->faults, role,
            [=](peers_atom, const api_poller_actor& poller, const file_writer_actor& writer,
                const docker_restarter_actor& restarter) {
              work->on_peers({poller, writer, restarter});
            }),
    guarded(ctx->faults, role, [=](tick_atom, std::uint64_t timer) { work->on_tick(timer); }),
    guarded(ctx->faults, role, [=](retry_atom) { work->on_retry(); }),
  };
}

} // namespace wlg::actors
