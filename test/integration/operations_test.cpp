// The operator's side: /healthz and /metrics on --listen, --once, --dry-run,
// the JSON log format, and the image's healthcheck script.

#include "test/support/fixtures.hpp"
#include "test/support/metrics_page.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <csignal>
#include <dirent.h>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <vector>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret_token = "0123456789abcdef"; // the emulator's credential

// The emulator's sidecar environment, with the worker list in `confdir` and
// the PID file in `dir`, for runs that do not go through the sidecar fixture.
env_map sidecar_env_in(const emulator& emu, const std::string& dir, const std::string& confdir) {
  auto env = emu.sidecar_env();
  env["CITUS_CONFDIR"] = confdir;
  env["WORKERLISTGEN_PID_FILE"] = dir + "/wlg.pid";
  return env;
}

std::string listen_url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

std::size_t files_in(const std::string& dir) {
  std::size_t n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* entry = ::readdir(d))
      n += entry->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

} // namespace

TEST_CASE("/healthz answers 503 with the reason until synced and connected, then 200") {
  emulator emu;
  emu.control("/rest/fault?mode=status&status=500&count=-1");
  const int port = unused_tcp_port();
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port), "--backoff-initial=100ms",
                                   "--backoff-max=300ms"}};
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status != 0; }, 5s));
  auto health = http_request("GET", listen_url(port) + "/healthz");
  CHECK(health.status == 503);
  CHECK(health.body.find("no successful sync yet") != std::string::npos);

  emu.control("/rest/fault?mode=none");
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 200; }, 5s));
  health = http_request("GET", listen_url(port) + "/healthz");
  CHECK(health.body.find("\"status\":\"ok\"") != std::string::npos);
  CHECK(health.body.find("\"workers\":3") != std::string::npos);

  emu.control("/stream/refuse?status=500&count=-1");
  emu.control("/stream/drop");
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 503; }, 5s));
  CHECK(http_request("GET", listen_url(port) + "/healthz").body.find("event stream not connected")
        != std::string::npos);
  emu.control("/stream/refuse?count=0");
  CHECK(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 200; }, 10s));
}

TEST_CASE("/healthz says 503 with the path and the system's error while the worker list cannot be written, "
          "and 200 once it can") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port), "--backoff-initial=100ms",
                                   "--backoff-max=500ms"}};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 200; }, 5s));
  REQUIRE(::unlink(side.list_path().c_str()) == 0);
  REQUIRE(::mkdir(side.list_path().c_str(), 0755) == 0); // every rename over it fails
  emu.control("/scale?workers=4");
  REQUIRE_MESSAGE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 503; }, 30s),
                  side.log());
  const auto body = http_request("GET", listen_url(port) + "/healthz").body;
  CHECK(body.find("cannot write " + side.list_path() + ": ") != std::string::npos);
  CHECK(body.find("Is a directory") != std::string::npos);
  CHECK(metric(port, "output_failing") == 1);
  REQUIRE(::rmdir(side.list_path().c_str()) == 0);
  CHECK(side.wait_for_list(first_workers(4), 10s));
  CHECK(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 200; }, 10s));
  CHECK(metric(port, "output_failing") == 0);
}

TEST_CASE("/healthz names the engine socket that does not exist") {
  temp_dir dir;
  const int port = unused_tcp_port();
  env_map env{{"CITUS_CONFDIR", dir.path()},
              {"WORKERLISTGEN_PID_FILE", dir.path() + "/wlg.pid"},
              {"WORKERLISTGEN_SOURCE", "engine"},
              {"DOCKERCLOUD_STACK_NAME", "citus"},
              {"DOCKER_HOST", "unix://" + dir.path() + "/no-such.sock"}};
  child_process side{{bin_path("dockercloud-workerlistgen"), {"--listen=127.0.0.1:" + std::to_string(port)}, env,
                      dir.path() + "/sidecar.log", {}}};
  REQUIRE(wait_until([&] {
    return http_request("GET", listen_url(port) + "/healthz").body.find("no-such.sock") != std::string::npos;
  }, 10s));
  const auto health = http_request("GET", listen_url(port) + "/healthz");
  CAPTURE(health.body);
  CHECK(health.status == 503);
  CHECK(health.body.find(dir.path() + "/no-such.sock") != std::string::npos); // the socket, named
  CHECK(health.body.find("No such file or directory") != std::string::npos);
  CHECK(metric(port, "source_failing") == 1);
}

