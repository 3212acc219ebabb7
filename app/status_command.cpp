#include "app/status_command.hpp"

#include "config/configuration.hpp"
#include "net/pg_connection.hpp"
#include "policy/node_status_machine.hpp"
#include "protocol/citus_sql.hpp"
#include "runtime/logging.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>

namespace wlg::app {

namespace {

using machine = policy::node_status_machine;

// Carries out the machine's commands; each outcome comes back on the one
// thread that runs the io_context, until the machine is done.
class status_run {
public:
  status_run(const config::settings& config, const std::vector<std::string>& secrets)
    : json_(config.log_format == config::log_style::json), secrets_(secrets),
      connection_(net::make_pg_connection(io_, config.coordinator.reveal(), config.request_timeout)) {}

  int run() {
    carry_out(machine_.start());
    io_.run();
    return status_;
  }

private:
  void carry_out(const machine::commands& commands) {
    for (const auto& command : commands)
      std::visit([this](const auto& c) { step(c); }, command);
  }

  void step(const machine::connect&) {
    connection_->connect([this](std::optional<net::pg_error> error) {
      if (error)
        return carry_out(
          machine_.on_connect_failed(protocol::classify_connect_failure(error->message), error->message));
      carry_out(machine_.on_connected());
    });
  }

  void step(const machine::read_states&) {
    execute(protocol::read_node_states(), [this](net::pg_outcome outcome) {
      if (outcome.rows)
        return carry_out(machine_.on_states(protocol::read_node_states(*outcome.rows)));
      if (outcome.error.what == net::pg_error::kind::statement)
        return carry_out(machine_.on_read_refused(protocol::classify_read_failure(outcome.error.sqlstate),
                                                  outcome.error.message));
      carry_out(machine_.on_lost(outcome.error.message));
    });
  }

  void step(const machine::probe& p) {
    execute(protocol::probe_worker_nodes(p.nodes, protocol::probe_connect_timeout_ms),
            [this](net::pg_outcome outcome) {
              if (outcome.rows)
                return carry_out(machine_.on_probed(protocol::read_node_probes(*outcome.rows)));
              if (outcome.error.what == net::pg_error::kind::statement)
                return carry_out(machine_.on_probe_refused());
              carry_out(machine_.on_lost(outcome.error.message));
            });
  }

  void step(const machine::show& s) {
    const auto text = json_ ? protocol::status_json(s.nodes) : protocol::status_table(s.nodes);
    std::fputs(text.c_str(), stdout);
    finish(0);
  }

  void step(const machine::fail& f) {
    auto why = f.why;
    runtime::redact(why, secrets_);
    const auto what = std::string{protocol::describe(f.problem)};
    const auto line = json_ ? protocol::status_error_json(what, why)
                            : std::string{config::command_name} + " status: " + what + ": " + why + "\n";
    std::fputs(line.c_str(), stderr);
    finish(1);
  }

  void finish(int status) {
    status_ = status;
    connection_->close();
  }

  template <class Done>
  void execute(const protocol::sql_statement& statement, Done done) {
    connection_->execute(std::string{statement.text}, statement.params, std::move(done));
  }

  boost::asio::io_context io_;
  bool json_ = false;
  const std::vector<std::string>& secrets_;
  std::shared_ptr<net::pg_connection> connection_;
  machine machine_;
  int status_ = 1;
};

} // namespace

int run_status(const config::settings& config, const std::vector<std::string>& secrets) {
  status_run run{config, secrets};
  return run.run();
}

} // namespace wlg::app
