// The reconciler's decisions, simulated on a virtual clock: every input is a
// call, every output a command, so each rule is checked without actors,
// timers or I/O.

#include "policy/sync_machine.hpp"
#include "test/unit/commands.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using wlg::test::all_of;
using wlg::test::one_of;
using namespace std::chrono_literals;
using wlg::protocol::worker_set;

namespace {

using clock = steady_clock;

sync_machine::options daemon_options() {
  sync_machine::options o;
  o.run.backoff_initial = 500ms;
  o.run.backoff_max = 30s;
  o.run.seed = 1;
  o.auth_retry = 60s;
  return o;
}

worker_set workers(std::initializer_list<const char*> names) {
  return worker_set{std::vector<std::string>(names.begin(), names.end())};
}

output_report changed(const char* summary = "written") { return {true, summary}; }

// A virtual clock and the machine, with the first sync done: the output
// holds {a, b}.
struct synced_machine {
  clock::time_point now{} ;
  sync_machine machine{daemon_options()};
  synced_machine() {
    now += 1h;
    one_of<sync_machine::fetch>(machine.on_resync(now, false));
    one_of<sync_machine::apply>(machine.on_fetched(now, workers({"a", "b"})));
    machine.on_applied(changed());
  }
};

} // namespace

TEST_CASE("an event is fetched at once, a changed set is applied, and the sync is reported") {
  synced_machine t;
  t.now += 1s;
  auto out = t.machine.on_event(t.now, 42);
  one_of<sync_machine::fetch>(out);
  out = t.machine.on_fetched(t.now, workers({"a", "b", "c"}));
  const auto apply = one_of<sync_machine::apply>(out);
  CHECK(apply.request.workers == workers({"a", "b", "c"}));
  CHECK_FALSE(apply.request.rewrite);
  CHECK_FALSE(apply.request.reload);
  CHECK(apply.request.oldest_event_ns == 42);
  out = t.machine.on_applied(changed());
  const auto synced = one_of<sync_machine::synced>(out);
  CHECK(synced.workers == 3);
  CHECK_FALSE(synced.skipped);
}

TEST_CASE("a fetched set the output already holds is not applied again") {
  synced_machine t;
  t.now += 1s;
  t.machine.on_event(t.now, 7);
  const auto out = t.machine.on_fetched(t.now, workers({"a", "b"}));
  CHECK(all_of<sync_machine::apply>(out).empty());
  CHECK(one_of<sync_machine::synced>(out).skipped);
}

TEST_CASE("a forced resync rewrites and reloads even when nothing changed") {
  synced_machine t;
  t.now += 1s;
  one_of<sync_machine::fetch>(t.machine.on_resync(t.now, true));
  const auto apply = one_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"a", "b"})));
  CHECK(apply.request.rewrite);
  CHECK(apply.request.reload);
}

TEST_CASE("a restarted reconciler owes a reload: its first sync reloads even when unchanged") {
  auto options = daemon_options();
  options.reload_first = true;
  sync_machine machine{options};
  const auto now = clock::time_point{} + 1h;
  machine.on_resync(now, false);
  const auto apply = one_of<sync_machine::apply>(machine.on_fetched(now, workers({"a"})));
  CHECK(apply.request.reload);
  CHECK_FALSE(apply.request.rewrite);
  machine.on_applied({false, "unchanged"});
  machine.on_event(now + 1s, 1);
  const auto again = machine.on_fetched(now + 1s, workers({"a", "b"}));
  CHECK_FALSE(one_of<sync_machine::apply>(again).request.reload); // owed once, paid once
}

TEST_CASE("a failed apply keeps the pending change and retries it with back-off") {
  synced_machine t;
  t.now += 1s;
  t.machine.on_event(t.now, 5);
  one_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"a", "b", "c"})));
  auto out = t.machine.on_apply_failed("disk full");
  const auto retry = one_of<sync_machine::retry_later>(out);
  CHECK(retry.delay >= 500ms);
  CHECK(retry.delay <= 750ms);
  CHECK(retry.why == "disk full");
  CHECK(all_of<sync_machine::synced>(out).empty());

  out = t.machine.on_retry();
  const auto apply = one_of<sync_machine::apply>(out);
  CHECK(apply.request.workers == workers({"a", "b", "c"}));
  CHECK(apply.request.oldest_event_ns == 5); // the latency still counts from the event

  SUBCASE("a second failure waits longer") {
    const auto second = one_of<sync_machine::retry_later>(t.machine.on_apply_failed("disk full"));
    CHECK(second.delay >= 1s);
  }
  SUBCASE("a newer set fetched meanwhile replaces the failed one") {
    t.machine.on_apply_failed("disk full");
    t.machine.on_event(t.now + 2s, 9);
    t.machine.on_fetched(t.now + 2s, workers({"a"}));
    CHECK(one_of<sync_machine::apply>(t.machine.on_retry()).request.workers == workers({"a"}));
  }
}

