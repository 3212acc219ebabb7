// The Citus output on the deterministic scheduler. Its database connection
// lives on an io_context that never runs, so the test answers each step
// itself, as the I/O thread would: (internal, pg, step, outcome).
#define CAF_SUITE citus_membership

#include "actors/citus_membership.hpp"
#include "actors/roles.hpp"
#include "runtime/status_pages.hpp"
#include "test/actors/fixture.hpp"

using namespace wlg::test;

namespace {

net::pg_outcome rows(net::pg_rows r) { return {std::move(r), {}}; }
net::pg_outcome ok() { return rows({}); }
net::pg_outcome statement_error(std::string why) { return {std::nullopt, {net::pg_error::kind::statement, std::move(why), {}}}; }
// pg_try_advisory_lock's answer: held by this session, or by another one.
net::pg_outcome lock(bool held) { return rows({{std::string{held ? "t" : "f"}}}); }
net::pg_outcome connect_error(std::string why) { return {std::nullopt, {net::pg_error::kind::connect, std::move(why), {}}}; }

// The conditional removal's answer: removed, or kept with the shards served
// only by it.
net::pg_outcome removed() { return rows({{std::string{"t"}, std::string{"0"}}}); }
net::pg_outcome kept(int only_copies = 0) { return rows({{std::string{"f"}, std::to_string(only_copies)}}); }

// pg_dist_node's active worker nodes.
net::pg_rows nodes(std::initializer_list<const char*> names) {
  net::pg_rows out;
  for (const auto* n : names)
    out.push_back({std::string{n}, std::string{"5432"}, std::string{"t"}});
  return out;
}

// The probe's answer for one node: it answers or not, and the shards whose
// only placement it holds.
net::pg_rows probed(const char* name, bool answers, int only_placements = 0) {
  return {{std::string{name}, std::string{"5432"}, std::string{answers ? "t" : "f"}, std::to_string(only_placements)}};
}

// What an apply was answered with.
struct answer_box {
  std::optional<policy::output_report> report;
  std::optional<caf::error> error;
};

// Asks `target` to apply `request` and keeps the answer, as the reconciler would.
caf::behavior requester(caf::event_based_actor* self, output_actor target, policy::output_request request,
                        std::shared_ptr<answer_box> box) {
  self->request(target, caf::infinite, apply_atom::value, std::move(request))
    .then([box](const policy::output_report& report) { box->report = report; },
          [box](const caf::error& error) { box->error = error; });
  return {};
}

struct fixture : actor_fixture {
  explicit fixture(std::vector<std::string> args = {"--target=citus", "--backoff-initial=100ms", "--backoff-max=1s"})
    : actor_fixture(std::move(args)) {}

  citus_membership_actor start() {
    membership = stopped_at_end(sys.spawn(citus_membership, ctx, citus_output_options(ctx->config)));
    sched.run();
    return membership;
  }

  std::shared_ptr<answer_box> apply(std::initializer_list<const char*> names,
                                    std::map<std::string, std::string> containers = {}) {
    policy::output_request request;
    request.workers = workers(names);
    request.workers.set_containers(std::move(containers));
    auto box = std::make_shared<answer_box>();
    auto asker = sys.spawn(requester, caf::actor_cast<output_actor>(membership), request, box);
    sched.prioritize(asker); // its first run sends the request
    sched.run_once();
    expect((atom_value, policy::output_request), from(asker).to(membership).with(apply_atom::value, _));
    return box;
  }

  // The I/O thread's answer to step `step`.
  void answer(std::uint64_t step, net::pg_outcome outcome) {
    inject((atom_value, atom_value, std::uint64_t, net::pg_outcome),
           from(self).to(membership).with(internal_atom::value, pg_atom::value, step, std::move(outcome)));
  }

  // The first pass of a sidecar wanting {a, b} whose coordinator lists
  // {a, x}, x silent and holding the only placement of `only` shards:
  // connected, leading, read, probed. Step 5 is the pass's first change.
  std::shared_ptr<answer_box> first_pass_with_silent_x(int only) {
    start();
    auto first = apply({"a", "b"});
    answer(1, ok());
    answer(2, lock(true));
    answer(3, rows(nodes({"a", "x"})));
    answer(4, rows(probed("x", false, only)));
    return first;
  }

