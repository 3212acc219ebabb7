// The file output's progress, simulated: each write and signal the machine
// asks for is answered by the test, as the disk and the signaller would.

#include "policy/file_output_machine.hpp"
#include "test/unit/commands.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;
using machine = file_output_machine;
using wlg::protocol::worker_set;

namespace {

machine::options quick() {
  return {quick_run(), false, "/conf/pg_worker_list.conf"};
}

output_request request_for(std::initializer_list<const char*> names, std::int64_t event_ns = 0, bool reload = false) {
  output_request r;
  r.workers = worker_set{std::vector<std::string>(names.begin(), names.end())};
  r.oldest_event_ns = event_ns;
  r.reload = reload;
  return r;
}

} // namespace

TEST_CASE("a changed list is written, the master is signalled, and then the apply is answered") {
  machine m{quick()};
  const auto request = request_for({"a", "b"}, 42);
  CHECK(one_of<machine::write>(m.on_apply(request)).request == request);
  auto out = m.on_written(true);
  one_of<machine::signal>(out);
  // The next fetch waits for the reload rather than running beside it.
  CHECK(all_of<machine::answer>(out).empty());
  CHECK(one_of<machine::answer_later>(out).delay == 100ms);
  CHECK(m.signal_in_flight());
  out = m.on_signalled(1);
  CHECK(one_of<machine::event_signalled>(out).event_ns == 42);
  const auto done = one_of<machine::answer>(out);
  CHECK(done.report.changed);
  CHECK(done.report.summary == "2 worker(s) in /conf/pg_worker_list.conf; the master was signalled");
  CHECK_FALSE(m.signal_in_flight());
}

TEST_CASE("a failed signal answers the apply it held, as written, and is retried on its own") {
  machine m{quick()};
  m.on_apply(request_for({"a"}, 7));
  CHECK(all_of<machine::answer>(m.on_written(true)).empty());
  auto out = m.on_signal_failed("no engine");
  CHECK(one_of<machine::answer>(out).report.changed);
  one_of<machine::retry_later>(out);
  CHECK(all_of<machine::fail>(out).empty());
  // The retry's outcome answers nothing more.
  one_of<machine::signal>(m.on_retry());
  out = m.on_signalled(1);
  CHECK(all_of<machine::answer>(out).empty());
  CHECK(one_of<machine::event_signalled>(out).event_ns == 7);
}

TEST_CASE("a slow signal holds its apply for answer_wait at most, and its own answer then answers nothing") {
  machine m{quick()};
  m.on_apply(request_for({"a"}, 5));
  auto out = m.on_written(true);
  const auto wait = one_of<machine::answer_later>(out);
  CHECK(one_of<machine::answer>(m.on_answer_due(wait.id)).report.changed);
  CHECK(m.signal_in_flight()); // the signal goes on
  out = m.on_signalled(1);
  CHECK(all_of<machine::answer>(out).empty());
  CHECK(one_of<machine::event_signalled>(out).event_ns == 5);
}

TEST_CASE("a wait that ends after its signal was answered answers nothing, nor a later apply") {
  machine m{quick()};
  m.on_apply(request_for({"a"}));
  const auto first = one_of<machine::answer_later>(m.on_written(true));
  one_of<machine::answer>(m.on_signalled(1));
  CHECK(m.on_answer_due(first.id).empty());
  m.on_apply(request_for({"a", "b"}));
  const auto second = one_of<machine::answer_later>(m.on_written(true));
  CHECK(m.on_answer_due(first.id).empty()); // the first wait's timer, late
  one_of<machine::answer>(m.on_answer_due(second.id));
}

TEST_CASE("unchanged bytes are not signalled, unless the request asks for a reload") {
  machine m{quick()};
  m.on_apply(request_for({"a"}));
  auto out = m.on_written(false);
  CHECK(all_of<machine::signal>(out).empty());
  CHECK(one_of<machine::answer>(out).report.summary
        == "1 worker(s) in /conf/pg_worker_list.conf; unchanged, no signal needed");
  m.on_apply(request_for({"a"}, 0, true));
  one_of<machine::signal>(m.on_written(false));
}

TEST_CASE("a restarted writer owes a reload: its first write is signalled even when unchanged") {
  auto options = quick();
  options.reload_first = true;
  machine m{options};
  m.on_apply(request_for({"a"}));
  one_of<machine::signal>(m.on_written(false));
  m.on_signalled(1);
  m.on_apply(request_for({"a"}));
  CHECK(all_of<machine::signal>(m.on_written(false)).empty()); // owed once, paid once
}

