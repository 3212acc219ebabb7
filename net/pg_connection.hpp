#pragma once

// One PostgreSQL connection through libpq's non-blocking API, driven by the
// I/O thread: the socket libpq uses is waited on with Asio, so no thread ever
// blocks on the database. One statement at a time. Errors are values.

#include "protocol/citus_rows.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace wlg::net {

struct pg_error {
  enum class kind {
    connect,   // the connection could not be made (refused, starting up, authentication)
    statement, // the statement failed; the connection is fine
    lost,      // the connection broke or timed out
  };
  kind what = kind::connect;
  std::string message;  // libpq's, first line
  std::string sqlstate; // a failed statement's SQLSTATE ("42P01"), when the server gave one
  friend bool operator==(const pg_error&, const pg_error&) = default;
};

// Text values, row by row; a NULL is nullopt.
using pg_rows = protocol::text_rows;

struct pg_outcome {
  std::optional<pg_rows> rows; // set on success
  pg_error error;              // otherwise
  friend bool operator==(const pg_outcome&, const pg_outcome&) = default;
};

class pg_connection {
public:
  virtual ~pg_connection() = default;
  // Both thread-safe; `done` runs on the I/O thread, once. A statement sent
  // while another runs waits for it.
  virtual void connect(std::function<void(std::optional<pg_error>)> done) = 0;
  virtual void execute(std::string sql, std::vector<std::string> params, std::function<void(pg_outcome)> done) = 0;
  // Thread-safe. Drops the connection without calling any handler.
  virtual void close() = 0;
};

// A notice or warning the server sent (libpq's notice processor), on the I/O
// thread: its severity ("WARNING") and its first line, without the severity.
using pg_notice_handler = std::function<void(std::string severity, std::string message)>;

// Each step (connecting, a statement) must finish within `timeout`. Without
// `on_notice`, notices are dropped (libpq would print them on stderr).
std::shared_ptr<pg_connection> make_pg_connection(boost::asio::io_context& io, std::string conninfo,
                                                  std::chrono::milliseconds timeout,
                                                  pg_notice_handler on_notice = {});

} // namespace wlg::net