  // Lets the answer reach its requester.
  const answer_box& reply(const std::shared_ptr<answer_box>& box) {
    sched.run();
    return *box;
  }

  citus_membership_actor membership;
};

template <class Fixture>
struct with_once_citus : Fixture {
  with_once_citus() : Fixture({"--target=citus", "--backoff-initial=100ms", "--once"}) {}
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(citus_membership_tests, fixture)

CAF_TEST(a missing node is added and a failed add is retried for that node alone while the apply is answered) {
  start();
  auto asked = apply({"a", "b", "c"});
  answer(1, ok());                  // connected
  answer(2, lock(true));            // this sidecar leads
  answer(3, rows(nodes({"a"})));    // pg_dist_node holds a
  answer(4, statement_error("connection to the remote node 127.0.0.3 failed")); // b's database is not up
  answer(5, rows({{std::string{"3"}}})); // c added
  const auto& answered = reply(asked);
  CAF_REQUIRE(answered.report.has_value());
  CAF_CHECK(answered.report->changed);
  CAF_CHECK_EQUAL(metrics.citus_add_failures.load(), 1u);
  CAF_CHECK_EQUAL(metrics.citus_nodes_added.load(), 1u);
  CAF_CHECK(metrics.coordinator_connected.load());
  CAF_CHECK(metrics.citus_leader.load());

  advance_time(std::chrono::seconds(1)); // b's back-off
  expect((atom_value, atom_value), from(membership).to(membership).with(internal_atom::value, retry_atom::value));
  answer(6, rows(nodes({"a", "c"})));   // read again, still leading: b alone is missing
  answer(7, rows({{std::string{"2"}}})); // b added
  CAF_CHECK_EQUAL(metrics.citus_nodes_added.load(), 2u);
}

CAF_TEST(without the lock the apply is answered unchanged and nothing is read until the lock is free) {
  start();
  auto first = apply({"a"});
  answer(1, ok());
  answer(2, lock(false)); // another sidecar leads
  const auto& standing_by = reply(first);
  CAF_REQUIRE(standing_by.report.has_value());
  CAF_CHECK(!standing_by.report->changed);
  CAF_CHECK(!metrics.citus_leader.load());
  CAF_CHECK(metrics.coordinator_connected.load());

  auto second = apply({"a"});
  answer(3, lock(true)); // the leader's session ended
  answer(4, rows(nodes({})));
  answer(5, rows({{std::string{"1"}}}));
  CAF_REQUIRE(reply(second).report.has_value());
  CAF_CHECK(metrics.citus_leader.load());
  CAF_CHECK_EQUAL(metrics.citus_nodes_added.load(), 1u);
}

CAF_TEST(a node no longer wanted that holds placements stays and is counted once as stale) {
  start();
  auto first = apply({"a"});
  answer(1, ok());
  answer(2, lock(true));
  answer(3, rows(nodes({"a", "x"})));
  answer(4, rows(probed("x", true))); // x is not wanted: probed first
  answer(5, kept());                  // the removal found placements
  CAF_REQUIRE(reply(first).report.has_value());
  CAF_CHECK_EQUAL(metrics.citus_stale_nodes.load(), 1);
  CAF_CHECK_EQUAL(metrics.citus_nodes_removed.load(), 0u);

  auto second = apply({"a"});
  answer(6, rows(nodes({"a", "x"})));
  answer(7, rows(probed("x", true)));
  answer(8, removed()); // drained meanwhile
  CAF_REQUIRE(reply(second).report.has_value());
  CAF_CHECK_EQUAL(metrics.citus_stale_nodes.load(), 0);
  CAF_CHECK_EQUAL(metrics.citus_nodes_removed.load(), 1u);
}

CAF_TEST(a removal Citus refuses is counted and retried for that node on its own timer with no new apply) {
  start();
  auto first = apply({"a"});
  answer(1, ok());
  answer(2, lock(true));
  answer(3, rows(nodes({"a", "x"})));
  answer(4, rows(probed("x", true)));
  answer(5, statement_error("127.0.0.2:5432 is a metadata node, but is out of sync")); // Citus has not synced yet
  CAF_REQUIRE(reply(first).report.has_value());
  CAF_CHECK_EQUAL(metrics.citus_remove_failures.load(), 1u);
  CAF_CHECK_EQUAL(metrics.citus_stale_nodes.load(), 1);

  advance_time(std::chrono::seconds(1)); // x's back-off
  expect((atom_value, atom_value), from(membership).to(membership).with(internal_atom::value, retry_atom::value));
  answer(6, rows(nodes({"a", "x"})));
  answer(7, rows(probed("x", true)));
  answer(8, removed());
  CAF_CHECK_EQUAL(metrics.citus_nodes_removed.load(), 1u);
  CAF_CHECK_EQUAL(metrics.citus_stale_nodes.load(), 0);
}

CAF_TEST(a node not wanted that stops answering is disabled once it has been silent long enough and then b is added) {
  auto first = first_pass_with_silent_x(0); // silent from now on; not yet 30 s
  answer(5, statement_error("connection to the remote node x:5432 failed")); // x blocks b's add
  answer(6, kept());                   // x holds placements: it stays
  CAF_REQUIRE(reply(first).report.has_value());
  CAF_CHECK_EQUAL(metrics.citus_unreachable_nodes.load(), 1);
  CAF_CHECK(metrics.citus_blocking.get().empty()); // it will be disabled

  // Watched every 500 ms until --disable-unreachable-after (30 s) has passed.
  advance_time(std::chrono::seconds(30));
  expect((atom_value, atom_value), from(membership).to(membership).with(internal_atom::value, retry_atom::value));
  answer(7, rows(nodes({"a", "x"})));
  answer(8, rows(probed("x", false)));
  answer(9, rows({{std::string{""}}})); // disabled
  answer(10, rows({{std::string{"3"}}})); // b added: x no longer blocks it
  answer(11, kept());                     // x stays
  CAF_CHECK_EQUAL(metrics.citus_nodes_disabled.load(), 1u);
  CAF_CHECK_EQUAL(metrics.citus_nodes_added.load(), 1u);
}

CAF_TEST(a silent node holding the only placement of shards blocks and says so and the add goes through once it answers) {
  auto first = first_pass_with_silent_x(16); // Citus would refuse to disable it: not tried
  answer(5, statement_error("connection to the remote node x:5432 failed"));
  answer(6, kept(16)); // its shards are served nowhere else
  CAF_REQUIRE(reply(first).report.has_value());
  const auto departed = metrics.citus_departed.get();
  CAF_REQUIRE_EQUAL(departed.size(), 1u);
  CAF_CHECK_EQUAL(departed.front().node, "x:5432");
  CAF_CHECK_EQUAL(departed.front().shards, 16);
  const auto blocking = metrics.citus_blocking.get();
  CAF_REQUIRE_EQUAL(blocking.size(), 1u);
  CAF_CHECK_EQUAL(blocking.front().node, "x:5432");
  CAF_CHECK_EQUAL(blocking.front().only_placements, 16);

  // The next pass (b's retry, or the watch over x): x answers again, and b
  // is added.
  advance_time(std::chrono::milliseconds(500));
  expect((atom_value, atom_value), from(membership).to(membership).with(internal_atom::value, retry_atom::value));
  answer(7, rows(nodes({"a", "x"})));
  answer(8, rows(probed("x", true)));
  answer(9, rows({{std::string{"3"}}})); // b added
  answer(10, kept(16));
  CAF_CHECK_EQUAL(metrics.citus_nodes_added.load(), 1u);
  CAF_CHECK(metrics.citus_blocking.get().empty());
  CAF_CHECK_EQUAL(metrics.citus_nodes_disabled.load(), 0u);
}

CAF_TEST(a refused probe counts every node as answering so the pass goes on and nothing is disabled) {
  start();
  auto asked = apply({"a", "b"});
  answer(1, ok());
  answer(2, lock(true));
  answer(3, rows(nodes({"a", "x"})));
  answer(4, statement_error("function citus_check_connection_to_node(text, integer) does not exist"));
  answer(5, rows({{std::string{"3"}}})); // b added
  answer(6, kept());                     // x stays
  CAF_REQUIRE(reply(asked).report.has_value());
  CAF_CHECK_EQUAL(metrics.citus_nodes_added.load(), 1u);
  CAF_CHECK_EQUAL(metrics.citus_unreachable_nodes.load(), 0);
  CAF_CHECK_EQUAL(metrics.citus_nodes_disabled.load(), 0u);
}

CAF_TEST(a node whose container changed is checked and one missing its tables is reported with no metadata change) {
  start();
  auto first = apply({"a", "b"}, {{"a", "c1"}, {"b", "c2"}});
  answer(1, ok());
  answer(2, lock(true));
  answer(3, rows(nodes({"a", "b"}))); // first seen: nothing to check
  CAF_REQUIRE(reply(first).report.has_value());
  CAF_CHECK_EQUAL(metrics.citus_placement_checks.load(), 0u);

  auto second = apply({"a", "b"}, {{"a", "c1"}, {"b", "c9"}}); // b's container replaced
  answer(4, rows(nodes({"a", "b"})));
  answer(5, rows({{std::string{"b"}, std::string{"5432"}, std::string{"16"}, std::string{"t"}, std::string{"16"}}}));
  const auto& answered = reply(second);
  CAF_REQUIRE(answered.report.has_value());
  CAF_CHECK(!answered.report->changed); // no statement but the check ran
  CAF_CHECK_EQUAL(metrics.citus_placement_checks.load(), 1u);
  const auto missing = metrics.citus_missing.get();
  CAF_REQUIRE_EQUAL(missing.size(), 1u);
  CAF_CHECK_EQUAL(missing.front().node, "b:5432");
  CAF_CHECK_EQUAL(missing.front().missing, 16);
  const auto health = runtime::health_page(metrics, {true, true, std::chrono::seconds(10)});
  CAF_CHECK_EQUAL(health.status, 503);
  CAF_CHECK(health.body.find("worker node b:5432 came back without 16 of its 16 shard(s)") != std::string::npos);
  CAF_CHECK(runtime::prometheus_text(metrics).find("workerlistgen_citus_missing_placements{node=\"b:5432\"} 16")
            != std::string::npos);

  // Checked again after the poll interval (60 s), not before: its data is back.
  advance_time(std::chrono::seconds(60));
  expect((atom_value, atom_value), from(membership).to(membership).with(internal_atom::value, retry_atom::value));
  answer(6, rows(nodes({"a", "b"})));
  answer(7, rows({{std::string{"b"}, std::string{"5432"}, std::string{"16"}, std::string{"t"}, std::string{"0"}}}));
  CAF_CHECK_EQUAL(metrics.citus_placement_checks.load(), 2u);
  CAF_CHECK(metrics.citus_missing.get().empty());
}

CAF_TEST(an unreachable coordinator fails the apply and is connected again on the next one) {
  start();
  auto first = apply({"a"});
  answer(1, connect_error("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused"));
  CAF_REQUIRE(reply(first).error.has_value());
  CAF_CHECK(is(*first->error, sync_error::coordinator));
  CAF_CHECK(!metrics.coordinator_connected.load());
  CAF_CHECK_EQUAL(metrics.coordinator_connect_failures.load(), 1u);
  CAF_CHECK(metrics.coordinator_problem.load() == protocol::coordinator_problem::unreachable);

  auto second = apply({"a"});
  answer(2, ok()); // a new connection
  answer(3, lock(true));
  answer(4, rows(nodes({"a"})));
  CAF_REQUIRE(reply(second).report.has_value());
  CAF_CHECK_EQUAL(metrics.coordinator_connects.load(), 1u);
  CAF_CHECK(metrics.coordinator_problem.load() == protocol::coordinator_problem::none);
}

CAF_TEST(a connection lost mid-pass fails the apply and counts a reconnect and gives up the lead) {
  start();
  auto asked = apply({"a", "b"});
  answer(1, ok());
  answer(2, lock(true));
  answer(3, rows(nodes({})));
  answer(4, {std::nullopt, {net::pg_error::kind::lost, "server closed the connection unexpectedly", {}}});
  CAF_REQUIRE(reply(asked).error.has_value());
  CAF_CHECK_EQUAL(metrics.coordinator_reconnects.load(), 1u);
  CAF_CHECK(!metrics.coordinator_connected.load());
  CAF_CHECK(!metrics.citus_leader.load());
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(citus_once_tests, with_once_citus<fixture>)

CAF_TEST(once a failed add fails the run) {
  start();
  auto asked = apply({"a"});
  answer(1, ok());
  answer(2, lock(true));
  answer(3, rows({}));
  answer(4, statement_error("connection to the remote node a failed"));
  CAF_REQUIRE(reply(asked).error.has_value());
  CAF_CHECK(is(*asked->error, sync_error::coordinator));
}

CAF_TEST_FIXTURE_SCOPE_END()
