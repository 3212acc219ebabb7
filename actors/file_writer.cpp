#include "actors/file_writer.hpp"

#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "policy/backoff.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <optional>

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::file_writer;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

// The worker list file, and what it held before this process first changed it.
class list_file {
public:
  explicit list_file(const context& ctx)
    : ctx_(ctx), log_(runtime::component_logger(std::string{config::name_of(role)})),
      path_(ctx.config.worker_list_path()) {
    if (ctx_.config.dry_run)
      log_->info("dry run: {} will not be written", path_);
    else if (auto removed = runtime::remove_stale_temporaries(path_))
      log_->info("removed {} temporary file(s) left by an interrupted write", removed);
  }

  const std::string& path() const { return path_; }

  // Whether the bytes changed, or an error.
  result<bool, caf::error> write(const policy::output_request& request) {
    const auto render_started = std::chrono::steady_clock::now();
    const auto content = protocol::render_worker_list(request.workers, ctx_.config.worker_port);
    const auto write_started = std::chrono::steady_clock::now();
    ctx_.metrics->record(runtime::sync_phase::render, write_started - render_started);
    if (ctx_.config.dry_run) {
      const bool differs = request.rewrite || !runtime::file_holds(path_, content);
      if (differs)
        runtime::print_would_write(path_, content);
      return differs;
    }
    if (ctx_.config.once && !before_ && !runtime::file_holds(path_, content))
      remember_before_image();
    auto outcome = runtime::replace_file_atomically(path_, content, request.rewrite);
    if (outcome && *outcome == runtime::write_outcome::written)
      ctx_.metrics->record(runtime::sync_phase::write, std::chrono::steady_clock::now() - write_started);
    if (!outcome) {
      log_->error("cannot write {}: {}", path_, outcome.error());
      return fail(make_error(sync_error::write_failed, outcome.error()));
    }
    const bool written = *outcome == runtime::write_outcome::written;
    (written ? ctx_.metrics->file_writes : ctx_.metrics->file_unchanged)++;
    if (written)
      log_->info("wrote {} worker(s) to {}", request.workers.size(), path_);
    else
      log_->debug("{} already lists these {} worker(s)", path_, request.workers.size());
    return written;
  }

  // Puts back what the file held before this run first changed it (removing
  // it if it did not exist). Describes what happened.
  std::string restore() {
    if (!before_)
      return "the worker list was not changed";
    const auto& before = *before_;
    auto restored = before ? runtime::replace_file_atomically(path_, *before, true).has_value()
                           : runtime::remove_written_file(path_).has_value();
    if (!restored)
      return "putting the worker list back failed too: it lists the new workers, but the master has not reloaded it";
    log_->info("put {} back as it was before this run", path_);
    return "the worker list was put back as it was, so the next run writes and signals again";
  }

private:
  void remember_before_image() {
    auto current = runtime::read_current_content(path_);
    if (current)
      before_ = std::move(*current);
    else
      log_->warn("{}; a failed signal cannot put the old list back", current.error());
  }

  const context& ctx_;
  std::shared_ptr<spdlog::logger> log_;
  std::string path_;
  // Outer: whether the before-image was taken; inner: the bytes, or nothing
  // when the file did not exist.
  std::optional<std::optional<std::string>> before_;
};

// Writes, then reloads the master through the signaller.
class file_output {
public:
  file_output(file_writer_actor::pointer self, context_ptr ctx, signaller_actor signaller, bool reload_first)
    : self_(self), ctx_(std::move(ctx)), signaller_(std::move(signaller)),
      log_(runtime::component_logger(std::string{config::name_of(role)})), file_(*ctx_),
      backoff_(ctx_->config.backoff_initial, ctx_->config.backoff_max), signal_owed_(reload_first) {}

  caf::result<policy::output_report> apply(const policy::output_request& request) {
    auto written = file_.write(request);
    if (!written)
      return written.error();
    workers_ = request.workers.size();
    changed_ = changed_ || *written;
    if (*written || request.reload) {
      signal_owed_ = true;
      if (owed_event_ns_ == 0)
        owed_event_ns_ = request.oldest_event_ns;
    }
    if (ctx_->config.once && signal_owed_) {
      pending_ = self_->make_response_promise<policy::output_report>();
      maybe_signal();
      return *pending_;
    }
    maybe_signal();
    return policy::output_report{*written, summary()};
  }