TEST_CASE("one apply at a time: a set fetched meanwhile waits, then goes out") {
  synced_machine t;
  t.now += 1s;
  t.machine.on_event(t.now, 1);
  one_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"a", "b", "c"})));
  one_of<sync_machine::retry_later>(t.machine.on_apply_failed("disk full"));
  t.now += 100ms;
  one_of<sync_machine::fetch>(t.machine.on_event(t.now, 2)); // no apply in flight: fetched at once
  one_of<sync_machine::apply>(t.machine.on_retry());         // and now there is one
  CHECK(all_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"c"}))).empty());
  const auto out = t.machine.on_applied(changed());
  CHECK(one_of<sync_machine::apply>(out).request.workers == workers({"c"}));
}

TEST_CASE("a fetch due while an apply is in flight is asked for once the apply is answered") {
  synced_machine t;
  t.now += 1s;
  t.machine.on_event(t.now, 1);
  one_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"a", "b", "c"})));
  t.now += 1s;
  CHECK(all_of<sync_machine::fetch>(t.machine.on_event(t.now, 2)).empty());
  CHECK(t.machine.fetch_in_flight()); // to the coalescer it is: what follows joins it
  CHECK(all_of<sync_machine::fetch>(t.machine.on_event(t.now + 1ms, 3)).empty());
  CHECK(t.machine.on_poller_replaced().empty()); // nothing was asked of the old poller

  SUBCASE("answered") {
    auto out = t.machine.on_applied(changed());
    one_of<sync_machine::synced>(out);
    one_of<sync_machine::fetch>(out);
    out = t.machine.on_fetched(t.now, workers({"c"}));
    const auto apply = one_of<sync_machine::apply>(out);
    CHECK(apply.request.workers == workers({"c"}));
    CHECK(apply.request.oldest_event_ns == 2);
  }
  SUBCASE("the follow-up of a fetch whose set goes out") {
    auto out = t.machine.on_applied(changed());
    one_of<sync_machine::fetch>(out);
    CHECK(all_of<sync_machine::fetch>(t.machine.on_event(t.now + 2ms, 4)).empty()); // joins it
    out = t.machine.on_fetched(t.now + 10ms, workers({"d"})); // the follow-up is due at once
    one_of<sync_machine::apply>(out);
    CHECK(all_of<sync_machine::fetch>(out).empty());
    one_of<sync_machine::fetch>(t.machine.on_applied(changed()));
  }
  SUBCASE("failed") {
    const auto out = t.machine.on_apply_failed("disk full");
    one_of<sync_machine::retry_later>(out);
    one_of<sync_machine::fetch>(out);
    // The newer set replaces the failed one, and goes out at the retry.
    t.machine.on_fetched(t.now, workers({"c"}));
    CHECK(one_of<sync_machine::apply>(t.machine.on_retry()).request.workers == workers({"c"}));
  }
}

TEST_CASE("a failed fetch is retried after the back-off, a refused credential after --auth-retry") {
  synced_machine t;
  t.now += 1s;
  t.machine.on_event(t.now, 1);
  auto timer = one_of<sync_machine::arm_timer>(t.machine.on_fetch_failed(t.now, fetch_failure::other, "HTTP 500"));
  CHECK(timer.deadline - t.now >= 500ms);
  CHECK(timer.deadline - t.now <= 750ms);
  CHECK(all_of<sync_machine::fetch>(t.machine.on_event(t.now + 1ms, 2)).empty()); // still waiting
  t.now = timer.deadline;
  one_of<sync_machine::fetch>(t.machine.on_timer(t.now, timer.id));
  timer = one_of<sync_machine::arm_timer>(
    t.machine.on_fetch_failed(t.now, fetch_failure::refused_credentials, "HTTP 401"));
  CHECK(timer.deadline - t.now >= 60s);
  t.now = timer.deadline;
  one_of<sync_machine::fetch>(t.machine.on_timer(t.now, timer.id));
  const auto apply = one_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"z"})));
  CHECK(apply.request.oldest_event_ns == 1); // the first unanswered event
}