TEST_CASE("the status port answers 404 elsewhere, 405 to other methods, and never shows configuration or credentials") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port)}};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 200; }, 5s));
  for (const char* path : {"/", "/config", "/env", "/healthz/../metrics", "/metrics.json"}) {
    CAPTURE(path);
    CHECK(http_request("GET", listen_url(port) + path).status == 404);
  }
  for (const char* method : {"POST", "PUT", "DELETE"})
    for (const char* path : {"/healthz", "/metrics"}) {
      CAPTURE(method);
      CAPTURE(path);
      const auto answer = http_request(method, listen_url(port) + path);
      CHECK(answer.status == 405);
      CHECK(answer.headers.find("Allow: GET\r\n") != std::string::npos);
    }
  for (const char* path : {"/healthz", "/metrics"}) {
    const auto body = http_request("GET", listen_url(port) + path).body;
    CHECK(body.find(secret_token) == std::string::npos);
    CHECK(body.find("TutumAccessKey") == std::string::npos);
    CHECK(body.find(side.confdir()) == std::string::npos);
  }
}

namespace {

// CPU time (user + system) of a process so far, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::istringstream stat{read_file("/proc/" + std::to_string(pid) + "/stat").value_or("")};
  std::string field;
  long ticks = 0;
  for (int i = 1; i <= 15 && stat >> field; ++i)
    if (i == 14 || i == 15)
      ticks += std::stol(field);
  return ticks;
}

int connect_idle(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

} // namespace

TEST_CASE("400 idle connections on the status port of a process limited to 256 descriptors: it stays calm, "
          "/healthz is answered and a new worker still reaches the file") {
  emulator emu;
  temp_dir dir;
  const int port = unused_tcp_port();
  auto options = process_options{bin_path("dockercloud-workerlistgen"),
                                 {"--listen=127.0.0.1:" + std::to_string(port)},
                                 sidecar_env_in(emu, dir.path(), dir.path()),
                                 dir.path() + "/sidecar.log",
                                 {}};
  options.open_files = 256;
  child_process side{options};
  const auto log = [&] { return read_file(dir.path() + "/sidecar.log").value_or(""); };
  const auto list = [&] { return read_file(dir.path() + "/pg_worker_list.conf").value_or(""); };
  REQUIRE_MESSAGE(wait_until([&] { return list() == first_workers(3); }, 10s), log());

  const auto started = std::chrono::steady_clock::now();
  const long ticks_before = cpu_ticks(side.pid());
  std::vector<int> idle;
  for (int i = 0; i < 400; ++i)
    if (const int fd = connect_idle(port); fd >= 0)
      idle.push_back(fd);
  CHECK(idle.size() == 400); // the kernel's backlog takes them all
  const auto health = http_request("GET", listen_url(port) + "/healthz");
  CHECK(health.status == 200);
  emu.control("/scale?workers=4");
  CHECK_MESSAGE(wait_until([&] { return list() == first_workers(4); }, 10s), log());
  const double seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double cpu_seconds = static_cast<double>(cpu_ticks(side.pid()) - ticks_before)
                             / static_cast<double>(::sysconf(_SC_CLK_TCK));
  CAPTURE(seconds);
  CHECK(cpu_seconds <= 0.5 * seconds + 0.1); // spinning on EMFILE took a whole core; 0.1 s: the clock's ticks
  CHECK(metric(port, "status_connections") <= 64);
  CHECK(metric(port, "status_connections_evicted_total") >= 400 - 64);
  for (const int fd : idle)
    ::close(fd);
}

