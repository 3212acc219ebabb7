#include "app/sidecar.hpp"

#include "actors/errors.hpp"
#include "actors/supervisor.hpp"
#include "net/status_server.hpp"
#include "net/tls_client.hpp"
#include "protocol/configuration.hpp"
#include "protocol/version.hpp"
#include "runtime/fault_plan.hpp"
#include "runtime/io_runtime.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"
#include "runtime/status_pages.hpp"

#include <boost/asio/signal_set.hpp>

#include <caf/all.hpp>

#include <csignal>
#include <cstdio>

namespace wlg::app {

namespace {

// Re-arms itself after each signal; runs on the I/O thread.
void handle_signals(boost::asio::signal_set& signals, actors::supervisor_actor supervisor,
                    runtime::fault_plan& faults) {
  signals.async_wait([&signals, supervisor, &faults](const boost::system::error_code& ec, int number) {
    if (ec)
      return;
    auto log = runtime::component_logger("main");
    if (number == SIGUSR1) {
      log->info("SIGUSR1: forcing a full resync, rewrite and signal");
      caf::anon_send(supervisor, actors::resync_atom::value,
                     actors::sync_request{actors::sync_reason::operator_request, true});
      handle_signals(signals, supervisor, faults);
      return;
    }
    log->info("{}: stopping", number == SIGTERM ? "SIGTERM" : "SIGINT");
    faults.interrupt();
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
  });
}

} // namespace

int run_sidecar(const protocol::settings& config) {
  auto log = runtime::component_logger("main");
  runtime::metrics metrics;
  runtime::fault_plan faults{config.faults, metrics};

  caf::actor_system_config system_config;
  system_config.set("scheduler.max-threads", 2);
  caf::actor_system system{system_config};
  runtime::io_runtime io; // destroyed before the actor system: its handlers hold actor handles

  auto ctx = std::make_shared<actors::context>();
  ctx->config = config;
  ctx->io = &io.context();
  ctx->tls = std::make_shared<net::tls_client_context>();
  ctx->metrics = &metrics;
  ctx->faults = &faults;
  ctx->user_agent = std::string{protocol::command_name} + "/" + std::string{protocol::version};

  const bool engine = config.source == protocol::event_source::engine;
  log->info("{} {} starting{}: worker list {}, workers from {}, master signalled through {}",
            protocol::command_name, protocol::version, config.once ? " (once)" : "",
            config.worker_list_path(),
            engine ? "the engine's containers labelled " + config.worker_label_key + "=" + config.worker_label_value
                   : "Docker Cloud at " + config.rest_host.host_header(),
            config.docker_socket);

  std::unique_ptr<net::status_server> status;
  if (config.listen.enabled()) {
    const runtime::health_rules rules{!config.once};
    auto started = net::status_server::start(
      io.context(), config.listen.host, config.listen.port,
      [&metrics, rules](std::string_view method, std::string_view target) {
        return runtime::answer_status_request(method, target, metrics, rules);
      });
    if (!started) {
      std::fprintf(stderr, "%s\n",
                   protocol::describe(protocol::config_error{
                     protocol::setting_label("WORKERLISTGEN_LISTEN", "listen"), started.error()})
                     .c_str());
      return 2;
    }
    status = std::move(*started);
    log->info("serving /healthz and /metrics on {}:{}", config.listen.host, config.listen.port);
  }

  auto supervisor = system.spawn(actors::supervisor, actors::context_ptr{ctx});
  boost::asio::signal_set signals{io.context(), SIGTERM, SIGINT, SIGUSR1};
  handle_signals(signals, supervisor, faults);

  caf::error reason;
  {
    caf::scoped_actor self{system};
    self->monitor(supervisor);
    self->receive([&](const caf::down_msg& down) { reason = down.reason; });
  }
  system.await_all_actors_done();
  status.reset();
  io.stop();

  if (!reason || reason == caf::exit_reason::user_shutdown) {
    log->info("stopped");
    return 0;
  }
  log->critical("exiting: {}", actors::describe(reason));
  return 1;
}

} // namespace wlg::app