TEST_CASE("one signal at a time: a change written meanwhile is signalled after it, for its oldest event") {
  machine m{quick()};
  m.on_apply(request_for({"a"}, 10));
  one_of<machine::signal>(m.on_written(true));
  one_of<machine::answer>(m.on_signal_failed("no engine"));
  one_of<machine::signal>(m.on_retry()); // in flight, its apply answered
  m.on_apply(request_for({"a", "b"}, 20));
  auto out = m.on_written(true);
  CHECK(all_of<machine::signal>(out).empty());
  one_of<machine::answer>(out); // its signal is owed, not started: nothing to wait for
  m.on_apply(request_for({"a", "b", "c"}, 30));
  CHECK(all_of<machine::signal>(m.on_written(true)).empty());
  out = m.on_signalled(1);
  CHECK(one_of<machine::event_signalled>(out).event_ns == 10);
  CHECK(all_of<machine::answer>(out).empty());
  one_of<machine::signal>(out); // one more covers both
  out = m.on_signalled(1);
  CHECK(one_of<machine::event_signalled>(out).event_ns == 20);
  CHECK(all_of<machine::signal>(out).empty());
}

TEST_CASE("a failed signal is retried after a growing back-off, and the owed event is kept") {
  machine m{quick()};
  m.on_apply(request_for({"a"}, 7));
  one_of<machine::signal>(m.on_written(true));
  auto out = m.on_signal_failed("no engine");
  const auto first = one_of<machine::retry_later>(out);
  CHECK(first.why == "signal failed (no engine)");
  CHECK(first.delay >= 100ms);
  CHECK(first.delay <= 150ms);
  // A change written while the retry waits does not jump the queue.
  m.on_apply(request_for({"a", "b"}, 8));
  CHECK(all_of<machine::signal>(m.on_written(true)).empty());
  one_of<machine::signal>(m.on_retry());
  const auto second = one_of<machine::retry_later>(m.on_signal_failed("no engine"));
  CHECK(second.delay >= 200ms);
  one_of<machine::signal>(m.on_retry());
  out = m.on_signalled(1);
  CHECK(one_of<machine::event_signalled>(out).event_ns == 7);
  // Back-off reset after success.
  m.on_apply(request_for({"c"}));
  m.on_written(true);
  CHECK(one_of<machine::retry_later>(m.on_signal_failed("no engine")).delay <= 150ms);
}

TEST_CASE("a write that fails fails the apply and owes no signal") {
  machine m{quick()};
  m.on_apply(request_for({"a"}));
  const auto out = m.on_write_failed("No space left on device");
  const auto failed = one_of<machine::fail>(out);
  CHECK(failed.why == "No space left on device");
  CHECK_FALSE(failed.restore);
  CHECK(all_of<machine::signal>(out).empty());
}

TEST_CASE("a replaced signaller is asked again for the signal in flight, and only then") {
  machine m{quick()};
  CHECK(m.on_signaller_replaced().empty());
  m.on_apply(request_for({"a"}));
  m.on_written(true);
  one_of<machine::signal>(m.on_signaller_replaced());
}

TEST_CASE("--once: the apply is answered after the signal, with what was done") {
  auto options = quick();
  options.run.once = true;
  machine m{options};
  m.on_apply(request_for({"a", "b"}));
  auto out = m.on_written(true);
  one_of<machine::signal>(out);
  CHECK(all_of<machine::answer>(out).empty());
  CHECK(all_of<machine::answer_later>(out).empty()); // --once waits for the signal itself
  out = m.on_signalled(0);
  CHECK(one_of<machine::answer>(out).report.summary
        == "2 worker(s) in /conf/pg_worker_list.conf; no master container is running, so none was signalled");
}

TEST_CASE("--once: a failed signal fails the run and has the file put back, without retrying") {
  auto options = quick();
  options.run.once = true;
  machine m{options};
  m.on_apply(request_for({"a"}));
  m.on_written(true);
  const auto out = m.on_signal_failed("no engine");
  const auto failed = one_of<machine::fail>(out);
  CHECK(failed.restore);
  CHECK(failed.why == "signal failed (no engine)");
  CHECK(all_of<machine::retry_later>(out).empty());
}

TEST_CASE("--once with nothing to signal answers at once, --dry-run says nothing was done") {
  auto options = quick();
  options.run.once = true;
  options.run.rehearse = true;
  machine m{options};
  m.on_apply(request_for({"a"}));
  CHECK(one_of<machine::answer>(m.on_written(false)).report.summary == "dry run: nothing was written or signalled");
}
