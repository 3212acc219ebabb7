// The state reconciler against mock peers, on the deterministic scheduler:
// each test asserts the message trace between the reconciler, its poller
// and its output.
#define CAF_SUITE state_reconciler

#include "actors/state_reconciler.hpp"
#include "test/actors/fixture.hpp"

using namespace wlg::test;

namespace {

struct fixture : actor_fixture {
  using actor_fixture::actor_fixture;

  state_reconciler_actor start(fetcher_actor poller, output_actor output, bool reload_first,
                               std::atomic<std::uint64_t>* unchanged = nullptr) {
    reconciler_policy policy;
    policy.reload_first = reload_first;
    policy.unchanged = unchanged;
    auto r = stopped_at_end(sys.spawn(state_reconciler, ctx, reconciler_peers{poller, output}, policy));
    // Its first run starts it, and it handles the start-up resync it sends itself.
    sched.prioritize(r);
    sched.run_once();
    return r;
  }

  std::shared_ptr<output_log> outputs = std::make_shared<output_log>();
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(reconciler_tests, fixture)

CAF_TEST(a failed write keeps the pending change and applies it again on retry) {
  auto poller = sys.spawn(answering_poller, workers({"a", "b"}));
  auto output = sys.spawn(recording_output, outputs);
  outputs->failures = 1;
  auto r = start(poller, output, false);
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(workers({"a", "b"})));
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  expect((caf::error), from(output).to(r).with(_));
  CAF_CHECK_EQUAL(metrics.last_sync_unix_ms.load(), 0); // not synced
  advance_time(std::chrono::seconds(1)); // the retry back-off
  expect((atom_value, atom_value), from(r).to(r).with(internal_atom::value, retry_atom::value));
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  expect((policy::output_report), from(output).to(r).with(_));
  CAF_REQUIRE_EQUAL(outputs->requests.size(), 2u);
  CAF_CHECK(outputs->requests[1].workers == workers({"a", "b"}));
  CAF_CHECK_EQUAL(metrics.worker_count.load(), 2);
}

CAF_TEST(its poll timer resyncs every poll interval and the skipped sync is counted where told) {
  auto poller = sys.spawn(answering_poller, workers({"a"}));
  auto output = sys.spawn(recording_output, outputs);
  // The fixture's metrics outlive the actors (a counter on this stack would not).
  auto& unchanged = metrics.file_unchanged;
  auto r = start(poller, output, false, &unchanged);
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(_));
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  expect((policy::output_report), from(output).to(r).with(_));
  CAF_CHECK_EQUAL(unchanged.load(), 0u);
  // CAF 0.17 still delivers an answered request's timeout; the reconciler drops it.
  const auto fetch_timeout = ctx->config.request_timeout * 2 + std::chrono::seconds(1);
  advance_time(fetch_timeout);
  consume_messages();
  advance_time(ctx->config.poll_interval - fetch_timeout);
  expect((atom_value, atom_value), from(r).to(r).with(internal_atom::value, poll_atom::value));
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(_));
  disallow((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _)); // unchanged
  CAF_CHECK_EQUAL(outputs->requests.size(), 1u);
  CAF_CHECK_EQUAL(unchanged.load(), 1u);
  advance_time(fetch_timeout);
  consume_messages();
  advance_time(ctx->config.poll_interval - fetch_timeout); // the next round
  expect((atom_value, atom_value), from(r).to(r).with(internal_atom::value, poll_atom::value));
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
}

CAF_TEST(a restarted reconciler has the consumer reload even when nothing changed) {
  auto poller = sys.spawn(answering_poller, workers({"a"}));
  auto output = sys.spawn(recording_output, outputs);
  auto r = start(poller, output, true);
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(_));
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  CAF_REQUIRE_EQUAL(outputs->requests.size(), 1u);
  CAF_CHECK(outputs->requests[0].reload);
  CAF_CHECK(!outputs->requests[0].rewrite);
}

CAF_TEST(peers re-sends the fetch in flight to the new poller) {
  auto lost = sys.spawn(silent_poller, promises_held<protocol::worker_set>());
  auto replacement = sys.spawn(answering_poller, workers({"x"}));
  auto output = sys.spawn(recording_output, outputs);
  auto r = start(lost, output, false);
  expect((atom_value), from(r).to(lost).with(fetch_atom::value));
  inject((atom_value, fetcher_actor, output_actor),
         from(self).to(r).with(peers_atom::value, caf::actor_cast<fetcher_actor>(replacement),
                               caf::actor_cast<output_actor>(output)));
  expect((atom_value), from(r).to(replacement).with(fetch_atom::value));
  expect((protocol::worker_set), from(replacement).to(r).with(workers({"x"})));
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  anon_send_exit(lost, caf::exit_reason::user_shutdown); // it holds the reconciler through its promise
}

CAF_TEST(peers re-sends the apply in flight to the new output) {
  auto poller = sys.spawn(answering_poller, workers({"y"}));
  auto lost = sys.spawn(silent_output, promises_held<policy::output_report>());
  auto replacement = sys.spawn(recording_output, outputs);
  auto r = start(poller, lost, false);
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(_));
  expect((atom_value, policy::output_request), from(r).to(lost).with(apply_atom::value, _));
  inject((atom_value, fetcher_actor, output_actor),
         from(self).to(r).with(peers_atom::value, caf::actor_cast<fetcher_actor>(poller),
                               caf::actor_cast<output_actor>(replacement)));
  expect((atom_value, policy::output_request), from(r).to(replacement).with(apply_atom::value, _));
  CAF_REQUIRE_EQUAL(outputs->requests.size(), 1u);
  CAF_CHECK(outputs->requests[0].workers == workers({"y"}));
  anon_send_exit(lost, caf::exit_reason::user_shutdown); // it holds the reconciler through its promise
}

