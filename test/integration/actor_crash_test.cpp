// Behaviours 1 and 2 of the reliability issue: each actor crashed over and
// over by --inject-fault, and the supervisor's limit.

#include "test/support/fixtures.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const std::array<const char*, 5> actors = {"event_subscriber", "api_poller", "state_reconciler",
                                           "file_writer", "docker_restarter"};

// After the last "wrote" line, a signal went out: the master was signalled
// for the last change.
bool signalled_after_last_write(const std::string& log) {
  const auto last_write = log.rfind("] wrote ");
  return last_write != std::string::npos && log.find("] sent SIGHUP", last_write) != std::string::npos;
}

// Scales 3 -> 5 -> 2 -> 4 while `actor` crashes on every Nth message; checks
// that the process lives, only that actor is restarted, the file ends right,
// the master hears of the last change, and no reader ever saw a wrong file.
void crash_scenario(const std::string& actor, int every) {
  emulator emu;
  sidecar side{emu.sidecar_env(),
               with_status_port({"--inject-fault=" + actor + ":crash:every=" + std::to_string(every),
                                 "--max-restarts=1000", "--backoff-initial=50ms", "--backoff-max=500ms"})};
  file_watcher watch{side.list_path()};

  const auto by_actor = [](const char* family, const std::string& who) {
    return std::string{family} + "{actor=\"" + who + "\"}";
  };
  // On a failure, where the sync stood (fetched but not written, or not
  // fetched at all) besides the log.
  const auto state = [&] {
    std::string out;
    for (const char* name : {"fetches_total", "fetch_errors_total", "file_writes_total", "file_unchanged_total",
                             "signals_sent_total", "sync_pending"})
      out += std::string{name} + "=" + std::to_string(static_cast<long long>(side.metric(name))) + " ";
    return out + "\n" + side.log();
  };
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 15s), side.log());
  // One change at a time, each signalled before the next, so every actor
  // keeps handling messages (and crashing) throughout; until the actor has
  // crashed twice (how many messages a change costs it depends on timing:
  // signal rounds may merge).
  const int targets[] = {5, 2, 4};
  for (int change = 0; change < 3 || side.metric(by_actor("faults_injected_total", actor)) < 2; ++change) {
    REQUIRE(change < 30);
    const int target = targets[change % 3];
    emu.scale(target);
    REQUIRE_MESSAGE(side.wait_for_list(first_workers(target), 15s), state());
    REQUIRE_MESSAGE(wait_until([&] { return signalled_after_last_write(side.log()); }, 15s), state());
  }
  CHECK(side.process().running());
  CHECK(side.metric_reaches(by_actor("actor_restarts_total", actor), 2)); // the supervisor saw both
  for (const char* other : actors)
    if (other != actor) {
      CAPTURE(other);
      CHECK(side.metric(by_actor("actor_restarts_total", other)) == 0);
    }
  for (const auto& content : watch.seen()) {
    CAPTURE(content);
    CHECK((content == first_workers(3) || content == first_workers(5) || content == first_workers(2)
           || content == first_workers(4)));
  }
}

} // namespace

TEST_CASE("event_subscriber crashing every 7th message: only it restarts, nothing is lost") {
  crash_scenario("event_subscriber", 7);
}

TEST_CASE("api_poller crashing every 3rd message: only it restarts, nothing is lost") {
  crash_scenario("api_poller", 3);
}

TEST_CASE("state_reconciler crashing every 4th message: it rebuilds from a resync") {
  crash_scenario("state_reconciler", 4);
}

TEST_CASE("file_writer crashing every 2nd write: only it restarts, nothing is lost") {
  crash_scenario("file_writer", 2);
}

TEST_CASE("docker_restarter crashing every 5th message: only it restarts, the last change is signalled") {
  crash_scenario("docker_restarter", 5);
}

TEST_CASE("an actor that dies faster than the allowed intensity ends the process with exit 1") {
  emulator emu;
  sidecar side{emu.sidecar_env(),
               {"--inject-fault=file_writer:crash:every=1", "--max-restarts=3", "--restart-window=1m",
                "--backoff-initial=20ms", "--backoff-max=100ms"}};
  const auto status = side.process().wait_for_exit(20s);
  REQUIRE_MESSAGE(status.has_value(), side.log());
  CHECK(*status == 1);
  const auto log = side.log();
  CHECK_MESSAGE(log.find("giving up: file_writer died 4 times within 1m") != std::string::npos, log);
  CHECK_FALSE(read_file(side.pid_file()).has_value());
}

TEST_CASE("the limit counts within the window: a subscriber that cannot even connect gives up too") {
  emulator emu;
  sidecar side{emu.sidecar_env(),
               {"--inject-fault=event_subscriber:crash:every=1", "--max-restarts=2"}};
  const auto status = side.process().wait_for_exit(20s);
  REQUIRE_MESSAGE(status.has_value(), side.log());
  CHECK(*status == 1);
  CHECK_FALSE(read_file(side.pid_file()).has_value());
}

TEST_CASE("stalls slow an actor down but lose nothing") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port({"--inject-fault=api_poller:stall:ms=150"})};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 15s), side.log());
  emu.scale(4);
  CHECK(side.wait_for_list(first_workers(4), 15s));
  CHECK(side.metric("faults_injected_total{actor=\"api_poller\"}") >= 2);
  for (const char* actor : actors) {
    CAPTURE(actor);
    CHECK(side.metric(std::string{"actor_restarts_total{actor=\""} + actor + "\"}") == 0);
  }
}