TEST_CASE("a tight open-file limit lowers the status port's cap so that 64 descriptors stay for the rest") {
  emulator emu;
  temp_dir dir;
  const int port = unused_tcp_port();
  auto options = process_options{bin_path("dockercloud-workerlistgen"),
                                 {"--listen=127.0.0.1:" + std::to_string(port)},
                                 sidecar_env_in(emu, dir.path(), dir.path()),
                                 dir.path() + "/sidecar.log",
                                 {}};
  options.open_files = 100; // 36 for the port
  child_process side{options};
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 200; }, 10s));
  std::vector<int> idle;
  for (int i = 0; i < 60; ++i)
    if (const int fd = connect_idle(port); fd >= 0)
      idle.push_back(fd);
  REQUIRE(wait_until([&] { return metric(port, "status_connections_evicted_total") >= 60 - 36; }, 10s));
  CHECK(metric(port, "status_connections") <= 36);
  for (const int fd : idle)
    ::close(fd);
}

TEST_CASE("a connection to the status port that sends no request is closed after the request deadline") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port)}};
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status != 0; }, 5s));
  const int fd = connect_idle(port);
  REQUIRE(fd >= 0);
  timeval timeout{30, 0}; // far beyond the 5 s deadline: a timeout here is the failure
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char byte = 0;
  const auto read = ::recv(fd, &byte, 1, 0);
  ::close(fd);
  CHECK(read == 0); // closed by the sidecar
}

TEST_CASE("a --listen address that cannot be bound is a configuration error") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar first{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port)}};
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status != 0; }, 5s));
  temp_dir dir;
  const auto env = sidecar_env_in(emu, dir.path(), dir.path());
  const auto second = run_to_completion(
    {bin_path("dockercloud-workerlistgen"), {"--listen=127.0.0.1:" + std::to_string(port)}, env, {}, {}}, 10s);
  CAPTURE(second.output);
  CHECK(second.status == 2);
  CHECK(second.output.find("invalid WORKERLISTGEN_LISTEN (--listen): cannot listen on 127.0.0.1:"
                           + std::to_string(port))
        != std::string::npos);
  CHECK_FALSE(read_file(dir.path() + "/pg_worker_list.conf").has_value());
}

