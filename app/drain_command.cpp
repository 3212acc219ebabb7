#include "app/drain_command.hpp"

#include "app/coordinator_session.hpp"
#include "policy/drain_machine.hpp"

#include <cstdio>
#include <unistd.h>

namespace wlg::app {

namespace {

using machine = policy::drain_machine;

// How often a running job is looked at.
constexpr std::chrono::milliseconds follow_interval{500};

// The drain machine's own steps: its statements, the job, what is shown.
class drain_run : public command_run<drain_run, machine> {
public:
  drain_run(const config::settings& config, machine::options options, std::vector<protocol::node_spec> targets,
            const std::vector<std::string>& secrets)
    : command_run(config, machine{options, std::move(targets)}), config_(config),
      name_(options.what == machine::mode::drain ? "drain" : "undrain"), terminal_(::isatty(STDOUT_FILENO) == 1),
      secrets_(secrets) {}

private:
  friend class command_run<drain_run, machine>;
  using command_run::step;

  // --- statements, and their outcomes as reports to the machine ----------------

  void step(const machine::begin&) { simple(protocol::begin_transaction()); }
  void step(const machine::roll_back&) { simple(protocol::roll_back()); }
  void step(const machine::stop_job&) { simple(protocol::stop_rebalance()); }
  void step(const machine::set_property& s) {
    simple(protocol::set_should_have_shards(s.node.name, s.node.port, s.should_have_shards));
  }

  void step(const machine::read_plan&) {
    answered(protocol::planned_drain_moves(),
             [this](const net::pg_rows& rows) { return machine_.on_plan(protocol::read_shard_moves(rows)); });
  }

  void step(const machine::read_progress& p) {
    answered(protocol::drain_progress(p.nodes),
             [this](const net::pg_rows& rows) { return machine_.on_progress(protocol::read_drain_progress(rows)); });
  }

  void step(const machine::start_job&) {
    session_.execute(protocol::start_drain(config_.rebalance_transfer_mode), [this](net::pg_outcome outcome) {
      if (outcome.rows)
        return carry_out(machine_.on_started(protocol::first_int64(*outcome.rows)));
      if (refused(outcome) && protocol::says_a_job_runs(outcome.error.message))
        return carry_out(machine_.on_busy());
      if (refused(outcome))
        return carry_out(machine_.on_refused(outcome.error.message));
      carry_out(machine_.on_lost(outcome.error.message));
    });
  }

  void step(const machine::arm_follow& f) {
    session_.after(std::chrono::duration_cast<std::chrono::milliseconds>(f.delay),
                   [this] { carry_out(machine_.on_follow()); });
  }

  // A statement whose rows say nothing: done, refused, or the connection lost.
  void simple(const protocol::sql_statement& statement) {
    answered(statement, [this](const net::pg_rows&) { return machine_.on_done(); });
  }

  template <class OnRows>
  void answered(const protocol::sql_statement& statement, OnRows on_rows) {
    session_.execute(statement, [this, on_rows](net::pg_outcome outcome) {
      if (outcome.rows)
        return carry_out(on_rows(*outcome.rows));
      if (refused(outcome))
        return carry_out(machine_.on_refused(outcome.error.message));
      carry_out(machine_.on_lost(outcome.error.message));
    });
  }

  static bool refused(const net::pg_outcome& outcome) {
    return !outcome.rows && outcome.error.what == net::pg_error::kind::statement;
  }

  // --- what the operator is shown ------------------------------------------------

  void step(const machine::progress& p) {
    const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    char line[256];
    std::snprintf(line, sizeof line, "drain: %lld of %lld shard placement(s) moved, %lld left (%.1f s)",
                  static_cast<long long>(p.total - p.left), static_cast<long long>(p.total),
                  static_cast<long long>(p.left), seconds);
    if (terminal_) {
      std::printf("\r%-78s", line);
      progress_shown_ = true;
    } else {
      std::printf("%s\n", line);
    }
    std::fflush(stdout);
  }

  void step(const machine::show_plan& s) {
    for (const auto& move : s.moves)
      std::printf("would move shard %lld of %s from %s to %s\n", static_cast<long long>(move.shard),
                  move.table.c_str(), to_string(move.from).c_str(), to_string(move.to).c_str());
    std::printf("%zu move(s) planned\n", s.moves.size());
  }

  void step(const machine::finish& f) {
    if (progress_shown_)
      std::printf("\n");
    if (f.status == machine::done_status)
      std::printf("%s\n", f.message.c_str());
    else
      std::fputs(failure_line(name_, f.message, {}, config_.log_format == config::log_style::json, secrets_).c_str(),
                 stderr);
    std::fflush(stdout);
    finish(f.status);
  }

  const config::settings& config_;
  std::string name_;
  bool terminal_ = false;
  bool progress_shown_ = false;
  const std::vector<std::string>& secrets_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

} // namespace

int run_drain(const config::command_line& command, const std::vector<std::string>& secrets) {
  std::vector<protocol::node_spec> targets;
  for (const auto& operand : command.operands) {
    auto spec = protocol::parse_node_spec(operand);
    if (!spec) {
      std::fprintf(stderr, "%s: invalid NODE '%s': give NAME or NAME:PORT, as pg_dist_node has it\n",
                   std::string{config::command_name}.c_str(), operand.c_str());
      return 2;
    }
    targets.push_back(std::move(*spec));
  }
  const auto what = command.command == config::subcommand::drain ? machine::mode::drain : machine::mode::undrain;
  drain_run run{command.config, {what, command.config.dry_run, follow_interval, false}, std::move(targets), secrets};
  return run.run();
}

int drain_nodes(const config::settings& config, std::vector<protocol::node_spec> targets,
                const std::vector<std::string>& secrets, bool pass_over_unknown) {
  drain_run run{config, {machine::mode::drain, config.dry_run, follow_interval, pass_over_unknown}, std::move(targets),
                secrets};
  return run.run();
}

} // namespace wlg::app
