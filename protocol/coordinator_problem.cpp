#include "protocol/coordinator_problem.hpp"

namespace wlg::protocol {

namespace {

bool says(std::string_view message, std::string_view what) {
  return message.find(what) != std::string_view::npos;
}

} // namespace

coordinator_problem classify_connect_failure(std::string_view message) {
  // The most telling first: with several hosts, one may refuse and another
  // reject the password.
  if (says(message, "password authentication failed"))
    return coordinator_problem::wrong_password;
  if (says(message, "no password supplied"))
    return coordinator_problem::no_password;
  if (says(message, "FATAL:  database \"") && says(message, "\" does not exist"))
    return coordinator_problem::no_database;
  if (says(message, "the database system is starting up") || says(message, "the database system is shutting down")
      || says(message, "the database system is in recovery mode"))
    return coordinator_problem::starting_up;
  if (says(message, "Connection refused") || says(message, "timeout expired") || says(message, "timed out")
      || says(message, "could not translate host name") || says(message, "No route to host")
      || says(message, "Network is unreachable") || says(message, "No such file or directory"))
    return coordinator_problem::unreachable;
  return coordinator_problem::other;
}

coordinator_problem classify_read_failure(std::string_view sqlstate) {
  // 42P01 undefined_table (pg_dist_node), 3F000 invalid_schema_name.
  if (sqlstate == "42P01" || sqlstate == "3F000")
    return coordinator_problem::no_citus;
  return coordinator_problem::other;
}

std::string_view describe(coordinator_problem p) {
  switch (p) {
    case coordinator_problem::none: return "the coordinator is in use";
    case coordinator_problem::unreachable: return "cannot reach the coordinator (is it running, and is the host right?)";
    case coordinator_problem::starting_up: return "the coordinator is starting up";
    case coordinator_problem::wrong_password:
      return "the coordinator refused the password (check PGPASSWORD, PGPASSFILE or the connection string)";
    case coordinator_problem::no_password:
      return "the coordinator wants a password and none was given (set PGPASSWORD or PGPASSFILE)";
    case coordinator_problem::no_database:
      return "the coordinator has no such database (check dbname in the connection string)";
    case coordinator_problem::no_citus:
      return "the coordinator's database has no Citus extension (run CREATE EXTENSION citus in it)";
    case coordinator_problem::other: return "the coordinator refused the connection";
  }
  return "";
}

} // namespace wlg::protocol