TEST_CASE("every metric changes when its event happens") {
  emulator emu;
  const int port = unused_tcp_port();
  temp_dir dir;
  const std::string confdir = dir.path() + "/citus";
  ::mkdir(confdir.c_str(), 0755);
  write_file(confdir + "/pg_worker_list.conf", first_workers(3)); // already right: an unchanged skip
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port), "--backoff-initial=50ms",
                                   "--backoff-max=100ms"},
               confdir};
  REQUIRE(metric_reaches(port, "last_sync_timestamp_seconds", 1));
  REQUIRE(metric_reaches(port, "signals_sent_total", 1));
  REQUIRE(metric_reaches(port, "stream_connected", 1));
  // The start-up sync and the resync that follows the stream's connection both
  // end unchanged. Until the second has, its fetch may still be in flight and
  // pick up the scale below, which would then be signalled without an event
  // behind it.
  REQUIRE(metric_reaches(port, "file_unchanged_total", 2));
  auto m = scrape(port);
  CHECK(m["workerlistgen_file_unchanged_total"] == 2);
  CHECK(m["workerlistgen_fetches_total"] == 2);
  CHECK(m["workerlistgen_file_writes_total"] == 0);
  CHECK(m["workerlistgen_fetch_errors_total"] == 0);
  CHECK(m["workerlistgen_workers"] == 3);
  CHECK(m["workerlistgen_stream_connects_total"] == 1);
  CHECK(m["workerlistgen_last_sync_timestamp_seconds"] > 1.7e9);
  const auto phase = [](const char* name) {
    return std::string{"workerlistgen_last_sync_phase_seconds{phase=\""} + name + "\"}";
  };
  for (const char* fetched : {"transfer", "parse", "validate", "render"})
    CHECK(m[phase(fetched)] > 0);
  CHECK(m[phase("write")] == 0); // nothing written yet

  SUBCASE("a scale: events, a fetch, a write, a signal, the latency histogram, the worker count") {
    emu.scale(5);
    REQUIRE(side.wait_for_list(first_workers(5), 5s));
    REQUIRE(metric_reaches(port, "signals_sent_total", m["workerlistgen_signals_sent_total"] + 1));
    // The restarter counts the signal before the file writer hears of it and
    // observes the latency.
    REQUIRE(metric_reaches(port, "event_to_signal_seconds_count", m["workerlistgen_event_to_signal_seconds_count"] + 1));
    const auto after = scrape(port);
    CHECK(after.at("workerlistgen_events_received_total") > m["workerlistgen_events_received_total"]);
    CHECK(after.at("workerlistgen_events_relevant_total") > m["workerlistgen_events_relevant_total"]);
    CHECK(after.at("workerlistgen_fetches_total") > m["workerlistgen_fetches_total"]);
    CHECK(after.at("workerlistgen_file_writes_total") == 1);
    CHECK(after.at("workerlistgen_workers") == 5);
    CHECK(after.at("workerlistgen_event_to_signal_seconds_count") == m["workerlistgen_event_to_signal_seconds_count"] + 1);
    CHECK(after.at("workerlistgen_event_to_signal_seconds_bucket{le=\"+Inf\"}")
          == after.at("workerlistgen_event_to_signal_seconds_count"));
    CHECK(after.at("workerlistgen_event_to_signal_seconds_sum") > 0);
    CHECK(after.at("workerlistgen_last_sync_timestamp_seconds") >= m["workerlistgen_last_sync_timestamp_seconds"]);
    CHECK(after.at(phase("write")) > 0);
  }
  SUBCASE("a relevant event that changes nothing counts as unchanged: no write, no signal") {
    emu.control("/stream/send", R"({"type":"container","action":"update","state":"Running",)"
                                R"("resource_uri":"/api/app/v1/container/ba434e1e/"})");
    REQUIRE(metric_reaches(port, "events_relevant_total", m["workerlistgen_events_relevant_total"] + 1));
    CHECK(metric_reaches(port, "file_unchanged_total", m["workerlistgen_file_unchanged_total"] + 1));
    CHECK(metric(port, "file_writes_total") == 0);
    CHECK(metric(port, "signals_sent_total") == m["workerlistgen_signals_sent_total"]);
  }
  SUBCASE("a transient event counts as received, not relevant; a malformed frame as malformed") {
    emu.control("/emit?kind=transient");
    REQUIRE(metric_reaches(port, "events_received_total", m["workerlistgen_events_received_total"] + 1));
    CHECK(metric(port, "events_relevant_total") == m["workerlistgen_events_relevant_total"]);
    emu.control("/stream/send", "this is not JSON");
    CHECK(metric_reaches(port, "events_malformed_total", m["workerlistgen_events_malformed_total"] + 1));
  }
  SUBCASE("a failed fetch and a failed signal") {
    emu.control("/rest/fault?mode=status&status=500&count=1");
    emu.control("/engine/fault?on=kill&status=500&count=1");
    emu.scale(4);
    CHECK(metric_reaches(port, "fetch_errors_total", 1));
    CHECK(metric_reaches(port, "signals_failed_total", 1));
    CHECK(metric_reaches(port, "signals_sent_total", m["workerlistgen_signals_sent_total"] + 1));
  }
  SUBCASE("a dropped stream: a reconnect, and the stream gauge follows") {
    emu.control("/stream/drop");
    CHECK(metric_reaches(port, "stream_reconnects_total", 1));
    CHECK(metric_reaches(port, "stream_connects_total", 2));
    CHECK(metric_reaches(port, "stream_connected", 1));
  }
  SUBCASE("refused upgrades are not lost connections: one drop, one reconnect counted") {
    const auto upgrades = emu.state().stream_upgrades;
    emu.control("/stream/refuse?status=500&count=-1");
    emu.control("/stream/drop");
    REQUIRE(wait_until([&] { return emu.state().stream_upgrades >= upgrades + 3; }, 10s)); // refused ones
    emu.control("/stream/refuse?count=0");
    REQUIRE(metric_reaches(port, "stream_connects_total", 2));
    CHECK(metric(port, "stream_reconnects_total") == 1);
  }
}

