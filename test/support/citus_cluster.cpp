#include "test/support/citus_cluster.hpp"

#include "test/support/citus_kit.hpp"
#include "test/support/fixtures.hpp"
#include "test/support/http_client.hpp"
#include "test/support/process.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <sys/stat.h>

namespace wlg::test {

namespace {

run_result cluster_script(std::vector<std::string> args) {
  return citus_cluster_script(std::move(args), std::chrono::minutes(2));
}

// test/support/citus-from-template.sh: instances copied from ones made once.
run_result template_script(std::vector<std::string> args) {
  return run_to_completion({std::string{WLG_SOURCE_DIR} + "/test/support/citus-from-template.sh", std::move(args),
                            {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"WLG_CITUS_KIT", citus_kit()}}, {}, {}},
                           std::chrono::minutes(3));
}

} // namespace

citus_cluster::citus_cluster(int workers) {
  ::chmod(dir_.path().c_str(), 0755); // the instances run as the postgres user
  port_ = unused_tcp_port();
  const auto started = template_script({"start", dir_.path() + "/cluster", std::to_string(workers), std::to_string(port_)});
  REQUIRE_MESSAGE(started.status == 0, "the Citus cluster did not start: " << started.output);
}

citus_cluster::~citus_cluster() {
  cluster_script({"stop", dir_.path() + "/cluster"});
}

std::string citus_cluster::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

std::optional<std::string> citus_cluster::sql(const std::string& statement, int node) const {
  const auto host = node == 0 ? std::string{"127.0.0.1"} : worker(node);
  const auto run = run_to_completion(
    {"/usr/bin/psql", {"-h", host, "-p", std::to_string(port_), "-U", "postgres", "-qAtX", "-v", "ON_ERROR_STOP=1",
                       "-c", statement}, {{"PATH", "/usr/bin:/bin"}}, {}, {}},
    std::chrono::minutes(1));
  if (run.status != 0)
    return std::nullopt;
  return run.output;
}

std::set<std::string> citus_cluster::worker_nodes() const {
  std::set<std::string> out;
  std::istringstream lines{sql("SELECT nodename FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary'")
                             .value_or("")};
  for (std::string line; std::getline(lines, line);)
    if (!line.empty())
      out.insert(line);
  return out;
}

void citus_cluster::require_password(const std::string& user, const std::string& password) {
  REQUIRE(sql("CREATE ROLE " + user + " LOGIN SUPERUSER PASSWORD '" + password + "'"));
  const auto hba = dir_.path() + "/cluster/coord/pg_hba.conf";
  const auto rules = read_file(hba);
  REQUIRE(rules);
  write_file(hba, "host all " + user + " 127.0.0.1/32 scram-sha-256\n" + *rules);
  REQUIRE(sql("SELECT pg_reload_conf()"));
}

void citus_cluster::stop_node(const std::string& name) {
  const auto run = cluster_script({"stop-node", dir_.path() + "/cluster", name});
  REQUIRE_MESSAGE(run.status == 0, run.output);
}

void citus_cluster::start_node(const std::string& name) {
  const auto run = cluster_script({"start-node", dir_.path() + "/cluster", name});
  REQUIRE_MESSAGE(run.status == 0, run.output);
}

void citus_cluster::empty_worker(int i) {
  const auto name = "w" + std::to_string(i);
  stop_node(name);
  const auto made = template_script({"fresh", dir_.path() + "/cluster", name, std::to_string(port_)});
  REQUIRE_MESSAGE(made.status == 0, made.output);
  start_node(name);
}

void citus_cluster::restore_worker(int i) {
  const auto name = "w" + std::to_string(i);
  const auto data = dir_.path() + "/cluster/" + name;
  stop_node(name);
  const auto moved = run_to_completion(
    {"/bin/sh", {"-c", "set -e; rm -rf '" + data + "'; mv '" + data + ".kept' '" + data + "'"},
     {{"PATH", "/usr/bin:/bin"}}, {}, {}},
    std::chrono::minutes(1));
  REQUIRE_MESSAGE(moved.status == 0, moved.output);
  start_node(name);
}

} // namespace wlg::test
