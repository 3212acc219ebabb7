// Behaviour 5 of the reliability issue: the Docker socket missing, refusing,
// or answering 404/409/500 to the kill. The file is written regardless; the
// signal is retried until delivered; a master that vanished or stopped
// between the list and the kill is not an error.

#include "test/support/fixtures.hpp"
#include "test/support/watch.hpp"

#include <doctest/doctest.h>


using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

struct synced {
  emulator emu;
  sidecar side;
  synced() : side(emu.sidecar_env(), with_status_port({"--backoff-initial=100ms", "--backoff-max=1s"})) {
    REQUIRE_MESSAGE(side.wait_for_list(first_workers(3), 10s), side.log());
    REQUIRE(wait_until([&] { return emu.signal_count() == 1; }, 5s));
  }
};

} // namespace

TEST_CASE("with the Docker socket gone the file is still written, and the signal follows when it returns") {
  synced t;
  t.emu.control("/engine/down");
  t.emu.scale(5);
  CHECK_MESSAGE(t.side.wait_for_list(first_workers(5), 2s), t.side.log());
  REQUIRE(t.side.metric_reaches("signals_failed_total", 2)); // tried, and retried
  CHECK(t.emu.signal_count() == 1);
  t.emu.control("/engine/up");
  CHECK_MESSAGE(wait_until([&] { return t.emu.signal_count() == 2; }, 5s), t.side.log());
  REQUIRE(t.side.metric_reaches("signals_sent_total", 2));
  CHECK(t.side.metric("signals_sent_total") == 2); // delivered once
}

namespace {

// The engine misbehaves as `control` says while the workers scale to 4: the
// file is written regardless, and the signal round ends as the test expects.
void scale_with_engine_fault(synced& t, const std::string& control) {
  t.emu.control(control);
  t.emu.scale(4);
  CHECK(t.side.wait_for_list(first_workers(4), 2s));
}

void retried_until_delivered(const std::string& control, double failures) {
  synced t;
  scale_with_engine_fault(t, control);
  CHECK_MESSAGE(wait_until([&] { return t.emu.signal_count() == 2; }, 10s), t.side.log());
  CHECK(t.side.metric("signals_failed_total") >= failures);
}

void skipped_not_retried(const std::string& control) {
  synced t;
  scale_with_engine_fault(t, control);
  REQUIRE(t.side.metric_reaches("signals_skipped_total", 1));
  // A failure is counted before its retry is even scheduled: none, none.
  CHECK(t.side.metric("signals_failed_total") == 0);
  CHECK(t.emu.signal_count() == 1);
}

} // namespace

TEST_CASE("an engine answering 500 is retried until the signal is delivered") {
  retried_until_delivered("/engine/fault?status=500&count=3", 3);
}

TEST_CASE("a kill answered with 500 is retried") {
  retried_until_delivered("/engine/fault?on=kill&status=500&count=2", 2);
}

TEST_CASE("a master that disappears between list and kill (404) is not an error") {
  skipped_not_retried("/engine/vanish?count=1");
}

TEST_CASE("a master that is not running (409) is not an error") {
  skipped_not_retried("/engine/fault?on=kill&status=409&count=1");
}

TEST_CASE("a slow engine never holds up the file") {
  synced t;
  t.emu.control("/engine/delay?ms=3000");
  t.emu.scale(5);
  CHECK(t.side.wait_for_list(first_workers(5), 1s));
  t.emu.scale(2);
  CHECK(t.side.wait_for_list(first_workers(2), 1s));
  t.emu.control("/engine/delay?ms=0");
  CHECK(wait_until([&] { return t.emu.signal_count() >= 2; }, 10s));
}
