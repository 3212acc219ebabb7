// Every exit is clean: whichever way the sidecar stops, it exits with its own
// status (never by a signal, never by a crash), removes its PID file, and a
// PID file never invites a signal the process does not handle.

#include "test/support/fixtures.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <functional>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

// Enough rounds that a race between the actors' clean-up and the end of
// main() (the crash this file was written for) shows up; cheap enough for CI.
constexpr int rounds = 6;

std::string pid_text(pid_t pid) { return std::to_string(pid) + "\n"; }

struct run_dir {
  temp_dir dir;
  std::string confdir() const { return dir.path() + "/citus"; }
  std::string pid_file() const { return dir.path() + "/wlg.pid"; }
  run_dir() { ::mkdir(confdir().c_str(), 0755); }
  env_map env(const emulator& emu) const {
    auto env = emu.sidecar_env();
    env["CITUS_CONFDIR"] = confdir();
    env["WORKERLISTGEN_PID_FILE"] = pid_file();
    return env;
  }
};

void check_stopped(const run_result& run, int expected, const run_dir& where) {
  CAPTURE(run.output);
  CHECK(run.status == expected);
  CHECK_FALSE(read_file(where.pid_file()).has_value());
}

// Runs the sidecar with `args` to its end, `rounds` times; each run exits
// with `expected` and leaves no PID file. `before_each` changes the world
// between runs.
void stops_every_time(const emulator& emu, const std::vector<std::string>& args, int expected,
                      const std::function<void(int)>& before_each = {}) {
  run_dir where;
  const process_options options{bin_path("dockercloud-workerlistgen"), args, where.env(emu), {}, {}};
  for (int round = 0; round < rounds; ++round) {
    CAPTURE(round);
    if (before_each)
      before_each(round);
    check_stopped(run_to_completion(options, 20s), expected, where);
  }
}

// A running sidecar that SIGTERM stops with status 0, its PID file removed.
void check_stops_on_sigterm(sidecar& side) {
  CHECK(side.process().running());
  side.process().signal(SIGTERM);
  CHECK(side.process().wait_for_exit(5s) == 0);
  CHECK_FALSE(read_file(side.pid_file()).has_value());
}

} // namespace

TEST_CASE("SIGTERM and SIGINT after a sync exit 0, every time") {
  emulator emu;
  for (int signal : {SIGTERM, SIGINT})
    for (int round = 0; round < rounds; ++round) {
      CAPTURE(signal);
      CAPTURE(round);
      sidecar side{emu.sidecar_env()};
      REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
      side.process().signal(signal);
      const auto status = side.process().wait_for_exit(5s);
      CAPTURE(side.log());
      CHECK(status == 0);
      CHECK_FALSE(read_file(side.pid_file()).has_value());
    }
}

TEST_CASE("--once exits 0 on success and 1 on failure, every time") {
  emulator emu;
  const std::vector<std::string> once{"--once", "--request-timeout=2s"};
  stops_every_time(emu, once, 0, [&](int round) {
    emu.scale(1 + round % 3); // changed every time: a write and a signal
  });
  emu.control("/rest/fault?mode=status&status=500&count=-1");
  stops_every_time(emu, once, 1);
}

TEST_CASE("giving up after too many restarts exits 1, every time") {
  emulator emu;
  stops_every_time(emu, {"--inject-fault=api_poller:crash:every=1", "--max-restarts=1"}, 1);
}

TEST_CASE("a configuration error found after start (--listen taken) exits 2, every time") {
  emulator emu;
  const int port = unused_tcp_port();
  sidecar holder{emu.sidecar_env(), {"--listen=127.0.0.1:" + std::to_string(port)}};
  REQUIRE(wait_until([&] { return http_request("GET", "http://127.0.0.1:" + std::to_string(port) + "/healthz").status != 0; },
                     10s));
  stops_every_time(emu, {"--listen=127.0.0.1:" + std::to_string(port)}, 2);
}

TEST_CASE("SIGUSR1 sent the moment the PID file names the process is handled, never fatal") {
  emulator emu;
  for (int round = 0; round < 10; ++round) {
    CAPTURE(round);
    sidecar side{emu.sidecar_env()};
    const auto pid = side.process().pid();
    // What reload.sh does, as early as it possibly can.
    REQUIRE(wait_until([&] { return read_file(side.pid_file()) == pid_text(pid); }, 10s));
    side.process().signal(SIGUSR1);
    REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
    CHECK_MESSAGE(side.process().running(), side.log());
    side.process().signal(SIGTERM);
    CHECK(side.process().wait_for_exit(5s) == 0);
  }
}

TEST_CASE("a SIGHUP storm resyncs and never kills, SIGPIPE is ignored, and SIGTERM then exits 0") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port()};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  const auto fetches = side.metric("fetches_total");
  for (int i = 0; i < 200; ++i)
    side.process().signal(SIGHUP);
  side.process().signal(SIGPIPE);
  // Coalesced into resyncs: at least one more fetch, and the process lives.
  CHECK_MESSAGE(side.metric_reaches("fetches_total", fetches + 1, 10s), side.log());
  check_stops_on_sigterm(side);
}

TEST_CASE("a second instance given a running instance's PID file is refused, and the first keeps it") {
  emulator emu;
  sidecar first{emu.sidecar_env()};
  REQUIRE_MESSAGE(first.wait_for_list(first_workers(3), 10s), first.log());
  const auto first_pid = pid_text(first.process().pid());
  REQUIRE(read_file(first.pid_file()) == first_pid);

  auto env = emu.sidecar_env();
  env["CITUS_CONFDIR"] = first.confdir();
  env["WORKERLISTGEN_PID_FILE"] = first.pid_file();
  const auto second = run_to_completion({bin_path("dockercloud-workerlistgen"), {}, env, {}, {}}, 10s);
  CAPTURE(second.output);
  CHECK(second.status == 2);
  CHECK(second.output.find("invalid WORKERLISTGEN_PID_FILE (--pid-file): " + first.pid_file()) != std::string::npos);
  CHECK(second.output.find("PID " + std::to_string(first.process().pid())) != std::string::npos);
  CHECK(std::count(second.output.begin(), second.output.end(), '\n') == 1);

  // The first still owns the file, so reload.sh still reaches it.
  CHECK(read_file(first.pid_file()) == first_pid);
  check_stops_on_sigterm(first);
}

TEST_CASE("a PID file left by a dead process is taken over") {
  emulator emu;
  run_dir where;
  write_file(where.pid_file(), "4194300\n"); // nobody holds its lock: a dead instance's
  child_process side{{bin_path("dockercloud-workerlistgen"), {}, where.env(emu), where.dir.path() + "/log", {}}};
  REQUIRE(wait_until([&] { return read_file(where.pid_file()) == pid_text(side.pid()); }, 10s));
  side.signal(SIGTERM);
  CHECK(side.wait_for_exit(5s) == 0);
  CHECK_FALSE(read_file(where.pid_file()).has_value());
}
