#include "bench/citus_membership.hpp"

#include "bench/scenario.hpp"
#include "test/support/citus_kit.hpp"
#include "test/support/process.hpp"

#include <libpq-fe.h>

#include <stdexcept>
#include <sys/stat.h>
#include <thread>

namespace wlg::bench {

namespace {

using namespace std::chrono_literals;

test::run_result script(const std::string& path, std::vector<std::string> args) {
  args.insert(args.begin(), path);
  return test::run_to_completion({"/bin/bash", std::move(args), {}, {}, {}}, std::chrono::minutes(3));
}

// The coordinator, on a warm connection of the benchmark's own.
class coordinator {
public:
  explicit coordinator(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK)
      throw std::runtime_error(std::string{"cannot connect to the coordinator: "} + PQerrorMessage(conn_));
  }
  ~coordinator() { PQfinish(conn_); }
  coordinator(const coordinator&) = delete;
  coordinator& operator=(const coordinator&) = delete;

  std::string value(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(res);
    std::string out = status == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "";
    const std::string error = PQresultErrorMessage(res);
    PQclear(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
      throw std::runtime_error(sql + ": " + error);
    return out;
  }

  bool has_node(const std::string& name) {
    return value("SELECT count(*) FROM pg_dist_node WHERE nodename = '" + name + "'") == "1";
  }

  // Polls until the node is there (or gone); the time it was first seen.
  std::int64_t wait_for(const std::string& name, bool present, std::chrono::seconds timeout = 30s) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
      if (has_node(name) == present)
        return monotonic_ns();
      std::this_thread::sleep_for(200us);
    }
    throw std::runtime_error("node " + name + (present ? " never appeared" : " never went"));
  }

private:
  PGconn* conn_;
};

double ms(std::int64_t from, std::int64_t to) { return static_cast<double>(to - from) / 1e6; }

struct cluster {
  std::string dir;
  int port;
  ~cluster() { test::citus_cluster_script({"stop", dir}, std::chrono::minutes(3)); }
  std::string conninfo() const { return "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=postgres"; }
};

} // namespace

void measure_citus(report& out, int changes, const std::string& scratch) {
  if (auto why = test::citus_unavailable()) {
    std::printf("Citus figures skipped: %s\n", why->c_str());
    return;
  }
  ::chmod(scratch.c_str(), 0755);
  cluster c{scratch + "/citus", 56000 + static_cast<int>(::getpid() % 1000)};
  const auto started = test::citus_cluster_script({"start", c.dir, "2", std::to_string(c.port)}, std::chrono::minutes(3));
  if (started.status != 0)
    throw std::runtime_error("the Citus cluster did not start: " + started.output);
  coordinator db{c.conninfo()};
  const std::string w1 = "127.0.0.2", w2 = "127.0.0.3";
  const auto port = std::to_string(c.port);

  // The floor: citus_add_node alone, on a warm connection.
  std::vector<double> floor;
  for (int i = 0; i < changes; ++i) {
    const auto before = monotonic_ns();
    db.value("SELECT citus_add_node('" + w2 + "', " + port + ")");
    floor.push_back(ms(before, monotonic_ns()));
    db.value("SELECT citus_remove_node('" + w2 + "', " + port + ")");
  }

  // Event -> node added: Docker Cloud (the emulator) links the sidecar to a
  // worker by its address; the sidecar adds it.
  std::vector<double> event_to_node;
  {
    emulator_process emu{{"--workers", "0"}};
    auto env = emu.sidecar_env();
    env["WORKERLISTGEN_TARGET"] = "citus";
    env["WORKERLISTGEN_COORDINATOR"] = c.conninfo();
    env["WORKERLISTGEN_WORKER_PORT"] = port;
    sidecar_process side{env, scratch + "/citus-conf"};
    std::this_thread::sleep_for(1s); // connected and synced (nothing to add)
    for (int i = 0; i < changes; ++i) {
      emu.control("/rest/links", "[]");
      emu.control("/emit?kind=unrelated&count=1");
      db.wait_for(w1, false);
      std::this_thread::sleep_for(20ms);
      emu.control("/rest/links", "[\"" + w1 + "\"]");
      const auto before = monotonic_ns();
      emu.control("/emit?kind=unrelated&count=1");
      event_to_node.push_back(ms(before, db.wait_for(w1, true)));
    }
  }
  const double floor_median = percentile(floor, 50);
  const double event_median = percentile(event_to_node, 50);
  out.check("citus: event -> node in pg_dist_node, median, vs floor", "<= 3x", event_median / floor_median, "x",
            event_median / floor_median <= 3,
            format_number(event_median / floor_median, 2) + "x (" + format_number(event_median, 2) + " vs "
              + format_number(floor_median, 2) + " ms)");
  out.note("  floor: one citus_add_node on a warm connection, median", floor_median, "ms");
  out.note("  event -> node, p99", percentile(event_to_node, 99), "ms");

  // Container start -> node added: engine mode on podman's engine.
  const std::string engine_script = std::string{WLG_SOURCE_DIR} + "/scripts/podman-engine.sh";
  const std::string engine_dir = scratch + "/engine";
  if (script(engine_script, {"start", engine_dir, "citus", "master"}).status != 0) {
    std::printf("citus: container start -> node skipped: podman's engine did not start\n");
    return;
  }
  std::vector<double> start_to_node, podman_run;
  {
    env_map env{{"WORKERLISTGEN_SOURCE", "engine"},
                {"DOCKER_HOST", "unix://" + engine_dir + "/docker.sock"},
                {"DOCKERCLOUD_STACK_NAME", "citus"},
                {"WORKERLISTGEN_TARGET", "citus"},
                {"WORKERLISTGEN_COORDINATOR", c.conninfo()},
                {"WORKERLISTGEN_WORKER_NAME", "label:citus.address"},
                {"WORKERLISTGEN_WORKER_PORT", port}};
    sidecar_process side{env, scratch + "/citus-conf"};
    std::this_thread::sleep_for(1s);
    const int runs = std::max(3, changes / 4); // a container start costs podman about a second
    for (int i = 0; i < runs; ++i) {
      const auto name = "citus_worker_" + std::to_string(i);
      const auto before = monotonic_ns();
      script(engine_script, {"run", engine_dir, name, "com.citusdata.role=Worker",
                             "com.docker.compose.project=citus", "citus.address=" + w2});
      const auto returned = monotonic_ns();
      const auto seen = db.wait_for(w2, true);
      start_to_node.push_back(ms(before, seen));
      podman_run.push_back(ms(before, returned));
      script(engine_script, {"stop-container", engine_dir, name});
      db.wait_for(w2, false);
    }
  }
  script(engine_script, {"stop", engine_dir});
  out.note("citus: container start (podman run) -> node in pg_dist_node, median", percentile(start_to_node, 50), "ms");
  out.note("  of which podman run itself, median", percentile(podman_run, 50), "ms");
}

} // namespace wlg::bench