  void set_signaller(signaller_actor signaller) {
    signaller_ = std::move(signaller);
    if (signal_in_flight_)
      send_signal(); // its predecessor may have died without answering
  }

  void on_retry() {
    retry_armed_ = false;
    maybe_signal();
  }

private:
  void maybe_signal() {
    if (!signal_owed_ || signal_in_flight_ || retry_armed_)
      return;
    signal_owed_ = false;
    signal_in_flight_ = true;
    signaling_event_ns_ = owed_event_ns_;
    owed_event_ns_ = 0;
    send_signal();
  }

  void send_signal() {
    const auto token = ++signal_token_;
    self_->request(signaller_, caf::infinite, signal_atom::value)
      .then(
        [this, token](const signal_report& report) {
          if (token == signal_token_)
            signalled(report);
        },
        [this, token](const caf::error& error) {
          if (token == signal_token_)
            signal_failed(error);
        });
  }

  void signalled(const signal_report& report) {
    signal_in_flight_ = false;
    backoff_.reset();
    signalled_ = true;
    containers_signalled_ += report.containers_signalled;
    if (signaling_event_ns_ != 0)
      ctx_->metrics->event_to_signal.observe(std::chrono::nanoseconds{now_ns() - signaling_event_ns_});
    if (pending_) {
      pending_->deliver(policy::output_report{changed_, summary()});
      pending_.reset();
    }
    maybe_signal();
  }

  void signal_failed(const caf::error& error) {
    signal_in_flight_ = false;
    const auto why = "signal failed (" + describe(error) + ")";
    if (pending_) { // --once
      pending_->deliver(make_error(sync_error::once_failed, why + "; " + file_.restore()));
      pending_.reset();
      return;
    }
    signal_owed_ = true;
    if (owed_event_ns_ == 0)
      owed_event_ns_ = signaling_event_ns_;
    retry_armed_ = true;
    const auto delay = backoff_.next();
    log_->warn("{}; retrying in {} ms", why, delay.count());
    self_->delayed_send(self_, delay, internal_atom::value, retry_atom::value);
  }

  // --once's last line.
  std::string summary() const {
    if (ctx_->config.dry_run)
      return "dry run: nothing was written or signalled";
    const auto head = std::to_string(workers_) + " worker(s) in " + file_.path() + "; ";
    if (!signalled_)
      return head + "unchanged, no signal needed";
    if (containers_signalled_ == 0)
      return head + "no master container is running, so none was signalled";
    return head + "the master was signalled";
  }

  file_writer_actor::pointer self_;
  context_ptr ctx_;
  signaller_actor signaller_;
  std::shared_ptr<spdlog::logger> log_;
  list_file file_;
  policy::backoff backoff_;
  bool signal_owed_;
  bool signal_in_flight_ = false;
  bool retry_armed_ = false;
  bool signalled_ = false;
  bool changed_ = false;
  std::size_t workers_ = 0;
  std::uint64_t containers_signalled_ = 0;
  std::uint64_t signal_token_ = 0;
  // Steady-clock times of the oldest event behind the owed and the running
  // signal, for the event-to-signal histogram (0: none).
  std::int64_t owed_event_ns_ = 0;
  std::int64_t signaling_event_ns_ = 0;
  std::optional<caf::typed_response_promise<policy::output_report>> pending_; // --once: answered after the signal
};

} // namespace

file_writer_actor::behavior_type file_writer(file_writer_actor::pointer self, context_ptr ctx,
                                             signaller_actor signaller, bool reload_first) {
  end_on_exception(self, role);
  auto output = std::make_shared<file_output>(self, ctx, std::move(signaller), reload_first);
  return guarded_behavior<file_writer_actor>(
    ctx->faults, role,
    [=](apply_atom, const policy::output_request& request) -> caf::result<policy::output_report> {
      return output->apply(request);
    },
    [=](peers_atom, const signaller_actor& signaller) { output->set_signaller(signaller); },
    [=](internal_atom, retry_atom) { output->on_retry(); });
}

} // namespace wlg::actors