TEST_CASE("a burst of events while a fetch is in flight costs one follow-up fetch") {
  synced_machine t;
  t.now += 1s;
  one_of<sync_machine::fetch>(t.machine.on_event(t.now, 1));
  for (int i = 0; i < 1000; ++i)
    CHECK(all_of<sync_machine::fetch>(t.machine.on_event(t.now + std::chrono::microseconds(i), 2 + i)).empty());
  auto out = t.machine.on_fetched(t.now + 2ms, workers({"a", "b"}));
  const auto timer = one_of<sync_machine::arm_timer>(out);
  out = t.machine.on_timer(timer.deadline, timer.id);
  one_of<sync_machine::fetch>(out);
  CHECK(one_of<sync_machine::apply>(t.machine.on_fetched(timer.deadline, workers({"x"}))).request.oldest_event_ns == 2);
}

TEST_CASE("a replaced peer is asked again for what was in flight") {
  synced_machine t;
  t.now += 1s;
  CHECK(t.machine.on_poller_replaced().empty());
  CHECK(t.machine.on_output_replaced().empty());
  t.machine.on_event(t.now, 1);
  one_of<sync_machine::fetch>(t.machine.on_poller_replaced());
  const auto first = one_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"q"})));
  const auto again = one_of<sync_machine::apply>(t.machine.on_output_replaced());
  CHECK(again.request.workers == first.request.workers);
}

TEST_CASE("--once finishes after the first complete sync, with the output's summary") {
  auto options = daemon_options();
  options.run.once = true;
  sync_machine machine{options};
  const auto now = clock::time_point{} + 1h;
  one_of<sync_machine::fetch>(machine.on_resync(now, false));
  const auto apply = one_of<sync_machine::apply>(machine.on_fetched(now, workers({"a"})));
  CHECK_FALSE(apply.request.reload);
  const auto finish = one_of<sync_machine::finish>(machine.on_applied({true, "1 worker(s); the master was signalled"}));
  CHECK(finish.ok);
  CHECK(finish.why == "1 worker(s); the master was signalled");
}

TEST_CASE("--once finishes with an error at the first failed fetch or apply, without retrying") {
  auto options = daemon_options();
  options.run.once = true;
  const auto now = clock::time_point{} + 1h;
  SUBCASE("fetch") {
    sync_machine machine{options};
    machine.on_resync(now, false);
    const auto out = machine.on_fetch_failed(now, fetch_failure::other, "HTTP 500");
    const auto finish = one_of<sync_machine::finish>(out);
    CHECK_FALSE(finish.ok);
    CHECK(finish.why.find("fetch failed (HTTP 500)") == 0);
    CHECK(all_of<sync_machine::arm_timer>(out).empty());
  }
  SUBCASE("apply") {
    sync_machine machine{options};
    machine.on_resync(now, false);
    machine.on_fetched(now, workers({"a"}));
    const auto out = machine.on_apply_failed("signal failed");
    CHECK_FALSE(one_of<sync_machine::finish>(out).ok);
    CHECK(all_of<sync_machine::retry_later>(out).empty());
  }
}

TEST_CASE("the machine is idle only once the output holds the last fetched set") {
  synced_machine t;
  CHECK(t.machine.idle());
  t.now += 1s;
  t.machine.on_event(t.now, 1);
  CHECK_FALSE(t.machine.idle()); // fetching
  t.machine.on_fetched(t.now, workers({"a"}));
  CHECK_FALSE(t.machine.idle()); // applying
  t.machine.on_apply_failed("disk full");
  CHECK_FALSE(t.machine.idle()); // waiting to retry
  one_of<sync_machine::apply>(t.machine.on_retry());
  t.machine.on_applied(changed());
  CHECK(t.machine.idle());

  t.now += 1s;
  t.machine.on_event(t.now, 2);
  const auto retry = one_of<sync_machine::arm_timer>(t.machine.on_fetch_failed(t.now, fetch_failure::other, "refused"));
  CHECK_FALSE(t.machine.idle()); // the failed fetch is owed
  t.now = retry.deadline;
  one_of<sync_machine::fetch>(t.machine.on_timer(t.now, retry.id));
  const auto fetched = t.machine.on_fetched(t.now, workers({"a"})); // what the output holds
  CHECK(one_of<sync_machine::synced>(fetched).skipped);
  CHECK(t.machine.idle());
}

TEST_CASE("an output that others can change is given every fetched set, even an unchanged one") {
  auto options = daemon_options();
  options.apply_every_sync = true;
  sync_machine machine{options};
  auto now = clock::time_point{} + 1h;
  machine.on_resync(now, false);
  one_of<sync_machine::apply>(machine.on_fetched(now, workers({"a"})));
  machine.on_applied(changed());
  now += 1s;
  one_of<sync_machine::fetch>(machine.on_resync(now, false)); // the poll interval, say
  const auto apply = one_of<sync_machine::apply>(machine.on_fetched(now, workers({"a"})));
  CHECK(apply.request.workers == workers({"a"}));
}

