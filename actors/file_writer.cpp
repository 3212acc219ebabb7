#include "actors/file_writer.hpp"

#include "actors/errors.hpp"
#include "actors/guarded.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/dry_run_output.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace wlg::actors {

file_writer_actor::behavior_type file_writer(file_writer_actor::pointer self, context_ptr ctx) {
  constexpr auto role = protocol::actor_role::file_writer;
  end_on_exception(self, role);
  auto log = runtime::component_logger(std::string{protocol::name_of(role)});
  const std::string path = ctx->config.worker_list_path();
  if (ctx->config.dry_run)
    log->info("dry run: {} will not be written", path);
  else if (auto removed = runtime::remove_stale_temporaries(path))
    log->info("removed {} temporary file(s) left by an interrupted write", removed);
  return {
    guarded(ctx->faults, role,
            [=](write_atom, const write_request& request) -> caf::result<write_report> {
              const auto content = protocol::render_worker_list(request.workers, ctx->config.worker_port);
              if (ctx->config.dry_run) {
                const bool differs = request.force || !runtime::file_holds(path, content);
                if (differs)
                  runtime::print_would_write(path, content);
                return write_report{differs, content.size()};
              }
              auto outcome = runtime::replace_file_atomically(path, content, request.force);
              if (!outcome) {
                log->error("cannot write {}: {}", path, outcome.error());
                return make_error(sync_error::write_failed, outcome.error());
              }
              const bool written = *outcome == runtime::write_outcome::written;
              (written ? ctx->metrics->file_writes : ctx->metrics->file_unchanged)++;
              if (written)
                log->info("wrote {} worker(s) to {}", request.workers.size(), path);
              else
                log->debug("{} already lists these {} worker(s)", path, request.workers.size());
              return write_report{written, content.size()};
            }),
  };
}

} // namespace wlg::actors
