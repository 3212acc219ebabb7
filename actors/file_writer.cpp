#include "actors/file_writer.hpp"

#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/clock_readings.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"
#include "runtime/ready_file.hpp"

#include <optional>

namespace wlg::actors {

namespace {

constexpr auto role = config::actor_role::file_writer;
using machine = policy::file_output_machine;

// Where the rendered list goes: the file, or with --dry-run stdout.
class list_sink {
public:
  virtual ~list_sink() = default;
  // Whether the bytes changed, or why they could not be written.
  virtual result<bool, std::string> write(const std::string& content, bool rewrite) = 0;
  // --once, after a failed signal: puts back what the file held before this
  // run first changed it. Describes what happened.
  virtual std::string restore() = 0;
};

class list_file final : public list_sink {
public:
  list_file(std::string path, bool keep_before_image, runtime::metrics& metrics, std::shared_ptr<spdlog::logger> log)
    : path_(std::move(path)), keep_before_image_(keep_before_image), metrics_(metrics), log_(std::move(log)) {
    if (auto removed = runtime::remove_stale_temporaries(path_))
      log_->info("removed {} temporary file(s) left by an interrupted write", removed);
  }

  result<bool, std::string> write(const std::string& content, bool rewrite) override {
    if (keep_before_image_ && !before_ && !runtime::file_holds(path_, content))
      remember_before_image();
    const auto started = std::chrono::steady_clock::now();
    auto outcome = runtime::replace_file_atomically(path_, content, rewrite);
    if (!outcome)
      return fail(outcome.error());
    const bool written = *outcome == runtime::write_outcome::written;
    if (written)
      metrics_.record(runtime::sync_phase::write, std::chrono::steady_clock::now() - started);
    (written ? metrics_.file_writes : metrics_.file_unchanged)++;
    return written;
  }

  std::string restore() override {
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

  std::string path_;
  bool keep_before_image_;
  runtime::metrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  // Outer: whether the before-image was taken; inner: the bytes, or nothing
  // when the file did not exist.
  std::optional<std::optional<std::string>> before_;
};

// --dry-run: prints what would be written when it differs from the file.
class printed_list final : public list_sink {
public:
  explicit printed_list(std::string path) : path_(std::move(path)) {}

  result<bool, std::string> write(const std::string& content, bool rewrite) override {
    const bool differs = rewrite || !runtime::file_holds(path_, content);
    if (differs)
      runtime::print_would_write(path_, content);
    return differs;
  }

  std::string restore() override { return "nothing was written"; }

private:
  std::string path_;
};

// Carries out the machine's commands.
class file_output {
public:
  file_output(file_writer_actor::pointer self, context_ptr ctx, signaller_actor signaller, machine::options options)
    : self_(self), ctx_(std::move(ctx)), signaller_(std::move(signaller)),
      log_(runtime::component_logger(std::string{config::name_of(role)})), path_(options.path),
      sink_(make_sink(options)), machine_(std::move(options)) {}

  caf::result<policy::output_report> apply(const policy::output_request& request) {
    pending_ = self_->make_response_promise<policy::output_report>();
    auto promise = *pending_;
    run(machine_.on_apply(request));
    return promise;
  }

  void set_signaller(signaller_actor signaller) {
    signaller_ = std::move(signaller);
    run(machine_.on_signaller_replaced());
  }

  void on_retry() { run(machine_.on_retry()); }
  void on_answer_due(std::uint64_t id) { run(machine_.on_answer_due(id)); }

private:
  std::unique_ptr<list_sink> make_sink(const machine::options& options) {
    if (options.run.rehearse) {
      log_->info("dry run: {} will not be written", path_);
      return std::make_unique<printed_list>(path_);
    }
    return std::make_unique<list_file>(path_, options.run.once, *ctx_->metrics, log_);
  }

  void run(const machine::commands& commands) {
    for (const auto& command : commands)
      std::visit([this](const auto& c) { carry_out(c); }, command);
  }

