#include "app/status_command.hpp"

#include "app/coordinator_session.hpp"
#include "policy/node_status_machine.hpp"

#include <cstdio>

namespace wlg::app {

namespace {

using machine = policy::node_status_machine;

// Carries out the machine's commands; each outcome comes back on the one
// thread that runs the session, until the machine is done.
class status_run {
public:
  status_run(const config::settings& config, const std::vector<std::string>& secrets)
    : json_(config.log_format == config::log_style::json), secrets_(secrets), session_(config) {}

  int run() {
    carry_out(machine_.start());
    session_.run();
    return status_;
  }

private:
  void carry_out(const machine::commands& commands) {
    for (const auto& command : commands)
      std::visit([this](const auto& c) { step(c); }, command);
  }

  void step(const machine::connect&) {
    session_.connect([this](std::optional<net::pg_error> error) {
      if (error)
        return carry_out(
          machine_.on_connect_failed(protocol::classify_connect_failure(error->message), error->message));
      carry_out(machine_.on_connected());
    });
  }

  void step(const machine::read_states&) {
    session_.execute(protocol::read_node_states(), [this](net::pg_outcome outcome) {
      if (outcome.rows)
        return carry_out(machine_.on_states(protocol::read_node_states(*outcome.rows)));
      if (outcome.error.what == net::pg_error::kind::statement)
        return carry_out(machine_.on_read_refused(protocol::classify_read_failure(outcome.error.sqlstate),
                                                  outcome.error.message));
      carry_out(machine_.on_lost(outcome.error.message));
    });
  }

  void step(const machine::probe& p) {
    session_.execute(protocol::probe_worker_nodes(p.nodes, protocol::probe_connect_timeout_ms),
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
    std::fputs(failure_line("status", protocol::describe(f.problem), f.why, json_, secrets_).c_str(), stderr);
    finish(1);
  }

  void finish(int status) {
    status_ = status;
    session_.close();
  }

  bool json_ = false;
  const std::vector<std::string>& secrets_;
  coordinator_session session_;
  machine machine_;
  int status_ = 1;
};

} // namespace

int run_status(const config::settings& config, const std::vector<std::string>& secrets) {
  status_run run{config, secrets};
  return run.run();
}

} // namespace wlg::app
