// The sidecar against the emulator, both as real processes over TLS.

#include "test/support/fixtures.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <csignal>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const auto three = worker_file({"worker-1", "worker-2", "worker-3"});

// Waits for the start-up sync: the file written and the master signalled.
void wait_for_first_sync(emulator& emu, sidecar& side, const std::string& expected = three) {
  REQUIRE_MESSAGE(side.wait_for_list(expected, 10s), side.log());
  REQUIRE_MESSAGE(wait_until([&] { return emu.signal_count() >= 1; }, 10s), side.log());
  // The list can be written before the stream is up; events sent before then
  // reach nobody.
  REQUIRE_MESSAGE(wait_until([&] { return emu.state().stream_open >= 1; }, 10s), side.log());
}

// The start-up sync, and the resync that follows the stream's connection
// answered as well (it finds the list unchanged): nothing is left in flight,
// so "nothing more happened" means something.
struct quiet_sidecar {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port()};
  quiet_sidecar() {
    wait_for_first_sync(emu, side);
    REQUIRE_MESSAGE(side.metric_reaches("file_unchanged_total", 1), side.log());
    REQUIRE_MESSAGE(side.wait_until_settled(emu), side.log());
    quiet_inode_ = inode_of(side.list_path());
  }
  // A rewrite renames a new file in: another inode.
  bool rewritten_since_quiet() const { return inode_of(side.list_path()) != quiet_inode_; }

private:
  unsigned long quiet_inode_ = 0;
};

} // namespace

TEST_CASE("the first sync writes the file and signals the master once") {
  quiet_sidecar t;
  const auto state = t.emu.state();
  REQUIRE(state.signals.size() == 1);
  CHECK(state.signals[0].container == "citus_master_1");
  CHECK(state.signals[0].signal == "SIGHUP");
  CHECK(t.side.worker_list() == three);
}

TEST_CASE("scaling up and down rewrites the file within a second and signals once per change") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port()};
  wait_for_first_sync(emu, side);

  emu.scale(5);
  CHECK_MESSAGE(side.wait_for_list(worker_file({"worker-1", "worker-2", "worker-3", "worker-4", "worker-5"}), 1s),
                side.log());
  CHECK(wait_until([&] { return emu.signal_count() == 2; }, 1s));

  emu.scale(2);
  CHECK_MESSAGE(side.wait_for_list(worker_file({"worker-1", "worker-2"}), 1s), side.log());
  CHECK(wait_until([&] { return emu.signal_count() == 3; }, 1s));

  emu.scale(0);
  CHECK(side.wait_for_list(worker_file({}), 1s));
  CHECK(wait_until([&] { return emu.signal_count() == 4; }, 1s));

  REQUIRE(side.wait_until_settled(emu));
  CHECK(emu.signal_count() == 4);
  CHECK(side.metric("file_writes_total") == 4);
}

TEST_CASE("unrelated and transient events cause no write and no signal") {
  quiet_sidecar t;
  const auto before = t.emu.state();
  const auto fetches = t.side.metric("fetches_total");

  t.emu.control("/emit?kind=transient&count=60");
  t.emu.control("/emit?kind=other&count=20");
  t.emu.control("/emit?kind=unrelated&count=50");
  t.emu.control("/redeploy"); // same names, new containers
  // The unrelated events pass the original's rule, so the sidecar looks again:
  // wait for that fetch, then for anything it might do.
  REQUIRE(t.side.wait_until_settled(t.emu));
  CHECK(t.side.metric("fetches_total") > fetches);

  CHECK_FALSE(t.rewritten_since_quiet());
  CHECK(t.side.worker_list() == three);
  CHECK(t.emu.signal_count() == before.signals.size());
  CHECK(t.side.metric("file_writes_total") == 1); // only the first write
}