TEST_CASE("the poll timer asks for a resync every --poll-interval, and not at all with --once or 0") {
  auto options = daemon_options();
  options.poll_interval = 60s;
  sync_machine machine{options};
  CHECK(one_of<sync_machine::arm_poll>(machine.on_start()).delay == 60s);
  auto now = clock::time_point{} + 1h;
  const auto out = machine.on_poll(now);
  one_of<sync_machine::fetch>(out);
  CHECK(one_of<sync_machine::arm_poll>(out).delay == 60s); // the next round
  machine.on_fetched(now, workers({"a"}));

  options.run.once = true;
  CHECK(all_of<sync_machine::arm_poll>(sync_machine{options}.on_start()).empty());
  options.run.once = false;
  options.poll_interval = 0s;
  sync_machine unpolled{options};
  CHECK(all_of<sync_machine::arm_poll>(unpolled.on_start()).empty());
  CHECK(all_of<sync_machine::arm_poll>(unpolled.on_poll(now)).empty());
}

TEST_CASE("a settling set is applied and fetched again every settle interval, for at most settle_for") {
  auto options = daemon_options();
  options.settle_interval = 500ms;
  options.settle_for = 2s;
  sync_machine machine{options};
  auto now = clock::time_point{} + 1h;
  const auto settling = [](std::initializer_list<const char*> names) {
    return worker_set{std::vector<std::string>(names.begin(), names.end()), {}, true};
  };
  one_of<sync_machine::fetch>(machine.on_resync(now, false));
  auto out = machine.on_fetched(now, settling({"a"}));
  one_of<sync_machine::apply>(out);
  auto timer = one_of<sync_machine::arm_timer>(out);
  CHECK(timer.deadline == now + 500ms);
  machine.on_applied(changed());
  CHECK_FALSE(machine.idle());
  // Still settling after 2 s: the last look, then quiet until an event or the poll.
  for (int round = 0; round < 4; ++round) {
    now = timer.deadline;
    one_of<sync_machine::fetch>(machine.on_timer(now, timer.id));
    out = machine.on_fetched(now, settling({"a", "b"}));
    if (!all_of<sync_machine::apply>(out).empty())
      machine.on_applied(changed()); // the next look waits for an apply in flight
    if (round < 3)
      timer = one_of<sync_machine::arm_timer>(out);
  }
  CHECK(all_of<sync_machine::arm_timer>(out).empty());
  // A steady set ends the streak; the next settling one starts a new one.
  one_of<sync_machine::fetch>(machine.on_event(now + 1s, 1));
  CHECK(all_of<sync_machine::arm_timer>(machine.on_fetched(now + 1s, workers({"a", "b"}))).empty());
  one_of<sync_machine::fetch>(machine.on_event(now + 2s, 2));
  CHECK(one_of<sync_machine::arm_timer>(machine.on_fetched(now + 2s, settling({"a"}))).deadline == now + 2s + 500ms);
}

TEST_CASE("the first sync after a pause is the one the streams wait for, until its apply is answered") {
  synced_machine t;
  CHECK_FALSE(t.machine.leading_sync_under_way());
  t.now += 1s;
  one_of<sync_machine::fetch>(t.machine.on_event(t.now, 1));
  CHECK(t.machine.leading_sync_under_way());

  SUBCASE("its set goes out; a follow-up fetch does not hold them") {
    one_of<sync_machine::apply>(t.machine.on_fetched(t.now, workers({"c"})));
    CHECK(t.machine.leading_sync_under_way());
    t.machine.on_event(t.now + 1s, 2); // due at once: owed until the apply is answered
    CHECK(t.machine.leading_sync_under_way());
    one_of<sync_machine::fetch>(t.machine.on_applied(changed()));
    CHECK_FALSE(t.machine.leading_sync_under_way());
  }
  SUBCASE("its set is already out") {
    t.machine.on_fetched(t.now, workers({"a", "b"}));
    CHECK_FALSE(t.machine.leading_sync_under_way());
  }
  SUBCASE("its fetch fails") {
    t.machine.on_fetch_failed(t.now, fetch_failure::other, "HTTP 500");
    CHECK_FALSE(t.machine.leading_sync_under_way());
  }
  SUBCASE("its apply fails") {
    t.machine.on_fetched(t.now, workers({"c"}));
    t.machine.on_apply_failed("disk full");
    CHECK_FALSE(t.machine.leading_sync_under_way());
  }
}