TEST_CASE("actor restarts and injected faults are counted by actor") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port),
                                   "--inject-fault=event_subscriber:crash:every=3"}};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  // The start-up fetch can write the list before the stream is up; events
  // sent before then reach nobody.
  REQUIRE(metric_reaches(port, "stream_connected", 1));
  // Every third message crashes the subscriber. Frames read together are one
  // message (frames sent during the first sync after a pause wait for it, and
  // are then read together), so events go out until one has crashed it.
  REQUIRE(wait_until(
    [&] {
      emu.control("/emit?kind=unrelated");
      return metric(port, "actor_restarts_total{actor=\"event_subscriber\"}") >= 1;
    },
    10s));
  const auto m = scrape(port);
  CHECK(m.at("workerlistgen_faults_injected_total{actor=\"event_subscriber\"}") >= 1);
  CHECK(m.at("workerlistgen_actor_restarts_total{actor=\"file_writer\"}") == 0);
  CHECK(m.at("workerlistgen_faults_injected_total{actor=\"api_poller\"}") == 0);
}

TEST_CASE("--once syncs, signals only on a change, and exits 0") {
  emulator emu;
  temp_dir dir;
  const auto env = sidecar_env_in(emu, dir.path(), dir.path());
  const process_options once{bin_path("dockercloud-workerlistgen"), {"--once"}, env, {}, {}};
  auto run = run_to_completion(once, 20s);
  CAPTURE(run.output);
  CHECK(run.status == 0);
  CHECK(read_file(dir.path() + "/pg_worker_list.conf") == first_workers(3));
  CHECK(emu.signal_count() == 1);
  CHECK(run.output.find("the master was signalled") != std::string::npos);

  run = run_to_completion(once, 20s); // nothing changed: no signal
  CHECK(run.status == 0);
  CHECK(emu.signal_count() == 1);
  CHECK(run.output.find("unchanged, no signal needed") != std::string::npos);

  emu.scale(4);
  run = run_to_completion(once, 20s);
  CHECK(run.status == 0);
  CHECK(read_file(dir.path() + "/pg_worker_list.conf") == first_workers(4));
  CHECK(emu.signal_count() == 2);
  CHECK_FALSE(read_file(dir.path() + "/wlg.pid").has_value());
}

namespace {

// After a --once run whose signal failed: with the engine back, the next run
// writes the change and signals it, once. No reload is lost.
void engine_returns_and_the_next_run_signals(emulator& emu, const process_options& once, const std::string& list) {
  emu.control("/engine/up");
  const auto run = run_to_completion(once, 20s);
  CAPTURE(run.output);
  CHECK(run.status == 0);
  CHECK(read_file(list) == first_workers(3));
  CHECK(emu.signal_count() == 1);
}

} // namespace

