#include "actors/file_writer.hpp"

#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

#include <optional>

namespace wlg::actors {

namespace {

constexpr auto role = protocol::actor_role::file_writer;

class list_file {
public:
  explicit list_file(context_ptr ctx)
    : ctx_(std::move(ctx)), log_(runtime::component_logger(std::string{protocol::name_of(role)})),
      path_(ctx_->config.worker_list_path()) {
    if (ctx_->config.dry_run)
      log_->info("dry run: {} will not be written", path_);
    else if (auto removed = runtime::remove_stale_temporaries(path_))
      log_->info("removed {} temporary file(s) left by an interrupted write", removed);
  }

  caf::result<write_report> write(const write_request& request) {
    const auto content = protocol::render_worker_list(request.workers, ctx_->config.worker_port);
    if (ctx_->config.dry_run) {
      const bool differs = request.force || !runtime::file_holds(path_, content);
      if (differs)
        runtime::print_would_write(path_, content);
      return write_report{differs, content.size()};
    }
    if (ctx_->config.once && !before_ && !runtime::file_holds(path_, content))
      remember_before_image();
    auto outcome = runtime::replace_file_atomically(path_, content, request.force);
    if (!outcome) {
      log_->error("cannot write {}: {}", path_, outcome.error());
      return make_error(sync_error::write_failed, outcome.error());
    }
    const bool written = *outcome == runtime::write_outcome::written;
    (written ? ctx_->metrics->file_writes : ctx_->metrics->file_unchanged)++;
    if (written)
      log_->info("wrote {} worker(s) to {}", request.workers.size(), path_);
    else
      log_->debug("{} already lists these {} worker(s)", path_, request.workers.size());
    return write_report{written, content.size()};
  }

  caf::result<write_report> restore() {
    if (!before_)
      return write_report{false, 0};
    const auto& before = *before_;
    if (!before) {
      auto removed = runtime::remove_written_file(path_);
      if (!removed)
        return make_error(sync_error::write_failed, removed.error());
      log_->info("removed {}, which did not exist before this run", path_);
      return write_report{true, 0};
    }
    auto outcome = runtime::replace_file_atomically(path_, *before, true);
    if (!outcome)
      return make_error(sync_error::write_failed, outcome.error());
    log_->info("restored {} to what it held before this run", path_);
    return write_report{true, before->size()};
  }

private:
  // Outer optional: whether the before-image was taken; inner: the bytes, or
  // nothing when the file did not exist.
  void remember_before_image() {
    auto current = runtime::read_current_content(path_);
    if (current)
      before_ = std::move(*current);
    else
      log_->warn("{}; a failed signal cannot put the old list back", current.error());
  }

  context_ptr ctx_;
  std::shared_ptr<spdlog::logger> log_;
  std::string path_;
  std::optional<std::optional<std::string>> before_;
};

} // namespace

file_writer_actor::behavior_type file_writer(file_writer_actor::pointer self, context_ptr ctx) {
  end_on_exception(self, role);
  auto file = std::make_shared<list_file>(ctx);
  return {
    guarded(ctx->faults, role,
            [=](write_atom, const write_request& request) -> caf::result<write_report> {
              return file->write(request);
            }),
    guarded(ctx->faults, role, [=](restore_atom) -> caf::result<write_report> { return file->restore(); }),
  };
}

} // namespace wlg::actors