TEST_CASE("events that arrive while the first sync after a pause is under way wait for it, at most a quarter of the pong timeout") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port({"--pong-timeout=2s"})};
  wait_for_first_sync(emu, side);
  REQUIRE(side.wait_until_settled(emu));
  emu.control("/rest/delay?ms=5000");
  const auto fetches = side.metric("fetches_total");
  emu.control("/emit?kind=unrelated&count=1"); // passes the rule: a fetch
  REQUIRE_MESSAGE(side.metric_reaches("fetches_total", fetches + 1), side.log());
  const auto received = side.metric("events_received_total");
  const auto emitted = std::chrono::steady_clock::now();
  emu.control("/emit?kind=unrelated&count=20");
  REQUIRE_MESSAGE(side.metric_reaches("events_received_total", received + 20), side.log());
  // The first frame ends the read that was already waiting; the others wait
  // for the fetch, which takes 5 s, or for 500 ms (2 s / 4), whichever ends first.
  CHECK(std::chrono::steady_clock::now() - emitted >= 500ms);
  CHECK(side.metric("fetches_total") == fetches + 1); // still that fetch
  emu.control("/rest/delay?ms=0");
}

TEST_CASE("transient events alone do not even cause a fetch") {
  quiet_sidecar t;
  const auto before = t.emu.state().rest_requests;
  const auto relevant = t.side.metric("events_relevant_total");
  t.emu.control("/emit?kind=transient&count=30");
  t.emu.control("/emit?kind=other&count=30");
  REQUIRE(t.side.wait_until_settled(t.emu));
  CHECK(t.side.metric("events_relevant_total") == relevant);
  CHECK(t.emu.state().rest_requests == before);
}

namespace {

// The emulator took the credentials on the REST calls and on the stream, and refused none.
void check_authorized_on_both(const emulator_state& state) {
  CHECK(state.rest_authorized >= 1);
  CHECK(state.rest_refused == 0);
  CHECK(state.stream_authorized >= 1);
  CHECK(state.stream_refused == 0);
}

} // namespace

TEST_CASE("the Authorization header arrives on the REST calls and on the stream") {
  emulator emu{{"--auth", "TutumAccessKey 5ecret0f7he5idecar"}};
  sidecar side{emu.sidecar_env()};
  wait_for_first_sync(emu, side);
  const auto state = emu.state();
  check_authorized_on_both(state);
  CHECK(state.stream_open == 1);
}

TEST_CASE("DOCKERCLOUD_AUTH_FILE: the credentials read from a file (a Docker secret) arrive on both, and never in the log") {
  const std::string secret = "TutumAccessKey 5ecret0f7he5idecar";
  emulator emu{{"--auth", secret}};
  temp_dir secrets;
  write_file(secrets.path() + "/auth", secret + "\n"); // as `echo` writes it: the newline is dropped
  auto env = emu.sidecar_env();
  env.erase("DOCKERCLOUD_AUTH");
  env["DOCKERCLOUD_AUTH_FILE"] = secrets.path() + "/auth";
  env["DEBUG"] = "true";
  sidecar side{env};
  wait_for_first_sync(emu, side);
  check_authorized_on_both(emu.state());
  CHECK(side.log().find("5ecret0f7he5idecar") == std::string::npos);
}

TEST_CASE("a wrong DOCKERCLOUD_AUTH is refused on both and the file is never written") {
  emulator emu;
  auto env = emu.sidecar_env();
  env["DOCKERCLOUD_AUTH"] = "TutumAccessKey wrongwrongwrong";
  sidecar side{env, with_status_port()};
  REQUIRE(wait_until([&] {
    auto s = emu.state();
    return s.rest_refused >= 1 && s.stream_refused >= 1;
  }, 10s));
  REQUIRE(side.metric_reaches("fetch_errors_total", 1)); // the refusal reached the reconciler
  CHECK(side.metric("sync_pending") == 1);               // and is owed a retry
  CHECK_FALSE(read_file(side.list_path()).has_value());
  CHECK(emu.signal_count() == 0);
  CHECK(side.metric("stream_connects_total") == 0);
}

