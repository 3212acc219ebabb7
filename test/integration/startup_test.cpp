// The sidecar refuses bad configurations with exit status 2, one line on
// stderr naming the setting, and nothing written.

#include "test/support/bad_setting.hpp"
#include "test/support/fixtures.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace wlg::test;

namespace {

env_map cloud_env(const std::string& dir) {
  return {{"DOCKERCLOUD_CONTAINER_API_URI", "/api/app/v1/container/c1dd/"},
          {"DOCKERCLOUD_SERVICE_API_URI", "/api/app/v1/service/adee/"},
          {"DOCKERCLOUD_AUTH", "TutumAccessKey 0123456789abcdef"},
          {"CITUS_CONFDIR", dir + "/citus"},
          {"WORKERLISTGEN_PID_FILE", dir + "/wlg.pid"}};
}

struct refusal {
  int status;
  std::string output;
};

refusal run_sidecar(const env_map& env, std::vector<std::string> args = {},
                    std::optional<uid_t> as = std::nullopt) {
  auto result = run_to_completion({bin_path("dockercloud-workerlistgen"), std::move(args), env, {}, as},
                                  std::chrono::seconds(10));
  return {result.status, result.output};
}

void check_refused(const refusal& r, const std::string& expected, const std::string& dir) {
  CAPTURE(r.output);
  CHECK(r.status == 2);
  CHECK(r.output.find(expected) != std::string::npos);
  // One line, nothing else.
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
  CHECK_FALSE(read_file(dir + "/wlg.pid").has_value());
  CHECK_FALSE(read_file(dir + "/citus/pg_worker_list.conf").has_value());
}

} // namespace

TEST_CASE("with an empty environment it is not running in Docker Cloud, exit 2") {
  auto r = run_sidecar({});
  CAPTURE(r.output);
  CHECK(r.status == 2);
  CHECK(r.output.find("is not running in Docker Cloud") != std::string::npos);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
}

TEST_CASE("each configuration error exits 2 with its own message and writes nothing") {
  temp_dir dir;
  ::mkdir((dir.path() + "/citus").c_str(), 0755);
  const wlg::test::bad_setting cases[] = {
    {"DOCKERCLOUD_AUTH", "", "give an API role to this service"},
    {"DOCKERCLOUD_CONTAINER_API_URI", "not a uri", "invalid DOCKERCLOUD_CONTAINER_API_URI"},
    {"DOCKERCLOUD_REST_HOST", "ftp://x/", "invalid DOCKERCLOUD_REST_HOST"},
    {"WORKERLISTGEN_WORKER_PORT", "70000", "invalid WORKERLISTGEN_WORKER_PORT"},
    {"WORKERLISTGEN_SIGNAL", "SIGNOPE", "invalid WORKERLISTGEN_SIGNAL"},
    {"DOCKER_HOST", "tcp://127.0.0.1:2375", "invalid DOCKER_HOST"},
    {"CITUS_CONFDIR", "/nonexistent/citus", "invalid CITUS_CONFDIR (--citus-confdir): '/nonexistent/citus' does not exist"},
    {"WORKERLISTGEN_INJECT_FAULT", "file_writer:crash", "invalid WORKERLISTGEN_INJECT_FAULT"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.env);
    auto env = cloud_env(dir.path());
    env[c.env] = c.value;
    check_refused(run_sidecar(env), c.expected, dir.path());
  }
}

TEST_CASE("a CITUS_CONFDIR that is a file, or not writable, is refused") {
  temp_dir dir;
  ::mkdir((dir.path() + "/citus").c_str(), 0755);
  auto env = cloud_env(dir.path());
  write_file(dir.path() + "/plain-file", "x");
  env["CITUS_CONFDIR"] = dir.path() + "/plain-file";
  check_refused(run_sidecar(env), "is not a directory", dir.path());

  // Root may write anywhere, so run as nobody against a root-owned directory.
  env = cloud_env(dir.path());
  env["WORKERLISTGEN_PID_FILE"] = "/tmp/wlg-nobody-" + std::to_string(::getpid()) + ".pid";
  auto r = run_sidecar(env, {}, uid_t{65534});
  CAPTURE(r.output);
  CHECK(r.status == 2);
  CHECK(r.output.find("invalid CITUS_CONFDIR (--citus-confdir)") != std::string::npos);
  CHECK(r.output.find("is not writable") != std::string::npos);
}

TEST_CASE("unknown flags and flag values are checked like the environment") {
  temp_dir dir;
  ::mkdir((dir.path() + "/citus").c_str(), 0755);
  check_refused(run_sidecar(cloud_env(dir.path()), {"--frobnicate"}), "unknown option '--frobnicate'",
                dir.path());
  check_refused(run_sidecar(cloud_env(dir.path()), {"--worker-port=0"}), "invalid WORKERLISTGEN_WORKER_PORT",
                dir.path());
  check_refused(run_sidecar(cloud_env(dir.path()), {"--signal", "HANGUP"}), "invalid WORKERLISTGEN_SIGNAL",
                dir.path());
}

TEST_CASE("an unwritable PID file is a configuration error") {
  temp_dir dir;
  ::mkdir((dir.path() + "/citus").c_str(), 0755);
  auto env = cloud_env(dir.path());
  env["WORKERLISTGEN_PID_FILE"] = "/nonexistent/dir/wlg.pid";
  auto r = run_sidecar(env);
  CAPTURE(r.output);
  CHECK(r.status == 2);
  CHECK(r.output.find("invalid WORKERLISTGEN_PID_FILE") != std::string::npos);
}

TEST_CASE("--help lists every setting and --version the libraries") {
  auto help = run_sidecar({}, {"--help"});
  CHECK(help.status == 0);
  for (const char* s : {"DOCKERCLOUD_CONTAINER_API_URI", "CITUS_CONFDIR", "default /etc/citus",
                        "DOCKER_HOST", "default unix:///tmp/docker.sock", "WORKERLISTGEN_PID_FILE",
                        "default /tmp/dockercloud-workerlistgen.pid", "--worker-port", "default 5432",
                        "--signal", "default SIGHUP"}) {
    CAPTURE(s);
    CHECK(help.output.find(s) != std::string::npos);
  }
  auto version = run_sidecar({}, {"--version"});
  CHECK(version.status == 0);
  for (const char* s : {"dockercloud-workerlistgen 1.0.0", "CAF 0.17", "Boost 1.81", "simdjson 3",
                        "spdlog 1.10", "OpenSSL 3"}) {
    CAPTURE(s);
    CHECK(version.output.find(s) != std::string::npos);
  }
}