TEST_CASE("--once exits 1 when the fetch or the signal fails, and the file stays as it was") {
  emulator emu;
  temp_dir dir;
  const auto env = sidecar_env_in(emu, dir.path(), dir.path());
  write_file(dir.path() + "/pg_worker_list.conf", first_workers(1));
  const process_options once{bin_path("dockercloud-workerlistgen"), {"--once", "--request-timeout=2s"}, env, {}, {}};

  emu.control("/rest/fault?mode=status&status=500&count=-1");
  auto run = run_to_completion(once, 20s);
  CAPTURE(run.output);
  CHECK(run.status == 1);
  CHECK(run.output.find("fetch failed") != std::string::npos);
  CHECK(read_file(dir.path() + "/pg_worker_list.conf") == first_workers(1));
  CHECK(emu.signal_count() == 0);

  // The signal fails after the write: the write is undone, so the next run
  // sees the change again and signals it. No reload is lost.
  emu.control("/rest/fault?mode=none");
  emu.control("/engine/down");
  run = run_to_completion(once, 20s);
  CHECK(run.status == 1);
  CHECK(run.output.find("signal failed") != std::string::npos);
  CHECK(read_file(dir.path() + "/pg_worker_list.conf") == first_workers(1));
  CHECK(emu.signal_count() == 0);

  engine_returns_and_the_next_run_signals(emu, once, dir.path() + "/pg_worker_list.conf");
}

TEST_CASE("--once whose signal fails on a first run leaves no file behind, and the next run signals") {
  emulator emu;
  temp_dir dir;
  const auto env = sidecar_env_in(emu, dir.path(), dir.path());
  const process_options once{bin_path("dockercloud-workerlistgen"), {"--once", "--request-timeout=2s"}, env, {}, {}};
  emu.control("/engine/down");
  auto run = run_to_completion(once, 20s);
  CAPTURE(run.output);
  CHECK(run.status == 1);
  CHECK_FALSE(read_file(dir.path() + "/pg_worker_list.conf").has_value());
  engine_returns_and_the_next_run_signals(emu, once, dir.path() + "/pg_worker_list.conf");
}

TEST_CASE("--once says no master was signalled when none matched the labels, and nothing under --dry-run") {
  emulator emu;
  temp_dir dir;
  auto env = sidecar_env_in(emu, dir.path(), dir.path());
  env["DOCKERCLOUD_STACK_NAME"] = "no-such-stack";
  auto run = run_to_completion({bin_path("dockercloud-workerlistgen"), {"--once"}, env, {}, {}}, 20s);
  CAPTURE(run.output);
  CHECK(run.status == 0);
  CHECK(read_file(dir.path() + "/pg_worker_list.conf") == first_workers(3));
  CHECK(run.output.find("the master was signalled") == std::string::npos);
  CHECK(run.output.find("no master container is running") != std::string::npos);

  run = run_to_completion({bin_path("dockercloud-workerlistgen"), {"--once", "--dry-run"}, env, {}, {}}, 20s);
  CHECK(run.status == 0);
  CHECK(run.output.find("the master was signalled") == std::string::npos);
  CHECK(run.output.find("dry run: nothing was written or signalled") != std::string::npos);
  CHECK(emu.signal_count() == 0);
}

