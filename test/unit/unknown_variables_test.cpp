#include "config/unknown_variables.hpp"

#include <doctest/doctest.h>

using namespace wlg::config;

TEST_CASE("a misspelled WORKERLISTGEN_ variable is named, with the setting it was probably meant to be") {
  const environment env{{"WORKERLISTGEN_TARGE", "citus"}, {"WORKERLISTGEN_TARGET", "file"}};
  const auto unknown = unknown_variables(env);
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].name == "WORKERLISTGEN_TARGE");
  CHECK(unknown[0].closest == "WORKERLISTGEN_TARGET");
  CHECK(describe(unknown[0])
        == "WORKERLISTGEN_TARGE is not a setting and is ignored; did you mean WORKERLISTGEN_TARGET?");
}

TEST_CASE("known variables, the _FILE forms and other prefixes are not warned about") {
  const environment env{{"WORKERLISTGEN_LISTEN", "127.0.0.1:9753"},
                        {"WORKERLISTGEN_COORDINATOR_FILE", "/run/secrets/coordinator"},
                        {"WORKERLISTGEN_LISTEN_CONNECTIONS", "8"},
                        {"DOCKERCLOUD_SERVICE_HOSTNAME", "x"},
                        {"CITUS_HOST", "master"},
                        {"PATH", "/usr/bin"}};
  CHECK(unknown_variables(env).empty());
}

TEST_CASE("a variable near no setting is named without a guess") {
  const environment env{{"WORKERLISTGEN_MY_OWN_THING", "1"}};
  const auto unknown = unknown_variables(env);
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].closest.empty());
  CHECK(describe(unknown[0]) == "WORKERLISTGEN_MY_OWN_THING is not a setting and is ignored");
}

TEST_CASE("the nearest of several candidates is the one suggested") {
  const auto unknown = unknown_variables({{"WORKERLISTGEN_POL_INTERVAL", "5s"}});
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].closest == "WORKERLISTGEN_POLL_INTERVAL");
}
