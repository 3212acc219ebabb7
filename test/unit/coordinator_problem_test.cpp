// What keeps the sidecar from the coordinator, from libpq's words (PostgreSQL
// 15's) and the server's SQLSTATE.

#include "protocol/coordinator_problem.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wlg::protocol;

TEST_CASE("each connection failure is named by what it is") {
  const std::string at = "connection to server at \"127.0.0.1\", port 5432 failed: ";
  CHECK(classify_connect_failure(at + "FATAL:  password authentication failed for user \"wlg\"")
        == coordinator_problem::wrong_password);
  CHECK(classify_connect_failure(at + "fe_sendauth: no password supplied") == coordinator_problem::no_password);
  CHECK(classify_connect_failure(at + "FATAL:  database \"nope\" does not exist") == coordinator_problem::no_database);
  CHECK(classify_connect_failure(at + "FATAL:  the database system is starting up") == coordinator_problem::starting_up);
  CHECK(classify_connect_failure(at + "Connection refused; Is the server running on that host and accepting TCP/IP "
                                      "connections?")
        == coordinator_problem::unreachable);
  CHECK(classify_connect_failure("could not translate host name \"master\" to address: Name or service not known")
        == coordinator_problem::unreachable);
  CHECK(classify_connect_failure("timeout expired") == coordinator_problem::unreachable);
  CHECK(classify_connect_failure(at + "FATAL:  sorry, too many clients already") == coordinator_problem::other);
}

TEST_CASE("with several hosts, the most telling failure names the problem") {
  CHECK(classify_connect_failure("connection to server at \"127.0.0.99\", port 5432 failed: Connection refused; "
                                 "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password "
                                 "authentication failed for user \"wlg\"")
        == coordinator_problem::wrong_password);
}

TEST_CASE("an undefined pg_dist_node means a database without Citus, other read failures are not named") {
  CHECK(classify_read_failure("42P01") == coordinator_problem::no_citus);
  CHECK(classify_read_failure("57014") == coordinator_problem::other); // canceled
  CHECK(classify_read_failure("") == coordinator_problem::other);
}

TEST_CASE("each problem has a description that says how to fix it, and a metric label") {
  CHECK(describe(coordinator_problem::no_citus).find("CREATE EXTENSION citus") != std::string_view::npos);
  CHECK(describe(coordinator_problem::wrong_password).find("PGPASSWORD") != std::string_view::npos);
  CHECK(describe(coordinator_problem::no_database).find("dbname") != std::string_view::npos);
  CHECK(name_of(coordinator_problem::no_citus) == "no_citus");
  CHECK(coordinator_problem_names.size() == static_cast<std::size_t>(coordinator_problem::other) + 1);
}