CAF_TEST(a failed fetch is retried after the back-off and never reaches the output) {
  auto poller = sys.spawn(failing_poller, std::string{"HTTP 500"});
  auto output = sys.spawn(recording_output, outputs);
  auto r = start(poller, output, false);
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((caf::error), from(poller).to(r).with(_));
  advance_time(std::chrono::milliseconds(100));
  disallow((atom_value), from(r).to(poller));
  advance_time(std::chrono::seconds(1)); // --backoff-initial 500ms, jitter up to 750ms
  expect((atom_value, atom_value, uint64_t), from(r).to(r).with(internal_atom::value, tick_atom::value, _));
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  CAF_CHECK(outputs->requests.empty());
}

CAF_TEST(the pending gauge covers an event from its arrival until the output holds its set) {
  auto poller = sys.spawn(answering_poller, workers({"a"}));
  auto output = sys.spawn(recording_output, outputs);
  auto r = start(poller, output, false);
  CAF_CHECK(metrics.sync_pending.load()); // the start-up sync is owed
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(_));
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  CAF_CHECK(metrics.sync_pending.load());
  expect((policy::output_report), from(output).to(r).with(_));
  CAF_CHECK(!metrics.sync_pending.load());

  advance_time(std::chrono::seconds(1)); // a pause: the events are fetched at once
  inject((atom_value, relevant_events), from(self).to(r).with(event_atom::value, relevant_events{3, 0}));
  CAF_CHECK_EQUAL(metrics.events_relevant.load(), 3u); // every event the message carries
  CAF_CHECK(metrics.sync_pending.load());
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(workers({"a"})));
  CAF_CHECK(!metrics.sync_pending.load()); // the output already holds {a}
  CAF_CHECK_EQUAL(outputs->requests.size(), 1u);
}

CAF_TEST(the streams wait while the first sync after a pause is under way) {
  auto poller = sys.spawn(answering_poller, workers({"a"}));
  auto output = sys.spawn(recording_output, outputs);
  CAF_CHECK(!read_gate->closed());
  auto r = start(poller, output, false);
  CAF_CHECK(read_gate->closed()); // the start-up fetch
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(_));
  CAF_CHECK(read_gate->closed()); // the apply, not yet answered
  advance_time(std::chrono::seconds(1)); // a pause: an event is due for a fetch at once
  inject((atom_value, relevant_events), from(self).to(r).with(event_atom::value, relevant_events{1, 0}));
  disallow((atom_value), from(r).to(poller).with(fetch_atom::value)); // not while the apply is in flight
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  expect((policy::output_report), from(output).to(r).with(_));
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  CAF_CHECK(!read_gate->closed()); // a follow-up: what the streams bring joins it
  expect((protocol::worker_set), from(poller).to(r).with(workers({"a"})));
}

CAF_TEST(what the streams held arrives as a burst and is fetched once it pauses) {
  auto poller = sys.spawn(answering_poller, workers({"a"}));
  auto output = sys.spawn(recording_output, outputs);
  auto r = start(poller, output, false);
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  expect((protocol::worker_set), from(poller).to(r).with(_));
  expect((atom_value, policy::output_request), from(r).to(output).with(apply_atom::value, _));
  expect((policy::output_report), from(output).to(r).with(_));
  advance_time(std::chrono::seconds(1));
  inject((atom_value, relevant_events), from(self).to(r).with(event_atom::value, relevant_events{1, 0}));
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
  CAF_CHECK(read_gate->closed());
  advance_time(std::chrono::seconds(1)); // a slow answer
  expect((protocol::worker_set), from(poller).to(r).with(workers({"a"})));
  CAF_CHECK(!read_gate->closed()); // unchanged: the streams go on
  // The event comes a second after the last one, but right after the streams
  // were let go: it belongs to what they held.
  inject((atom_value, relevant_events), from(self).to(r).with(event_atom::value, relevant_events{1, 0}));
  disallow((atom_value), from(r).to(poller).with(fetch_atom::value));
  advance_time(std::chrono::milliseconds(5));
  expect((atom_value, atom_value, uint64_t), from(r).to(r).with(internal_atom::value, tick_atom::value, _));
  expect((atom_value), from(r).to(poller).with(fetch_atom::value));
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(once_tests, with_once<fixture>)

CAF_TEST(once ends the run normally after the first complete sync) {
  auto poller = sys.spawn(answering_poller, workers({"a"}));
  auto output = sys.spawn(recording_output, outputs);
  auto r = start(poller, output, false);
  const auto reason = run_to_exit(r);
  CAF_REQUIRE(reason.has_value());
  CAF_CHECK(!*reason);
  CAF_CHECK_EQUAL(outputs->requests.size(), 1u);
}

CAF_TEST(once ends the run with once_failed at the first failed fetch) {
  auto poller = sys.spawn(failing_poller, std::string{"HTTP 500"});
  auto output = sys.spawn(recording_output, outputs);
  auto r = start(poller, output, false);
  const auto reason = run_to_exit(r);
  CAF_REQUIRE(reason.has_value());
  CAF_CHECK(is(*reason, sync_error::once_failed));
  CAF_CHECK(outputs->requests.empty());
}

CAF_TEST(once ends the run with once_failed when the output fails) {
  auto poller = sys.spawn(answering_poller, workers({"a"}));
  auto output = sys.spawn(recording_output, outputs);
  outputs->failures = 1;
  auto r = start(poller, output, false);
  const auto reason = run_to_exit(r);
  CAF_REQUIRE(reason.has_value());
  CAF_CHECK(is(*reason, sync_error::once_failed));
  CAF_CHECK_EQUAL(outputs->requests.size(), 1u); // not retried
}

CAF_TEST_FIXTURE_SCOPE_END()
