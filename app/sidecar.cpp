#include "app/sidecar.hpp"

#include "actors/errors.hpp"
#include "actors/supervisor.hpp"
#include "actors/weak_mailbox.hpp"
#include "net/status_server.hpp"
#include "net/read_gate.hpp"
#include "net/tls_client.hpp"
#include "config/configuration.hpp"
#include "protocol/version.hpp"
#include "runtime/fault_plan.hpp"
#include "runtime/io_runtime.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"
#include "runtime/pid_file.hpp"
#include "runtime/ready_file.hpp"
#include "runtime/status_pages.hpp"

#include <boost/asio/signal_set.hpp>

#include <caf/all.hpp>

#include <csignal>
#include <cstdio>

namespace wlg::app {

namespace {

using supervisor_mailbox = actors::weak_mailbox<actors::supervisor_actor>;

// Re-arms itself after each signal; runs on the I/O thread.
void handle_signals(boost::asio::signal_set& signals, supervisor_mailbox supervisor, runtime::fault_plan& faults) {
  signals.async_wait([&signals, supervisor, &faults](const boost::system::error_code& ec, int number) {
    if (ec)
      return;
    auto log = runtime::component_logger("main");
    if (number == SIGUSR1 || number == SIGHUP) { // SIGHUP: what process managers send to ask for a reload
      log->info("{}: forcing a full resync, rewrite and signal", number == SIGHUP ? "SIGHUP" : "SIGUSR1");
      supervisor.send(actors::resync_atom::value, actors::sync_request{actors::sync_reason::operator_request, true});
      handle_signals(signals, supervisor, faults);
      return;
    }
    log->info("{}: stopping", number == SIGTERM ? "SIGTERM" : "SIGINT");
    faults.interrupt();
    supervisor.exit(caf::exit_reason::user_shutdown);
  });
}

int configuration_failure(const char* variable, const char* flag, const std::string& problem) {
  std::fprintf(stderr, "%s\n",
               config::describe(config::config_error{config::setting_label(variable, flag), problem}).c_str());
  return 2;
}

// Everything between "the signals are caught" and "the actors are done".
// The signal handlers are in place before the PID file names this process,
// so a reload.sh that reads it at once finds SIGUSR1 handled; signals that
// arrive before the supervisor exists wait in the signal_set.
int supervise(const config::settings& config, runtime::metrics& metrics, runtime::fault_plan& faults,
              runtime::io_runtime& io, caf::actor_system& system) {
  auto log = runtime::component_logger("main");
  boost::asio::signal_set signals{io.context(), SIGTERM, SIGINT, SIGUSR1};
  signals.add(SIGHUP);
  auto pid = runtime::pid_file::create(config.pid_file);
  if (!pid)
    return configuration_failure("WORKERLISTGEN_PID_FILE", "pid-file", pid.error());
  runtime::ready_file ready{config.dry_run ? std::string{} : config.ready_file};
  if (auto stale = ready.clear())
    return configuration_failure("WORKERLISTGEN_READY_FILE", "ready-file", *stale);

  const bool engine = config.source == config::event_source::engine;
  // The coordinator's connection string is not logged: it may hold a password.
  log->info("{} {} starting{}: {}, workers from {}", config::command_name, protocol::version,
            config.once ? " (once)" : "",
            config.target == config::output_target::citus
              ? std::string{"the Citus coordinator's worker nodes (--coordinator)"}
              : "worker list " + config.worker_list_path() + ", master signalled through " + config.docker_socket,
            engine ? "the engine's containers labelled " + config.worker_label_key + "=" + config.worker_label_value
                   : "Docker Cloud at " + config.rest_host.host_header());

  std::unique_ptr<net::status_server> status;
  if (config.listen.enabled()) {
    const runtime::health_rules rules{!config.once, config.target == config::output_target::citus};
    net::status_limits limits;
    limits.max_connections = static_cast<std::size_t>(config.listen_connections);
    auto started = net::status_server::start(
      io.context(), config.listen.host, config.listen.port, limits,
      [&metrics, rules](std::string_view method, std::string_view target) {
        return runtime::answer_status_request(method, target, metrics, rules);
      },
      runtime::status_port_reporter(metrics));
    if (!started)
      return configuration_failure("WORKERLISTGEN_LISTEN", "listen", started.error());
    status = std::move(*started);
    log->info("serving /healthz and /metrics on {}:{} (at most {} connections)", config.listen.host,
              config.listen.port, status->connection_cap());
    if (status->connection_cap() < limits.max_connections)
      log->warn("WORKERLISTGEN_LISTEN_CONNECTIONS lowered from {} to {}: the open-file limit leaves no more room "
                "beside the engine, API and coordinator connections",
                limits.max_connections, status->connection_cap());
  }

  auto ctx = std::make_shared<actors::context>();
  ctx->config = config;
  ctx->io = &io.context();
  ctx->tls = std::make_shared<net::tls_client_context>();
  ctx->read_gate = std::make_shared<net::read_gate>();
  ctx->metrics = &metrics;
  ctx->faults = &faults;
  ctx->ready = config.ready_file.empty() || config.dry_run ? nullptr : &ready;
  ctx->user_agent = std::string{config::command_name} + "/" + std::string{protocol::version};

  auto supervisor = system.spawn(actors::supervisor, actors::context_ptr{ctx});
  handle_signals(signals, supervisor_mailbox{supervisor}, faults);

  caf::error reason;
  {
    caf::scoped_actor self{system};
    self->monitor(supervisor);
    self->receive([&](const caf::down_msg& down) { reason = down.reason; });
  }
  system.await_all_actors_done();

  if (!reason || reason == caf::exit_reason::user_shutdown) {
    log->info("stopped");
    return 0;
  }
  log->critical("exiting: {}", actors::describe(reason));
  return 1;
}

// Once the PID file is gone and the signal_set no longer catches them, a
// late reload.sh, SIGHUP or a repeated stop request must not end the process
// with a signal's default action while it finishes shutting down.
void ignore_stop_and_reload_signals() {
  for (int number : {SIGTERM, SIGINT, SIGUSR1, SIGHUP})
    std::signal(number, SIG_IGN);
}

} // namespace

int run_sidecar(const config::settings& config) {
  // A peer that closes a socket mid-write is an error value, never a signal.
  std::signal(SIGPIPE, SIG_IGN);
  runtime::metrics metrics;
  runtime::fault_plan faults{config.faults, metrics};
  // The I/O runtime is declared before the actor system, so it is destroyed
  // after it. Actors close their network sessions when they terminate, on
  // CAF's threads, and the system's destructor joins those threads: every
  // session is closed and released while its io_context still exists. The
  // I/O thread holds only weak references to actors (weak_mailbox), so no
  // pending handler keeps an actor alive past the system.
  runtime::io_runtime io;
  caf::actor_system_config system_config;
  system_config.set("scheduler.max-threads", 2);
  // A sidecar waits almost all of its life. Work stealing keeps its idle
  // threads polling every 10 ms (about 200 wake-ups a second, 0.5 s of CPU a
  // minute); work sharing blocks them on a condition variable until a message
  // comes, and measured no slower from event to signal (scripts/bench.sh).
  system_config.set("scheduler.policy", caf::atom("sharing"));
  caf::actor_system system{system_config};
  const int status = supervise(config, metrics, faults, io, system);
  ignore_stop_and_reload_signals();
  return status;
}

} // namespace wlg::app
