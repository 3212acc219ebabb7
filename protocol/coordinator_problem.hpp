#pragma once

// What keeps the sidecar from using the Citus coordinator, named as what it
// is, so that the log, /healthz and --once can say how to fix it. Pure: from
// libpq's messages and the server's SQLSTATE.

#include <array>
#include <cstddef>
#include <string_view>

namespace wlg::protocol {

enum class coordinator_problem : unsigned char {
  none,
  unreachable,    // refused, timed out, no such host
  starting_up,    // the database system is starting up or shutting down
  wrong_password, // password authentication failed
  no_password,    // the server wants one, none was given
  no_database,    // the database in the connection string does not exist
  no_citus,       // the database has no Citus extension
  other,
};

inline constexpr std::array<std::string_view, 8> coordinator_problem_names = {
  "none", "unreachable", "starting_up", "wrong_password", "no_password", "no_database", "no_citus", "other"};

constexpr std::string_view name_of(coordinator_problem p) {
  return coordinator_problem_names[static_cast<std::size_t>(p)];
}

// A failed connection, by libpq's message (every line of it: with several
// hosts each has its own).
coordinator_problem classify_connect_failure(std::string_view message);

// A failed read of pg_dist_node, by its SQLSTATE: an undefined table or
// function there means the database has no Citus extension.
coordinator_problem classify_read_failure(std::string_view sqlstate);

// For the operator: what it is and how to fix it, without the server's words.
std::string_view describe(coordinator_problem p);

} // namespace wlg::protocol
