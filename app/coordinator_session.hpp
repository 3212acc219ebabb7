#pragma once

// What the commands beside the sidecar share: one libpq connection to
// --coordinator (net/pg_connection) on an io_context that the command's own
// thread runs until the command is done, a timer, and the one line a command
// prints when it fails.

#include "config/settings.hpp"
#include "net/pg_connection.hpp"
#include "protocol/citus_rows.hpp"
#include "protocol/citus_sql.hpp"
#include "protocol/coordinator_problem.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wlg::app {

class coordinator_session {
public:
  explicit coordinator_session(const config::settings& config);

  // Each `done` runs on the thread in run().
  void connect(std::function<void(std::optional<net::pg_error>)> done);
  void execute(const protocol::sql_statement& statement, std::function<void(net::pg_outcome)> done);
  void after(std::chrono::milliseconds delay, std::function<void()> done);

  // The steps every command's machine starts with, reported to it and what
  // it answers carried out: connecting (on_connected, on_connect_failed with
  // the problem named) and reading the worker nodes' states (on_states,
  // on_read_refused, on_lost).
  template <class Machine, class CarryOut>
  void connect_for(Machine& machine, CarryOut carry_out) {
    connect([&machine, carry_out](std::optional<net::pg_error> error) {
      if (error)
        return carry_out(
          machine.on_connect_failed(protocol::classify_connect_failure(error->message), error->message));
      carry_out(machine.on_connected());
    });
  }
  template <class Machine, class CarryOut>
  void read_states_for(Machine& machine, CarryOut carry_out) {
    execute(protocol::read_node_states(), [&machine, carry_out](net::pg_outcome outcome) {
      if (outcome.rows)
        return carry_out(machine.on_states(protocol::read_node_states(*outcome.rows)));
      if (outcome.error.what == net::pg_error::kind::statement)
        return carry_out(machine.on_read_refused(protocol::classify_read_failure(outcome.error.sqlstate),
                                                 outcome.error.message));
      carry_out(machine.on_lost(outcome.error.message));
    });
  }
  // Until close().
  void run();
  void close();

private:
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_{io_};
  std::shared_ptr<net::pg_connection> connection_;
};

// A command beside the sidecar: its machine (connect, read_states, ...,
// then the derived run's own commands, each carried out by a step()
// overload of Derived) run to its end over one session.
template <class Derived, class Machine>
class command_run {
public:
  // Until the machine is done; the status it ended with.
  int run() {
    carry_out(machine_.start());
    session_.run();
    return status_;
  }

protected:
  command_run(const config::settings& config, Machine machine) : session_(config), machine_(std::move(machine)) {}

  void carry_out(const typename Machine::commands& commands) {
    for (const auto& command : commands)
      std::visit([this](const auto& c) { static_cast<Derived*>(this)->step(c); }, command);
  }

  void step(const typename Machine::connect&) {
    session_.connect_for(machine_, [this](const typename Machine::commands& next) { carry_out(next); });
  }

  void step(const typename Machine::read_states&) {
    session_.read_states_for(machine_, [this](const typename Machine::commands& next) { carry_out(next); });
  }

  void finish(int status) {
    status_ = status;
    session_.close();
  }

  coordinator_session session_;
  Machine machine_;

private:
  int status_ = 1;
};

// "dockercloud-workerlistgen COMMAND: WHAT: WHY", or with `json`
// {"error":WHAT,"reason":WHY}; every one of `secrets` taken out of WHY.
std::string failure_line(std::string_view command, std::string_view what, std::string why, bool json,
                         const std::vector<std::string>& secrets);

} // namespace wlg::app