TEST_CASE("SIGUSR1 forces a full resync, a rewrite and a signal") {
  quiet_sidecar t;
  t.side.process().signal(SIGUSR1);
  CHECK(wait_until([&] { return t.emu.signal_count() == 2; }, 2s));
  CHECK(t.rewritten_since_quiet());
  CHECK(t.side.worker_list() == three);
}

TEST_CASE("the PID file names the process and SIGTERM stops it within a second") {
  emulator emu;
  sidecar side{emu.sidecar_env()};
  wait_for_first_sync(emu, side);
  const auto pid_text = read_file(side.pid_file());
  REQUIRE(pid_text.has_value());
  CHECK(*pid_text == std::to_string(side.process().pid()) + "\n");

  side.process().signal(SIGTERM);
  const auto status = side.process().wait_for_exit(1s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK_FALSE(read_file(side.pid_file()).has_value());
}

TEST_CASE("SIGINT stops it too") {
  emulator emu;
  sidecar side{emu.sidecar_env()};
  wait_for_first_sync(emu, side);
  side.process().signal(SIGINT);
  const auto status = side.process().wait_for_exit(1s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("plain ws:// and http:// work when the emulator serves them") {
  emulator emu{{"--no-tls"}};
  const auto env = emu.sidecar_env();
  REQUIRE(env.at("DOCKERCLOUD_STREAM_HOST").rfind("ws://", 0) == 0);
  sidecar side{env};
  wait_for_first_sync(emu, side);
  emu.scale(4);
  CHECK(side.wait_for_list(worker_file({"worker-1", "worker-2", "worker-3", "worker-4"}), 1s));
}

TEST_CASE("namespaced URIs and event paths are followed") {
  emulator emu{{"--namespace", "myorg"}};
  const auto env = emu.sidecar_env();
  REQUIRE(env.at("DOCKERCLOUD_CONTAINER_API_URI").find("/myorg/") != std::string::npos);
  sidecar side{env};
  wait_for_first_sync(emu, side);
  CHECK(emu.state().stream_authorized == 1);
  emu.scale(1);
  CHECK(side.wait_for_list(worker_file({"worker-1"}), 1s));
}

TEST_CASE("the secret never appears in the log, even at debug level") {
  const std::string token = "c0ffee5ecretc0ffee5ecret";
  emulator emu{{"--auth", "TutumAccessKey " + token}};
  auto env = emu.sidecar_env();
  env["DEBUG"] = "true";
  sidecar side{env, with_status_port()};
  wait_for_first_sync(emu, side);
  emu.scale(4);
  REQUIRE(side.wait_for_list(worker_file({"worker-1", "worker-2", "worker-3", "worker-4"}), 2s));
  // An event that quotes the token back must not leak it either: its debug
  // line shows the frame with the token taken out.
  const auto redacted_before = count_of(side.log(), "[REDACTED]");
  emu.control("/stream/send", R"({"type":"auth","echo":"TutumAccessKey )" + token + R"("})");
  REQUIRE(side.wait_until_settled(emu));
  REQUIRE(wait_until([&] { return count_of(side.log(), "[REDACTED]") > redacted_before; }, 5s));
  const auto log = side.log();
  CHECK(log.find("GET /api/app/v1/container/") != std::string::npos); // debug lines show requests too
  CHECK(log.find(token) == std::string::npos);
}

TEST_CASE("one log line per relevant event") {
  emulator emu;
  sidecar side{emu.sidecar_env()};
  wait_for_first_sync(emu, side);
  emu.control("/emit?kind=unrelated&count=7");
  REQUIRE(wait_until([&] {
    const auto log = side.log();
    std::size_t n = 0;
    for (auto at = log.find("[event_subscriber] event container"); at != std::string::npos;
         at = log.find("[event_subscriber] event container", at + 1))
      ++n;
    return n == 7;
  }, 5s));
}
