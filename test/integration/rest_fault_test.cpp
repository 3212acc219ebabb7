// Behaviours 4 and 7 of the reliability issue: every way the REST API can
// fail leaves the file exactly as it was, is retried with back-off, and
// converges once the API recovers; hostile link names are never written.

#include "test/support/fixtures.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <regex>
#include <thread>

using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

// Synced on 3 workers, the API breaks as `fault` says, the workers scale to 5;
// for two seconds the file must stay the 3-worker file, byte for byte and
// inode for inode, with a handful of retries; then the API recovers and the
// file becomes the 5-worker file.
void rest_fault_scenario(const std::string& fault, const std::string& expected_in_log) {
  emulator emu;
  sidecar side{emu.sidecar_env(), {"--backoff-initial=100ms", "--backoff-max=2s", "--auth-retry=300ms",
                                   "--request-timeout=300ms"}};
  REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
  const auto inode = inode_of(side.list_path());

  emu.control("/rest/fault?" + fault + "&count=-1");
  const auto before = emu.state().rest_requests;
  {
    file_watcher watch{side.list_path()};
    emu.scale(5);
    std::this_thread::sleep_for(2s);
    CHECK(watch.seen() == std::set<std::string>{first_workers(3)});
    CHECK(watch.reads() > 100);
  }
  CHECK(inode_of(side.list_path()) == inode);
  CHECK(emu.signal_count() == 1);
  const auto attempts = emu.state().rest_requests - before;
  CHECK(attempts >= 2);  // retried...
  CHECK(attempts <= 12); // ...with back-off, not in a loop
  CHECK_MESSAGE(side.log().find(expected_in_log) != std::string::npos, side.log());
  CHECK(side.log().find("the worker list stays as it is") != std::string::npos);

  emu.control("/rest/fault?mode=none");
  CHECK_MESSAGE(side.wait_for_list(first_workers(5), 5s), side.log());
  CHECK(wait_until([&] { return emu.signal_count() == 2; }, 5s));
}

} // namespace

TEST_CASE("REST answering 500 leaves the file as it was until the API recovers") {
  rest_fault_scenario("mode=status&status=500", "answered HTTP 500");
}

TEST_CASE("REST answering 401 leaves the file as it was until the API recovers") {
  rest_fault_scenario("mode=status&status=401", "unauthorized");
}

TEST_CASE("REST answering 404 leaves the file as it was until the API recovers") {
  rest_fault_scenario("mode=status&status=404", "answered HTTP 404");
}

TEST_CASE("a REST request that times out leaves the file as it was") {
  rest_fault_scenario("mode=timeout", "timed out");
}

TEST_CASE("a truncated REST body leaves the file as it was") {
  rest_fault_scenario("mode=truncated", "connection closed");
}

TEST_CASE("a REST body that is not JSON leaves the file as it was") {
  rest_fault_scenario("mode=notjson", "malformed_body");
}

TEST_CASE("a 5 MB REST body (which would empty the list) is refused") {
  rest_fault_scenario("mode=huge", "answer too large");
}

TEST_CASE("hostile link names are never written; the other links are") {
  emulator emu;
  sidecar side{emu.sidecar_env()};
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
  CHECK(count_of(side.log(), "ignoring link") == 8);
  CHECK(side.log().find(std::string(200, 'a')) == std::string::npos); // shortened in the log too
}
