// The start-up checks the pure parser leaves to app/: the coordinator's
// connection string through libpq, and CITUS_CONFDIR on the file system.
// A binary of its own, so that the parser's tests do not load libpq.

#include "app/conninfo.hpp"
#include "app/secret_files.hpp"
#include "app/startup_checks.hpp"
#include "test/support/files.hpp"

#include <doctest/doctest.h>

using namespace wlg;
using namespace wlg::app;

namespace {

config::settings parsed(config::environment env) {
  env.emplace("DOCKERCLOUD_CONTAINER_API_URI", "/api/app/v1/container/c1dd/");
  env.emplace("DOCKERCLOUD_SERVICE_API_URI", "/api/app/v1/service/adee/");
  env.emplace("DOCKERCLOUD_AUTH", "TutumAccessKey 0123abcd");
  auto out = config::parse_configuration(env, {});
  REQUIRE(out.has_value());
  return out->config;
}

// What the start-up checks say of --target=citus with this coordinator string.
std::string citus_coordinator_error(const char* conninfo) {
  test::temp_dir dir;
  const auto problem = check_environment(parsed(
    {{"WORKERLISTGEN_TARGET", "citus"}, {"WORKERLISTGEN_COORDINATOR", conninfo}, {"CITUS_CONFDIR", dir.path()}}));
  REQUIRE(problem.has_value());
  return config::describe(*problem);
}

} // namespace

TEST_CASE("with --target=citus, a malformed coordinator string is refused in one line naming the setting, never its password") {
  const char* const malformed[] = {"host=master nonsense", "mysql://master/", "host=db password=hunter2secret bogus",
                                   "postgresql://u:hunter2secret@db/app?bogus=1"};
  for (const char* conninfo : malformed) {
    CAPTURE(conninfo);
    const auto text = citus_coordinator_error(conninfo);
    CHECK(text.find("invalid WORKERLISTGEN_COORDINATOR (--coordinator): ") != std::string::npos);
    CHECK(text.find('\n') == std::string::npos);
    CHECK(text.find("hunter2secret") == std::string::npos);
  }
  // The parser does not look at it (libpq is loaded only at start-up), and
  // the file target does not use it.
  test::temp_dir dir;
  const auto file_target =
    parsed({{"WORKERLISTGEN_COORDINATOR", "host=master nonsense"}, {"CITUS_CONFDIR", dir.path()}});
  CHECK_FALSE(check_environment(file_target).has_value());
}

TEST_CASE("a URI that does not parse says why, with its password masked") {
  const auto text = citus_coordinator_error("postgresql://u:hunter2secret@[db/app");
  CHECK(text.find("IPv6 host address") != std::string::npos); // libpq's reason
  CHECK(text.find("hunter2secret") == std::string::npos);
  CHECK(text.find("postgresql://u:***@[db/app") != std::string::npos);
  const auto pair = citus_coordinator_error("host=db password='hunter2 secret' bogus");
  CHECK(pair.find("hunter2") == std::string::npos);
  CHECK(pair.find("bogus") != std::string::npos);
}

TEST_CASE("a port libpq cannot use is refused at start-up, like a string it cannot parse") {
  for (const char* conninfo : {"host=db port=notaport", "host=a,b port=5432,0", "postgresql://db:99999/app",
                               "postgresql://u:hunter2secret@db/app?port=x"}) {
    CAPTURE(conninfo);
    const auto text = citus_coordinator_error(conninfo);
    CHECK(text.find("invalid WORKERLISTGEN_COORDINATOR (--coordinator): ") != std::string::npos);
    CHECK(text.find("is not a number from 1 to 65535") != std::string::npos);
    CHECK(text.find("hunter2secret") == std::string::npos);
  }
  const auto settings = parsed({{"WORKERLISTGEN_TARGET", "citus"},
                                {"WORKERLISTGEN_COORDINATOR", "host=a,b port=5432,6432 target_session_attrs=read-write"}});
  CHECK_FALSE(check_environment(settings).has_value());
}

TEST_CASE("a well-formed coordinator string passes, and needs no CITUS_CONFDIR") {
  const auto settings = parsed({{"WORKERLISTGEN_TARGET", "citus"},
                                {"WORKERLISTGEN_COORDINATOR", "postgresql://postgres@db:6432/app?sslmode=require"},
                                {"CITUS_CONFDIR", "/nonexistent"}});
  CHECK_FALSE(check_environment(settings).has_value());
}