  void carry_out(const machine::write& w) {
    const auto render_started = std::chrono::steady_clock::now();
    const auto content = protocol::render_worker_list(w.request.workers, ctx_->config.worker_port);
    ctx_->metrics->record(runtime::sync_phase::render, std::chrono::steady_clock::now() - render_started);
    auto written = sink_->write(content, w.request.rewrite);
    if (!written) {
      log_->error("cannot write {}: {}", path_, written.error());
      ctx_->metrics->output_trouble.report("cannot write " + path_ + ": " + written.error());
      return run(machine_.on_write_failed(written.error()));
    }
    if (*written)
      log_->info("wrote {} worker(s) to {}", w.request.workers.size(), path_);
    else
      log_->debug("{} already lists these {} worker(s)", path_, w.request.workers.size());
    if (ctx_->ready)
      ctx_->ready->reached();
    run(machine_.on_written(*written));
  }

  void carry_out(const machine::signal&) {
    const auto token = ++signal_token_;
    self_->request(signaller_, caf::infinite, signal_atom::value)
      .then(
        [this, token](const signal_report& report) {
          if (token == signal_token_)
            run(machine_.on_signalled(report.containers_signalled));
        },
        [this, token](const caf::error& error) {
          if (token != signal_token_)
            return;
          const auto why = describe(error);
          ctx_->metrics->output_trouble.report("cannot signal the master: " + why);
          run(machine_.on_signal_failed(why));
        });
  }

  void carry_out(const machine::answer& a) {
    ctx_->metrics->output_trouble.clear();
    if (pending_)
      pending_->deliver(a.report);
    pending_.reset();
  }

  void carry_out(const machine::fail& f) {
    if (pending_)
      pending_->deliver(f.restore ? make_error(sync_error::once_failed, f.why + "; " + sink_->restore())
                                  : make_error(sync_error::write_failed, f.why));
    pending_.reset();
  }

  void carry_out(const machine::answer_later& a) {
    self_->delayed_send(self_, a.delay, internal_atom::value, tick_atom::value, a.id);
  }

  void carry_out(const machine::retry_later& r) {
    log_->warn("{}; retrying in {} ms", r.why, std::chrono::duration_cast<std::chrono::milliseconds>(r.delay).count());
    self_->delayed_send(self_, r.delay, internal_atom::value, retry_atom::value);
  }

  void carry_out(const machine::event_signalled& e) {
    ctx_->metrics->event_to_signal.observe(std::chrono::nanoseconds{runtime::steady_now_ns() - e.event_ns});
  }

  file_writer_actor::pointer self_;
  context_ptr ctx_;
  signaller_actor signaller_;
  std::shared_ptr<spdlog::logger> log_;
  std::string path_;
  std::unique_ptr<list_sink> sink_;
  machine machine_;
  std::uint64_t signal_token_ = 0;
  // The apply under way. The reconciler sends one at a time; it is answered
  // after the signal its write started (at most options.answer_wait later).
  std::optional<caf::typed_response_promise<policy::output_report>> pending_;
};

} // namespace

file_writer_actor::behavior_type file_writer(file_writer_actor::pointer self, context_ptr ctx,
                                             signaller_actor signaller,
                                             policy::file_output_machine::options options) {
  end_on_exception(self, role);
  auto output = std::make_shared<file_output>(self, ctx, std::move(signaller), std::move(options));
  return guarded_behavior<file_writer_actor>(
    ctx->faults, role,
    [=](apply_atom, const policy::output_request& request) -> caf::result<policy::output_report> {
      return output->apply(request);
    },
    [=](peers_atom, const signaller_actor& signaller) { output->set_signaller(signaller); },
    [=](internal_atom, retry_atom) { output->on_retry(); },
    [=](internal_atom, tick_atom, std::uint64_t id) { output->on_answer_due(id); });
}

} // namespace wlg::actors
