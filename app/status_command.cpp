#include "app/status_command.hpp"

#include "app/coordinator_session.hpp"
#include "policy/node_status_machine.hpp"

#include <cstdio>

namespace wlg::app {

namespace {

using machine = policy::node_status_machine;

// The status machine's own steps: probe, show, fail.
class status_run : public command_run<status_run, machine> {
public:
  status_run(const config::settings& config, const std::vector<std::string>& secrets)
    : command_run(config, machine{}), json_(config.log_format == config::log_style::json), secrets_(secrets) {}

private:
  friend class command_run<status_run, machine>;
  using command_run::step;

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

  bool json_ = false;
  const std::vector<std::string>& secrets_;
};

} // namespace

int run_status(const config::settings& config, const std::vector<std::string>& secrets) {
  status_run run{config, secrets};
  return run.run();
}

} // namespace wlg::app
