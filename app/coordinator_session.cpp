#include "app/coordinator_session.hpp"

#include "config/configuration.hpp"
#include "protocol/node_status_text.hpp"
#include "runtime/logging.hpp"

namespace wlg::app {

coordinator_session::coordinator_session(const config::settings& config)
  : connection_(net::make_pg_connection(io_, config.coordinator.reveal(), config.request_timeout)) {}

void coordinator_session::connect(std::function<void(std::optional<net::pg_error>)> done) {
  connection_->connect(std::move(done));
}

void coordinator_session::execute(const protocol::sql_statement& statement, std::function<void(net::pg_outcome)> done) {
  connection_->execute(std::string{statement.text}, statement.params, std::move(done));
}

void coordinator_session::after(std::chrono::milliseconds delay, std::function<void()> done) {
  timer_.expires_after(delay);
  timer_.async_wait([done = std::move(done)](const boost::system::error_code& ec) {
    if (!ec)
      done();
  });
}

void coordinator_session::run() { io_.run(); }

void coordinator_session::close() {
  timer_.cancel();
  connection_->close();
}

std::string failure_line(std::string_view command, std::string_view what, std::string why, bool json,
                         const std::vector<std::string>& secrets) {
  runtime::redact(why, secrets);
  if (json)
    return protocol::status_error_json(what, why);
  return std::string{config::command_name} + " " + std::string{command} + ": " + std::string{what}
         + (why.empty() ? "" : ": " + why) + "\n";
}

} // namespace wlg::app
