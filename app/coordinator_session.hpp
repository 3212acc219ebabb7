#pragma once

// What the commands beside the sidecar share: one libpq connection to
// --coordinator (net/pg_connection) on an io_context that the command's own
// thread runs until the command is done, a timer, and the one line a command
// prints when it fails.

#include "config/settings.hpp"
#include "net/pg_connection.hpp"
#include "protocol/citus_sql.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wlg::app {

class coordinator_session {
public:
  explicit coordinator_session(const config::settings& config);

  // Each `done` runs on the thread in run().
  void connect(std::function<void(std::optional<net::pg_error>)> done);
  void execute(const protocol::sql_statement& statement, std::function<void(net::pg_outcome)> done);
  void after(std::chrono::milliseconds delay, std::function<void()> done);
  // Until close().
  void run();
  void close();

private:
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_{io_};
  std::shared_ptr<net::pg_connection> connection_;
};

// "dockercloud-workerlistgen COMMAND: WHAT: WHY", or with `json`
// {"error":WHAT,"reason":WHY}; every one of `secrets` taken out of WHY.
std::string failure_line(std::string_view command, std::string_view what, std::string why, bool json,
                         const std::vector<std::string>& secrets);

} // namespace wlg::app