TEST_CASE("--dry-run prints the file and the containers, and writes and signals nothing") {
  emulator emu;
  temp_dir dir;
  const auto env = sidecar_env_in(emu, dir.path(), dir.path() + "/citus");
  ::mkdir((dir.path() + "/citus").c_str(), 0755);
  write_file(dir.path() + "/citus/pg_worker_list.conf", first_workers(1));
  const auto inode = inode_of(dir.path() + "/citus/pg_worker_list.conf");

  SUBCASE("with --once: the report on stdout, the logs on stderr") {
    child_process proc{{bin_path("dockercloud-workerlistgen"), {"--once", "--dry-run"}, env,
                        dir.path() + "/stdout", {}, dir.path() + "/stderr"}};
    CHECK(proc.wait_for_exit(20s) == 0);
    const auto out = read_file(dir.path() + "/stdout").value_or("");
    CAPTURE(out);
    CAPTURE(read_file(dir.path() + "/stderr").value_or(""));
    const auto path = dir.path() + "/citus/pg_worker_list.conf";
    const std::string would_write = "--- dry run: would write " + path + " ("
                                    + std::to_string(first_workers(3).size()) + " bytes) ---\n" + first_workers(3);
    const std::string would_signal = "--- dry run: would send SIGHUP to 1 container(s) ---\n";
    REQUIRE(out.substr(0, would_write.size()) == would_write);
    REQUIRE(out.substr(would_write.size(), would_signal.size()) == would_signal);
    CHECK(count_of(out.substr(would_write.size() + would_signal.size()), "\n") == 1); // the master's line
  }
  SUBCASE("following events: each change is printed on stdout") {
    child_process proc{{bin_path("dockercloud-workerlistgen"), {"--dry-run"}, env, dir.path() + "/stdout", {},
                        dir.path() + "/stderr"}};
    const auto report = [&] { return read_file(dir.path() + "/stdout").value_or(""); };
    REQUIRE(wait_until([&] { return count_of(report(), first_workers(3)) == 1; }, 10s));
    emu.scale(5);
    CHECK_MESSAGE(wait_until([&] { return count_of(report(), first_workers(5)) == 1; }, 10s), report());
    // The would-signal report follows the would-write report: wait for it.
    CHECK_MESSAGE(wait_until([&] { return count_of(report(), "would send SIGHUP") == 2; }, 10s), report());
  }
  CHECK(read_file(dir.path() + "/citus/pg_worker_list.conf") == first_workers(1));
  CHECK(inode_of(dir.path() + "/citus/pg_worker_list.conf") == inode);
  CHECK(files_in(dir.path() + "/citus") == 1);
  CHECK(emu.signal_count() == 0);
}

TEST_CASE("--log-format=json writes one JSON object per line, secrets redacted") {
  emulator emu;
  std::string log;
  {
    sidecar side{emu.sidecar_env(), with_status_port({"--log-format=json", "--debug"})};
    REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
    emu.scale(4);
    REQUIRE(side.wait_for_list(first_workers(4), 5s));
    emu.control("/stream/send", "not JSON"); // its debug line quotes it: escaped in JSON
    REQUIRE(side.metric_reaches("events_malformed_total", 1));
    side.process().signal(SIGTERM);
    CHECK(side.process().wait_for_exit(5s) == 0);
    log = side.log();
  }
  simdjson::ondemand::parser parser;
  std::istringstream lines{log};
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    CAPTURE(line);
    simdjson::padded_string padded{line};
    simdjson::ondemand::document doc;
    REQUIRE(parser.iterate(padded).get(doc) == simdjson::SUCCESS);
    simdjson::ondemand::object object;
    REQUIRE(doc.get_object().get(object) == simdjson::SUCCESS);
    std::map<std::string, std::string> fields;
    for (auto field : object) {
      std::string_view key, value;
      REQUIRE(field.unescaped_key().get(key) == simdjson::SUCCESS);
      REQUIRE(field.value().get_string().get(value) == simdjson::SUCCESS);
      fields[std::string{key}] = std::string{value};
    }
    CHECK(fields.size() == 4);
    CHECK(fields["time"].size() == 24);
    CHECK_FALSE(fields["level"].empty());
    CHECK_FALSE(fields["component"].empty());
    CHECK(fields["message"].find(secret_token) == std::string::npos);
  }
  CHECK(count > 10);
  CHECK(log.find("\"message\":\"stopped\"") != std::string::npos); // the last line made it too
}

