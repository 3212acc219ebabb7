// Behaviours 4 and 7 of the reliability issue: every way the REST API can
// fail leaves the file exactly as it was, is retried with back-off, and
// converges once the API recovers; hostile link names are never written.

#include "test/support/fixtures.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <regex>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

// Synced on 3 workers, the API breaks as `fault` says, the workers scale to 5;
// through three failed fetches the file must stay the 3-worker file, byte for
// byte and inode for inode, each failure counted by its `reason`; then the
// API recovers and the file becomes the 5-worker file.
void rest_fault_scenario(const std::string& fault, const std::string& reason) {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port({"--backoff-initial=100ms", "--backoff-max=2s",
                                                    "--auth-retry=300ms", "--request-timeout=300ms"})};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  const auto inode = inode_of(side.list_path());

  emu.control("/rest/fault?" + fault + "&count=-1");
  const auto before = emu.state().rest_requests;
  const auto errors = side.metric("fetch_errors_total");
  {
    file_watcher watch{side.list_path()};
    emu.scale(5);
    REQUIRE_MESSAGE(side.metric_reaches("fetch_errors_total", errors + 3), side.log()); // retried, twice
    CHECK(watch.seen() == std::set<std::string>{first_workers(3)});
    CHECK(watch.reads() > 0);
  }
  CHECK(inode_of(side.list_path()) == inode);
  CHECK(side.metric("file_writes_total") == 1);
  CHECK(emu.signal_count() == 1);
  // With back-off, not in a loop: after the third failure the next attempt
  // waits at least 400 ms, the one after 800 ms. A loop would be at dozens.
  CHECK(emu.state().rest_requests - before <= 6);
  CHECK_MESSAGE(side.metric("fetch_failures_total{reason=\"" + reason + "\"}") >= 3, side.log()); // and why

  emu.control("/rest/fault?mode=none");
  CHECK_MESSAGE(side.wait_for_list(first_workers(5), 5s), side.log());
  CHECK(wait_until([&] { return emu.signal_count() == 2; }, 5s));
}

} // namespace

TEST_CASE("REST answering 500 leaves the file as it was until the API recovers") {
  rest_fault_scenario("mode=status&status=500", "http_status");
}

TEST_CASE("REST answering 401 leaves the file as it was until the API recovers") {
  rest_fault_scenario("mode=status&status=401", "unauthorized");
}

TEST_CASE("REST answering 404 leaves the file as it was until the API recovers") {
  rest_fault_scenario("mode=status&status=404", "http_status");
}

TEST_CASE("a REST request that times out leaves the file as it was") {
  rest_fault_scenario("mode=timeout", "timeout");
}

TEST_CASE("a truncated REST body leaves the file as it was") {
  rest_fault_scenario("mode=truncated", "transport");
}

TEST_CASE("a REST body that is not JSON leaves the file as it was") {
  rest_fault_scenario("mode=notjson", "malformed_body");
}

TEST_CASE("a 5 MB REST body (which would empty the list) is refused") {
  rest_fault_scenario("mode=huge", "transport");
}

TEST_CASE("hostile link names are never written, the other links are") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port()};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  const std::string hostile = R"x(["worker-1", "evil\nworker-9 5432", "two words", "#comment",
    "$(reboot)", "a;rm -rf /", "tab\there", "quote'd", "worker-2", ")x" + std::string(10000, 'a') + R"x("])x";
  emu.control("/rest/links", hostile);
  side.process().signal(SIGUSR1);
  CHECK_MESSAGE(side.wait_for_list(worker_file({"worker-1", "worker-2"}), 5s), side.log());
  const auto text = side.worker_list();
  const std::regex line{"# this file was auto-generated using workerlistgen|[A-Za-z0-9][A-Za-z0-9._-]* 5432"};
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    CHECK(std::regex_match(text.substr(start, end - start), line));
    start = end + 1;
  }
  // Each fetch since the links changed refused the same eight.
  const auto refused = side.metric("worker_names_refused_total");
  CHECK(refused >= 8);
  CHECK(static_cast<long long>(refused) % 8 == 0);
  CHECK(side.log().find(std::string(200, 'a')) == std::string::npos); // shortened in the log too
}

TEST_CASE("a link refused on every fetch is logged once, then at most once a minute, and every refusal is counted") {
  emulator emu;
  sidecar side{emu.sidecar_env(), with_status_port()};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  emu.control("/rest/links", R"(["worker-1", "two words"])");
  for (int fetch = 1; fetch <= 5; ++fetch) {
    const auto refused = side.metric("worker_names_refused_total");
    side.process().signal(SIGUSR1);
    REQUIRE_MESSAGE(side.metric_reaches("worker_names_refused_total", refused + 1), side.log());
  }
  CHECK(side.metric("worker_names_refused_total") >= 5);
  CHECK(count_of(side.log(), "ignoring link 'two words'") == 1);
}
