// The master's reload, simulated: each list and signal the machine asks for
// is answered by the test, as the Engine API would.

#include "policy/signal_machine.hpp"
#include "test/unit/commands.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;
using machine = signal_machine;

namespace {

const signal_target master_1{"aaaa1111", "citus_master_1"};
const signal_target master_2{"bbbb2222", "citus_master_2"};

} // namespace

TEST_CASE("a run lists the masters, signals each in turn and answers everyone who asked meanwhile") {
  machine m{quick_run()};
  one_of<machine::list>(m.on_request());
  CHECK(m.on_request().empty()); // answered by the run under way
  CHECK(one_of<machine::signal_one>(m.on_listed({master_1, master_2})).target == master_1);
  auto out = m.on_signalled(signal_result::delivered);
  CHECK(one_of<machine::delivered_to>(out).target == master_1);
  CHECK(one_of<machine::signal_one>(out).target == master_2);
  out = m.on_signalled(signal_result::delivered);
  CHECK(one_of<machine::answer>(out).delivered == 2);
  CHECK_FALSE(m.running());
  one_of<machine::list>(m.on_request()); // a new request, a new run
}

TEST_CASE("a master gone or stopped since the list is skipped, not an error") {
  machine m{quick_run()};
  m.on_request();
  m.on_listed({master_1, master_2});
  auto out = m.on_signalled(signal_result::gone);
  CHECK(one_of<machine::skipped>(out).why == signal_result::gone);
  out = m.on_signalled(signal_result::not_running);
  CHECK(one_of<machine::skipped>(out).why == signal_result::not_running);
  CHECK(one_of<machine::answer>(out).delivered == 0);
}

TEST_CASE("no master running is said, and answered with nothing delivered") {
  machine m{quick_run()};
  m.on_request();
  const auto out = m.on_listed({});
  one_of<machine::nothing_to_signal>(out);
  CHECK(one_of<machine::answer>(out).delivered == 0);
}

TEST_CASE("a failed run is retried after a growing back-off, and requests meanwhile wait for it") {
  machine m{quick_run()};
  m.on_request();
  const auto first = one_of<machine::retry_later>(m.on_failed("no engine"));
  CHECK(first.why == "no engine");
  CHECK(first.delay >= 100ms);
  CHECK(m.on_request().empty()); // waits out the back-off
  one_of<machine::list>(m.on_retry());
  m.on_listed({master_1});
  const auto second = one_of<machine::retry_later>(m.on_failed("HTTP 500"));
  CHECK(second.delay >= 200ms);
  one_of<machine::list>(m.on_retry());
  m.on_listed({master_1});
  one_of<machine::answer>(m.on_signalled(signal_result::delivered));
  m.on_request();
  CHECK(one_of<machine::retry_later>(m.on_failed("again")).delay <= 150ms); // reset by the success
}

TEST_CASE("--once: the first failure is answered with it, without a retry") {
  auto options = quick_run();
  options.once = true;
  machine m{options};
  m.on_request();
  const auto out = m.on_failed("no engine");
  CHECK(one_of<machine::fail>(out).why == "no engine");
  CHECK(all_of<machine::retry_later>(out).empty());
}

TEST_CASE("--dry-run shows the masters and signals none") {
  auto options = quick_run();
  options.rehearse = true;
  machine m{options};
  m.on_request();
  const auto out = m.on_listed({master_1, master_2});
  CHECK(one_of<machine::show>(out).targets == std::vector<signal_target>{master_1, master_2});
  CHECK(all_of<machine::signal_one>(out).empty());
  CHECK(one_of<machine::answer>(out).delivered == 0);
}

TEST_CASE("outcomes for a step not under way change nothing") {
  machine m{quick_run()};
  CHECK(m.on_listed({master_1}).empty());
  CHECK(m.on_signalled(signal_result::delivered).empty());
  CHECK(m.on_failed("late").empty());
  CHECK(m.on_retry().empty()); // nobody waits
}