TEST_CASE("the image's healthcheck script passes only when /healthz answers 200") {
  emulator emu;
  const int port = unused_tcp_port();
  const process_options check{"/bin/bash", {source_path("healthcheck.sh")},
                              {{"WORKERLISTGEN_LISTEN", "127.0.0.1:" + std::to_string(port)}}, {}, {}};
  CHECK(run_to_completion(check, 10s).status == 1); // nobody listening
  emu.control("/rest/fault?mode=status&status=500&count=-1");
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port)}};
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 503; }, 5s));
  auto run = run_to_completion(check, 10s);
  CHECK(run.status == 1);
  CHECK(run.output.find("no successful sync yet") != std::string::npos);
  emu.control("/rest/fault?mode=none");
  REQUIRE(wait_until([&] { return http_request("GET", listen_url(port) + "/healthz").status == 200; }, 10s));
  run = run_to_completion(check, 10s);
  CHECK(run.status == 0);
  CHECK(run.output.find("\"status\":\"ok\"") != std::string::npos);
}

TEST_CASE("links whose every name is refused leave the list as it is: a failed fetch, retried") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port), "--backoff-initial=50ms",
                                   "--backoff-max=100ms"}};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  REQUIRE(metric_reaches(port, "signals_sent_total", 1));
  emu.control("/rest/links", R"x(["two words", "#comment", "$(reboot)"])x");
  emu.scale(4);
  CHECK_MESSAGE(metric_reaches(port, "fetch_errors_total", 3), side.log()); // refused, and retried
  CHECK(side.worker_list() == first_workers(3));
  CHECK(metric(port, "workers") == 3);
  CHECK(emu.signal_count() == 1);

  emu.control("/rest/links?reset=1");
  CHECK_MESSAGE(side.wait_for_list(first_workers(4), 10s), side.log());
}

TEST_CASE("--once exits 1 when every linked name is refused, and the file stays as it was") {
  emulator emu;
  temp_dir dir;
  write_file(dir.path() + "/pg_worker_list.conf", first_workers(2));
  emu.control("/rest/links", R"(["bad name"])");
  auto run = run_to_completion({bin_path("dockercloud-workerlistgen"), {"--once"},
                                sidecar_env_in(emu, dir.path(), dir.path()), {}, {}},
                               20s);
  CAPTURE(run.output);
  CHECK(run.status == 1);
  CHECK(read_file(dir.path() + "/pg_worker_list.conf") == first_workers(2));
  CHECK(emu.signal_count() == 0);
}

TEST_CASE("an event of an unknown type is logged without --debug and skipped") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar side{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port)}};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  REQUIRE(metric_reaches(port, "stream_connected", 1));
  const auto before = scrape(port);
  emu.control("/stream/send", R"({"type":"spaceship","state":"Success","resource_uri":"/api/x/"})");
  REQUIRE(metric_reaches(port, "events_received_total", before.at("workerlistgen_events_received_total") + 1));
  CHECK(metric(port, "events_relevant_total") == before.at("workerlistgen_events_relevant_total"));
  CHECK(metric(port, "events_malformed_total") == before.at("workerlistgen_events_malformed_total"));
  CHECK_MESSAGE(wait_until([&] { return side.log().find("unknown type: spaceship") != std::string::npos; }, 5s),
                side.log());
}

namespace {

bool maps_libpq(pid_t pid) {
  return read_file("/proc/" + std::to_string(pid) + "/maps").value_or("").find("libpq.so") != std::string::npos;
}

} // namespace

TEST_CASE("libpq is loaded only by --target=citus, when it first connects") {
  emulator emu;
  sidecar file_target{emu.sidecar_env(), with_status_port()};
  REQUIRE(file_target.metric_reaches("last_sync_timestamp_seconds", 1));
  CHECK_FALSE(maps_libpq(file_target.process().pid()));

  // Nothing listens on port 1: the connection fails, after loading libpq.
  sidecar citus_target{emu.sidecar_env(),
                       with_status_port({"--target=citus", "--coordinator=host=127.0.0.1 port=1 connect_timeout=2"})};
  REQUIRE(citus_target.metric_reaches("coordinator_connect_failures_total", 1));
  CHECK(maps_libpq(citus_target.process().pid()));
}