TEST_CASE("the password a coordinator string carries is known, for the log's redaction") {
  CHECK(conninfo_password("host=db password=hunter2secret") == "hunter2secret");
  CHECK(conninfo_password("postgresql://u:hunter2secret@db/app") == "hunter2secret");
  CHECK_FALSE(conninfo_password("host=db").has_value());
}

TEST_CASE("the file target needs an existing CITUS_CONFDIR") {
  const auto problem = check_environment(parsed({{"CITUS_CONFDIR", "/nonexistent/confdir"}}));
  REQUIRE(problem.has_value());
  CHECK(config::describe(*problem).find("CITUS_CONFDIR (--citus-confdir)") != std::string::npos);
}

TEST_CASE("WORKERLISTGEN_COORDINATOR_FILE and DOCKERCLOUD_AUTH_FILE are read from their files, one newline dropped") {
  test::temp_dir dir;
  test::write_file(dir.path() + "/coordinator", "host=master user=postgres password=s3cret\n");
  test::write_file(dir.path() + "/auth", "TutumAccessKey 0123abcd");
  config::environment env{{"WORKERLISTGEN_COORDINATOR_FILE", dir.path() + "/coordinator"},
                          {"DOCKERCLOUD_AUTH_FILE", dir.path() + "/auth"}};
  REQUIRE_FALSE(read_secret_files(env).has_value());
  CHECK(env.at("WORKERLISTGEN_COORDINATOR") == "host=master user=postgres password=s3cret");
  CHECK(env.at("DOCKERCLOUD_AUTH") == "TutumAccessKey 0123abcd");
}

TEST_CASE("a secret file that is missing or empty, or given beside its variable, is a configuration error naming it") {
  test::temp_dir dir;
  test::write_file(dir.path() + "/empty", "\n");
  const auto error_of = [](config::environment env) {
    auto problem = read_secret_files(env);
    REQUIRE(problem.has_value());
    return config::describe(*problem);
  };
  CHECK(error_of({{"WORKERLISTGEN_COORDINATOR_FILE", dir.path() + "/none"}})
        == "dockercloud-workerlistgen: invalid WORKERLISTGEN_COORDINATOR_FILE: cannot read " + dir.path()
             + "/none: No such file or directory");
  CHECK(error_of({{"DOCKERCLOUD_AUTH_FILE", dir.path() + "/empty"}})
        == "dockercloud-workerlistgen: invalid DOCKERCLOUD_AUTH_FILE: " + dir.path() + "/empty is empty");
  const auto both = error_of({{"WORKERLISTGEN_COORDINATOR_FILE", dir.path() + "/empty"},
                              {"WORKERLISTGEN_COORDINATOR", "host=master"}});
  CHECK(both.find("set WORKERLISTGEN_COORDINATOR or WORKERLISTGEN_COORDINATOR_FILE, not both") != std::string::npos);
}

namespace {

// The warnings for a command (`status`, which needs no more settings than these) run so.
std::vector<std::string> warnings_for(const config::environment& env, std::vector<std::string> args) {
  args.insert(args.begin(), "status");
  const auto parsed = config::parse_configuration(env, args);
  REQUIRE(parsed.has_value());
  return startup_warnings(env, *parsed);
}

} // namespace

TEST_CASE("start-up warns of a misspelled variable and of a password on the command line, not of one elsewhere") {
  const auto warnings = warnings_for({{"WORKERLISTGEN_TARGE", "citus"}},
                                     {"--coordinator=host=master password=hunter2 user=postgres"});
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].find("did you mean WORKERLISTGEN_TARGET?") != std::string::npos);
  CHECK(warnings[1].find("PGPASSFILE") != std::string::npos);
  CHECK(warnings[1].find("WORKERLISTGEN_COORDINATOR_FILE") != std::string::npos);
  CHECK(warnings[1].find("hunter2") == std::string::npos);
  CHECK(warnings_for({{"WORKERLISTGEN_COORDINATOR", "host=master password=hunter2"}},
                     {"--coordinator", "host=master user=postgres"})
          .empty());
  CHECK(warnings_for({}, {"--coordinator", "postgresql://u:hunter2@master/db"}).size() == 1);
}
