// The Citus output's progress, simulated on a virtual clock: each step the
// machine asks for is answered by the test, as the database would.

#include "policy/citus_output_machine.hpp"
#include "test/unit/citus_nodes.hpp"
#include "test/unit/commands.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;
using machine = citus_output_machine;
namespace protocol = wlg::protocol;

namespace {

machine::options quick() {
  machine::options o;
  o.plan = quick_plan();
  o.run = quick_run();
  o.health.refused_retry = 1s; // as quick_plan's retry_max
  return o;
}

node_change adding(const char* name) { return {node(name), node_change::kind::add, {}}; }
node_change removing(const char* name) { return {node(name), node_change::kind::remove, {}}; }
node_change updating(const char* from, const char* to) { return {node(to), node_change::kind::update, node(from)}; }

// `m` reads `present` (`inactive` of them disabled) and, when it asks,
// probes them: every node answers but the `silent` ones, which hold the only
// placement of `only` shards each. What both steps returned.
machine::commands nodes_read(machine& m, const std::set<citus_node>& present, time_point now,
                             const std::set<citus_node>& inactive = {}, const std::set<citus_node>& silent = {},
                             std::int64_t only = 0) {
  auto out = m.on_nodes(present, now, inactive);
  const auto probes = all_of<machine::probe_nodes>(out);
  if (probes.empty())
    return out;
  std::vector<node_health::probe_result> results;
  for (const auto& n : probes.front().nodes)
    results.push_back({n, !silent.count(n), silent.count(n) ? only : 0});
  std::erase_if(out, [](const auto& c) { return std::holds_alternative<machine::probe_nodes>(c); });
  for (auto& c : m.on_probed(results, now))
    out.push_back(std::move(c));
  return out;
}

// Connects `m` and has it lead; it then reads the nodes.
void lead(machine& m) {
  one_of<machine::take_lock>(m.on_connected());
  one_of<machine::read_nodes>(m.on_lock(true));
}

// A machine with `options`, connected and leading, its first pass (for
// `wanted`) about to read the nodes.
machine reading(machine::options options, std::set<citus_node> wanted) {
  machine m{options};
  one_of<machine::connect>(m.on_apply(std::move(wanted)));
  if (options.run.rehearse)
    one_of<machine::read_nodes>(m.on_connected()); // --dry-run takes no lock
  else
    lead(m);
  return m;
}

// A machine connected, whose coordinator lists {a}.
struct connected_machine {
  time_point now = time_point{} + 1h;
  machine m{quick()};
  connected_machine() {
    one_of<machine::connect>(m.on_apply(nodes({"a"})));
    lead(m);
    one_of<machine::answer>(nodes_read(m, nodes({"a"}), now));
  }
};

} // namespace

TEST_CASE("the first apply connects, reads the nodes, adds the missing ones in turn and answers") {
  machine m{quick()};
  const auto now = time_point{} + 1h;
  one_of<machine::connect>(m.on_apply(nodes({"a", "b", "c"})));
  CHECK(m.busy());
  lead(m);
  CHECK(m.connected());
  CHECK(one_of<machine::run_change>(nodes_read(m, nodes({"a"}), now)).change == adding("b"));
  CHECK(one_of<machine::run_change>(m.on_added()).change == adding("c"));
  const auto done = one_of<machine::answer>(m.on_added());
  CHECK(done.through == 1);
  CHECK(done.report.changed);
  CHECK(done.report.summary == "3 wanted worker node(s); the coordinator was changed");
  CHECK_FALSE(m.busy());
}

TEST_CASE("a connected machine reads again on every apply, and answers unchanged when nothing is to do") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a"})));
  const auto done = one_of<machine::answer>(nodes_read(t.m, nodes({"a"}), t.now));
  CHECK_FALSE(done.report.changed);
  CHECK(done.report.summary == "1 wanted worker node(s); the coordinator already had them");
}

TEST_CASE("a held-back worker (its healthcheck fails) is not added, and one already registered stays") {
  connected_machine t; // the coordinator lists a
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"b"}), {}, nodes({"a", "c"})));
  auto out = nodes_read(t.m, nodes({"a"}), t.now);
  CHECK(one_of<machine::run_change>(out).change == adding("b")); // not c; and a is not removed
  out = t.m.on_added();
  CHECK(one_of<machine::answer>(out).report.changed);
  CHECK(all_of<machine::run_change>(out).empty());
  // Once c's check passes it is wanted, and added.
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"b", "c"}), {}, nodes({"a"})));
  CHECK(one_of<machine::run_change>(nodes_read(t.m, nodes({"a", "b"}), t.now)).change == adding("c"));
}

TEST_CASE("applies during a pass are answered by one more pass, with the newest set") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b"}))); // ticket 2
  CHECK(t.m.on_apply(nodes({"a", "c"})).empty());                // 3: waits
  CHECK(t.m.on_apply(nodes({"a", "d"})).empty());                // 4: waits
  auto out = nodes_read(t.m, nodes({"a"}), t.now);
  CHECK(one_of<machine::run_change>(out).change == adding("d")); // the pass reads the newest wish
  out = t.m.on_added();
  CHECK(one_of<machine::answer>(out).through == 2);
  one_of<machine::read_nodes>(out); // the next pass starts at once
  CHECK(one_of<machine::answer>(nodes_read(t.m, nodes({"a", "d"}), t.now)).through == 4);
}

TEST_CASE("a refused add is retried for that node alone when due, while the others go on") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b", "c"})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now)); // b
  auto out = t.m.on_add_refused("could not connect to b", t.now);
  const auto refused = one_of<machine::add_refused>(out);
  CHECK(refused.node == node("b"));
  CHECK(refused.retry_in >= 100ms);
  CHECK(one_of<machine::run_change>(out).change == adding("c"));
  out = t.m.on_added();
  CHECK(one_of<machine::answer>(out).report.changed); // the apply is answered all the same
  const auto retry = one_of<machine::arm_retry>(out);
  CHECK(retry.due == t.now + refused.retry_in);

  // When due, its timer's pass tries b again.
  one_of<machine::read_nodes>(t.m.on_retry());
  CHECK(one_of<machine::run_change>(nodes_read(t.m, nodes({"a", "c"}), retry.due)).change == adding("b"));
  out = t.m.on_added();
  one_of<machine::answer>(out);
  CHECK(all_of<machine::arm_retry>(out).empty()); // nothing waits any more
}

TEST_CASE("a new apply or a new connection tries a refused add at once, its back-off kept for the next refusal") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b"})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now));
  auto first = one_of<machine::add_refused>(t.m.on_add_refused("the blocking node is down", t.now));
  // An event (the worker healthy, the blocking node back) brings an apply
  // long before the back-off runs out: b is tried at once.
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b"})));
  CHECK(one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now + 1ms)).change == adding("b"));
  const auto second = one_of<machine::add_refused>(t.m.on_add_refused("still down", t.now + 1ms));
  CHECK(second.retry_in > first.retry_in); // the back-off still grows
  // The coordinator reconnects: b is tried at once too.
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b"})));
  t.m.on_lost("server closed the connection unexpectedly");
  one_of<machine::connect>(t.m.on_retry());
  one_of<machine::take_lock>(t.m.on_connected());
  one_of<machine::read_nodes>(t.m.on_lock(true));
  CHECK(one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now + 2ms)).change == adding("b"));
}

TEST_CASE("an unreachable coordinator fails the apply, is reported once per reason, and is tried again next time") {
  using protocol::coordinator_problem;
  machine m{quick()};
  one_of<machine::connect>(m.on_apply(nodes({"a"})));
  auto out = m.on_connect_failed(coordinator_problem::unreachable, "connection refused");
  CHECK_FALSE(one_of<machine::drop_connection>(out).lost);
  CHECK(one_of<machine::unreachable>(out).why == "connection refused");
  CHECK(one_of<machine::fail>(out).why
        == "cannot reach the coordinator (is it running, and is the host right?): connection refused");
  CHECK(position_of<machine::drop_connection>(out) < position_of<machine::fail>(out));

  one_of<machine::connect>(m.on_apply(nodes({"a"})));
  out = m.on_connect_failed(coordinator_problem::unreachable, "connection refused");
  CHECK(all_of<machine::unreachable>(out).empty()); // the same state: not reported again
  one_of<machine::fail>(out);

  one_of<machine::connect>(m.on_apply(nodes({"a"})));
  const auto starting = one_of<machine::unreachable>(
    m.on_connect_failed(coordinator_problem::starting_up, "the database system is starting up"));
  CHECK(starting.problem == coordinator_problem::starting_up);

  one_of<machine::connect>(m.on_apply(nodes({"a"})));
  lead(m);
  out = nodes_read(m, nodes({"a"}), time_point{});
  one_of<machine::usable>(out); // once, after the problem
  one_of<machine::answer>(out);
  one_of<machine::read_nodes>(m.on_apply(nodes({"a"})));
  CHECK(all_of<machine::usable>(nodes_read(m, nodes({"a"}), time_point{})).empty());
}

TEST_CASE("a database without Citus fails the apply once per change of state, and keeps the connection") {
  using protocol::coordinator_problem;
  machine m{quick()};
  one_of<machine::connect>(m.on_apply(nodes({"a"})));
  lead(m);
  auto out = m.on_read_refused(coordinator_problem::no_citus, "relation \"pg_dist_node\" does not exist");
  CHECK(one_of<machine::unreachable>(out).problem == coordinator_problem::no_citus);
  CHECK(one_of<machine::fail>(out).why.find("run CREATE EXTENSION citus") != std::string::npos);
  CHECK(all_of<machine::drop_connection>(out).empty());
  CHECK(m.connected());
  // The next pass reads again on the same connection, and says nothing new.
  one_of<machine::read_nodes>(m.on_apply(nodes({"a"})));
  out = m.on_read_refused(coordinator_problem::no_citus, "relation \"pg_dist_node\" does not exist");
  CHECK(all_of<machine::unreachable>(out).empty());
  one_of<machine::fail>(out);
}

TEST_CASE("a connection lost mid-pass fails the apply, says while doing what, and connects again next time") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b"})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now));
  const auto out = t.m.on_lost("server closed the connection unexpectedly");
  const auto dropped = one_of<machine::drop_connection>(out);
  CHECK(dropped.lost);
  CHECK(dropped.why == "lost the coordinator while adding b:5432: server closed the connection unexpectedly");
  CHECK(one_of<machine::fail>(out).why == dropped.why);
  CHECK_FALSE(t.m.connected());
  one_of<machine::connect>(t.m.on_apply(nodes({"a", "b"})));
}

TEST_CASE("a node no longer wanted is removed if empty, one that stays is reported once and counted as stale") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({})));
  CHECK(one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now)).change == removing("a"));
  auto out = t.m.on_kept("it holds shard placements");
  CHECK(one_of<machine::kept>(out).node == node("a"));
  one_of<machine::answer>(out);
  CHECK(t.m.stale_nodes() == 1);

  one_of<machine::read_nodes>(t.m.on_apply(nodes({})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now));
  CHECK(all_of<machine::kept>(t.m.on_kept("it holds shard placements")).empty()); // reported once
  CHECK(t.m.stale_nodes() == 1);

  one_of<machine::read_nodes>(t.m.on_apply(nodes({})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now));
  CHECK(one_of<machine::answer>(t.m.on_removed()).report.changed);
  CHECK(t.m.stale_nodes() == 0);
}

TEST_CASE("with --remove-workers=never no node is ever removed") {
  auto options = quick();
  options.plan.remove_unwanted = false;
  auto m = reading(options, nodes({"a"}));
  CHECK(one_of<machine::run_change>(nodes_read(m, nodes({"b", "c"}), time_point{})).change == adding("a"));
  one_of<machine::answer>(m.on_added());
}

TEST_CASE("--once: a refused add fails the run, and no retry is armed") {
  auto options = quick();
  options.run.once = true;
  auto m = reading(options, nodes({"a"}));
  one_of<machine::run_change>(nodes_read(m, nodes({}), time_point{}));
  const auto out = m.on_add_refused("could not connect to a", time_point{});
  CHECK(one_of<machine::fail>(out).why == "a worker node could not be added");
  CHECK(all_of<machine::arm_retry>(out).empty());
  CHECK(all_of<machine::answer>(out).empty());
}

TEST_CASE("--dry-run shows the changes and runs none") {
  auto options = quick();
  options.run.rehearse = true;
  auto m = reading(options, nodes({"a", "b"}));
  const auto out = nodes_read(m, nodes({"a", "z"}), time_point{});
  CHECK(one_of<machine::show_changes>(out).changes == std::vector<node_change>{adding("b"), removing("z")});
  CHECK(all_of<machine::run_change>(out).empty());
  const auto done = one_of<machine::answer>(out);
  CHECK_FALSE(done.report.changed);
  CHECK(done.report.summary == "dry run: no statement was run");
}

TEST_CASE("an outcome for a step not under way changes nothing") {
  machine m{quick()};
  CHECK(m.on_connected().empty());
  CHECK(m.on_lock(true).empty());
  CHECK(m.on_added().empty());
  CHECK(m.on_lost("late").empty());
  one_of<machine::connect>(m.on_apply(nodes({"a"})));
  CHECK(m.on_nodes(nodes({}), time_point{}).empty()); // still connecting
  CHECK(m.busy());
}

TEST_CASE("a replaced node is updated in place before the adds, and counts as a change") {
  machine m{quick()};
  const auto now = time_point{} + 1h;
  one_of<machine::connect>(m.on_apply(nodes({"a", "new"}), {{node("new"), {node("old")}}}));
  lead(m);
  CHECK(one_of<machine::run_change>(nodes_read(m, nodes({"old"}), now)).change == updating("old", "new"));
  CHECK(one_of<machine::run_change>(m.on_added()).change == adding("a"));
  CHECK(one_of<machine::answer>(m.on_added()).report.changed);
}

TEST_CASE("a refused update is retried for that node alone, as an update again") {
  machine m{quick()};
  const auto now = time_point{} + 1h;
  const membership_plan::successions formers{{node("new"), {node("old")}}};
  one_of<machine::connect>(m.on_apply(nodes({"new"}), formers));
  lead(m);
  one_of<machine::run_change>(nodes_read(m, nodes({"old"}), now));
  const auto out = m.on_add_refused("lock timeout", now);
  CHECK(one_of<machine::add_refused>(out).node == node("new"));
  const auto retry = one_of<machine::arm_retry>(out);
  one_of<machine::read_nodes>(m.on_retry());
  CHECK(one_of<machine::run_change>(nodes_read(m, nodes({"old"}), retry.due)).change == updating("old", "new"));
}

TEST_CASE("only the holder of the lock acts: a standby answers unchanged and tries the lock on each pass") {
  machine m{quick()};
  one_of<machine::connect>(m.on_apply(nodes({"a"})));
  one_of<machine::take_lock>(m.on_connected());
  auto out = m.on_lock(false);
  CHECK_FALSE(one_of<machine::role>(out).leader);
  const auto done = one_of<machine::answer>(out);
  CHECK_FALSE(done.report.changed);
  CHECK(done.report.summary.find("standing by") != std::string::npos);
  CHECK(all_of<machine::read_nodes>(out).empty());
  // Still standing by: said once.
  one_of<machine::take_lock>(m.on_apply(nodes({"a"})));
  CHECK(all_of<machine::role>(m.on_lock(false)).empty());
  // The leader's session ended: this one leads from now on, without asking again.
  one_of<machine::take_lock>(m.on_apply(nodes({"a"})));
  out = m.on_lock(true);
  CHECK(one_of<machine::role>(out).leader);
  one_of<machine::read_nodes>(out);
  one_of<machine::answer>(nodes_read(m, nodes({"a"}), time_point{}));
  one_of<machine::read_nodes>(m.on_apply(nodes({"a"})));
}

TEST_CASE("a leader that loses its connection stops leading until it holds the lock again") {
  connected_machine t;
  CHECK(t.m.leader());
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a"})));
  auto out = t.m.on_lost("server closed the connection unexpectedly");
  CHECK_FALSE(one_of<machine::role>(out).leader);
  CHECK_FALSE(t.m.leader());
  one_of<machine::connect>(t.m.on_apply(nodes({"a"})));
  one_of<machine::take_lock>(t.m.on_connected());
}

namespace {

machine::options rebalancing(bool once = false) {
  auto options = quick();
  options.rebalance_after_add = true;
  options.run.once = once;
  return options;
}

} // namespace

TEST_CASE("--rebalance=after-add: a pass that added a node starts one rebalance, follows it, and starts none meanwhile") {
  auto m = reading(rebalancing(), nodes({"a", "b"}));
  one_of<machine::run_change>(nodes_read(m, nodes({"a"}), time_point{}));
  one_of<machine::read_rebalance>(m.on_added()); // is one running?
  one_of<machine::start_rebalance>(m.on_rebalance_status("finished")); // an earlier one ended: start
  auto out = m.on_rebalance_started(42);
  CHECK(one_of<machine::rebalance_state>(out).phase == rebalance_phase::running);
  CHECK(one_of<machine::arm_follow>(out).delay == std::chrono::seconds(1));
  CHECK(one_of<machine::answer>(out).report.changed); // the apply does not wait for it

  // Another node added while it runs: no second job, it is followed.
  one_of<machine::read_nodes>(m.on_apply(nodes({"a", "b", "c"})));
  one_of<machine::run_change>(nodes_read(m, nodes({"a", "b"}), time_point{}));
  one_of<machine::read_rebalance>(m.on_added());
  out = m.on_rebalance_status("running");
  CHECK(all_of<machine::start_rebalance>(out).empty());
  CHECK(all_of<machine::arm_follow>(out).empty()); // already armed
  one_of<machine::answer>(out);

  // The timer: a pass of its own reads the state; once it has finished, the
  // owed rebalance (for c) starts.
  one_of<machine::read_nodes>(m.on_follow());
  one_of<machine::read_rebalance>(nodes_read(m, nodes({"a", "b", "c"}), time_point{}));
  out = m.on_rebalance_status("finished");
  CHECK(one_of<machine::rebalance_state>(out).phase == rebalance_phase::finished);
  one_of<machine::start_rebalance>(out);
  out = m.on_rebalance_started(std::nullopt); // nothing to move
  one_of<machine::answer>(out);
  CHECK(all_of<machine::arm_follow>(out).empty());
  // Nothing added, nothing running: no rebalance step at all.
  one_of<machine::read_nodes>(m.on_apply(nodes({"a", "b", "c"})));
  one_of<machine::answer>(nodes_read(m, nodes({"a", "b", "c"}), time_point{}));
}

TEST_CASE("--rebalance: a refused start is reported and not retried until the next add, and --once fails on it") {
  auto m = reading(rebalancing(), nodes({"a", "b"}));
  one_of<machine::run_change>(nodes_read(m, nodes({"a"}), time_point{}));
  one_of<machine::read_rebalance>(m.on_added());
  one_of<machine::start_rebalance>(m.on_rebalance_status(""));
  auto out = m.on_rebalance_refused("logical decoding requires wal_level >= logical");
  CHECK(one_of<machine::rebalance_state>(out).phase == rebalance_phase::failed);
  one_of<machine::answer>(out);
  one_of<machine::read_nodes>(m.on_apply(nodes({"a", "b"})));
  one_of<machine::answer>(nodes_read(m, nodes({"a", "b"}), time_point{}));

  auto once = reading(rebalancing(true), nodes({"a", "b"}));
  one_of<machine::run_change>(nodes_read(once, nodes({"a"}), time_point{}));
  one_of<machine::read_rebalance>(once.on_added());
  one_of<machine::start_rebalance>(once.on_rebalance_status(""));
  CHECK(one_of<machine::fail>(once.on_rebalance_refused("wal_level")).why == "rebalance: wal_level");
}

TEST_CASE("--rebalance with --once: the answer waits for the job to end, and says how it ended") {
  auto m = reading(rebalancing(true), nodes({"a", "b"}));
  one_of<machine::run_change>(nodes_read(m, nodes({"a"}), time_point{}));
  one_of<machine::read_rebalance>(m.on_added());
  one_of<machine::start_rebalance>(m.on_rebalance_status(""));
  auto out = m.on_rebalance_started(7);
  one_of<machine::arm_follow>(out);
  CHECK(all_of<machine::answer>(out).empty());
  one_of<machine::read_rebalance>(m.on_follow());
  one_of<machine::arm_follow>(m.on_rebalance_status("running"));
  one_of<machine::read_rebalance>(m.on_follow());
  const auto done = one_of<machine::answer>(m.on_rebalance_status("finished"));
  CHECK(done.report.summary.find("the rebalance finished") != std::string::npos);

  auto failing = reading(rebalancing(true), nodes({"a", "b"}));
  one_of<machine::run_change>(nodes_read(failing, nodes({"a"}), time_point{}));
  one_of<machine::read_rebalance>(failing.on_added());
  one_of<machine::start_rebalance>(failing.on_rebalance_status(""));
  failing.on_rebalance_started(8);
  one_of<machine::read_rebalance>(failing.on_follow());
  CHECK(one_of<machine::fail>(failing.on_rebalance_status("failed")).why == "rebalance: the job ended failed");
}

TEST_CASE("--rebalance with --dry-run shows the statement with the adds") {
  auto options = rebalancing();
  options.run.rehearse = true;
  auto m = reading(options, nodes({"a", "b"}));
  CHECK(one_of<machine::show_changes>(nodes_read(m, nodes({"a"}), time_point{})).rebalance);
}

// --- nodes that do not answer ---------------------------------------------------

namespace {

node_change disabling(const char* name) { return {node(name), node_change::kind::disable, {}}; }
node_change activating(const char* name) { return {node(name), node_change::kind::activate, {}}; }

machine::options disabling_after(duration after) {
  auto options = quick();
  options.health.disable_after = after;
  return options;
}

} // namespace

TEST_CASE("a pass probes the registered nodes not wanted, then disables a silent one before it adds") {
  const auto now = time_point{} + 1h;
  auto m = reading(disabling_after(0s), nodes({"a", "b"}));
  auto out = m.on_nodes(nodes({"a", "x"}), now);
  CHECK(one_of<machine::probe_nodes>(out).nodes == std::vector<citus_node>{node("x")});
  CHECK(all_of<machine::run_change>(out).empty());
  out = m.on_probed({{node("x"), false, 0}}, now);
  CHECK(one_of<machine::run_change>(out).change == disabling("x"));
  const auto health = one_of<machine::nodes_health>(out);
  CHECK(health.unreachable == std::vector<citus_node>{node("x")});
  CHECK(health.blocking.empty());
  out = m.on_disabled();
  CHECK(one_of<machine::nodes_health>(out) == machine::nodes_health{{}, 1, {}, {}});
  CHECK(one_of<machine::run_change>(out).change == adding("b"));
  CHECK(one_of<machine::run_change>(m.on_added()).change == removing("x"));
  CHECK(one_of<machine::answer>(m.on_kept("it holds shard placements")).report.changed);
}

// Two drained workers that go at once: Citus sends a removal to every other
// active node with metadata, so each would block the other's (waiting out
// Citus's connection timeout first). Neither is tried until both are
// disabled; then Citus refuses until it has synced its metadata (seconds),
// and the refused removals are retried.
TEST_CASE("two silent nodes not wanted: no removal until both are disabled, then refused removals are retried per node") {
  const auto now = time_point{} + 1h;
  auto m = reading(disabling_after(30s), nodes({"a"}));
  auto out = nodes_read(m, nodes({"a", "x", "y"}), now, {}, nodes({"x", "y"}));
  CHECK(all_of<machine::run_change>(out).empty());
  CHECK_FALSE(one_of<machine::answer>(out).report.changed);
  CHECK(one_of<machine::arm_retry>(out).due == now + 500ms); // the watch
  CHECK(m.stale_nodes() == 2);

  one_of<machine::read_nodes>(m.on_retry());
  const auto later = now + 30s;
  out = nodes_read(m, nodes({"a", "x", "y"}), later, {}, nodes({"x", "y"}));
  CHECK(one_of<machine::run_change>(out).change == disabling("x"));
  CHECK(one_of<machine::run_change>(m.on_disabled()).change == disabling("y"));
  out = m.on_disabled();
  CHECK(one_of<machine::answer>(out).report.changed);
  one_of<machine::read_nodes>(out); // planned again at once

  out = nodes_read(m, nodes({"a", "x", "y"}), later, nodes({"x", "y"}));
  CHECK(one_of<machine::run_change>(out).change == removing("x"));
  out = m.on_remove_refused("127.0.0.2:5432 is a metadata node, but is out of sync", later);
  const auto refused = one_of<machine::remove_refused>(out);
  CHECK(refused.node == node("x"));
  CHECK(refused.retry_in >= 100ms);
  CHECK(refused.retry_in <= 150ms);
  CHECK(one_of<machine::run_change>(out).change == removing("y"));
  out = m.on_remove_refused("127.0.0.2:5432 is a metadata node, but is out of sync", later);
  CHECK(one_of<machine::remove_refused>(out).node == node("y"));
  CHECK_FALSE(one_of<machine::answer>(out).report.changed);
  CHECK(one_of<machine::arm_retry>(out).due <= later + 150ms);

  // A pass before they are due tries neither (a new apply would make them due at once).
  one_of<machine::read_nodes>(m.on_retry());
  out = nodes_read(m, nodes({"a", "x", "y"}), later + 10ms, nodes({"x", "y"}));
  CHECK(all_of<machine::run_change>(out).empty());

  one_of<machine::read_nodes>(m.on_retry());
  out = nodes_read(m, nodes({"a", "x", "y"}), later + 150ms, nodes({"x", "y"}));
  CHECK(one_of<machine::run_change>(out).change == removing("x"));
  CHECK(one_of<machine::run_change>(m.on_removed()).change == removing("y"));
  out = m.on_removed();
  CHECK(one_of<machine::answer>(out).report.changed);
  CHECK(all_of<machine::arm_retry>(out).empty());
  CHECK(m.stale_nodes() == 0);
}

TEST_CASE("a disable starts the back-off of refused removals again, and tries them at once") {
  const auto now = time_point{} + 1h;
  auto m = reading(disabling_after(0s), nodes({"a"}));
  auto t = now;
  auto out = nodes_read(m, nodes({"a", "x"}), t);
  for (int i = 0; i < 4; ++i) { // refused again and again: the back-off grows to its 1 s maximum
    CHECK(one_of<machine::run_change>(out).change == removing("x"));
    t = one_of<machine::arm_retry>(m.on_remove_refused("lock timeout", t)).due;
    one_of<machine::read_nodes>(m.on_retry());
    out = nodes_read(m, nodes({"a", "x"}), t);
  }
  const auto grown = one_of<machine::remove_refused>(m.on_remove_refused("lock timeout", t)).retry_in;
  CHECK(grown >= 1s);

  // z goes silent and is disabled: x is tried at once, and its next back-off is the first again.
  one_of<machine::read_nodes>(m.on_apply(nodes({"a"})));
  out = nodes_read(m, nodes({"a", "x", "z"}), t + 10ms, {}, nodes({"z"}));
  CHECK(one_of<machine::run_change>(out).change == disabling("z"));
  CHECK(one_of<machine::run_change>(m.on_disabled()).change == removing("z")); // x waited for it
  one_of<machine::read_nodes>(m.on_removed());
  out = nodes_read(m, nodes({"a", "x"}), t + 10ms);
  CHECK(one_of<machine::run_change>(out).change == removing("x"));
  CHECK(one_of<machine::remove_refused>(m.on_remove_refused("lock timeout", t + 10ms)).retry_in <= 150ms);
}

TEST_CASE("the nodes' health is reported when it changes, and a refused disable is said once") {
  const auto now = time_point{} + 1h;
  auto m = reading(disabling_after(0s), nodes({}));
  auto out = nodes_read(m, nodes({"x"}), now, {}, nodes({"x"}));
  CHECK(one_of<machine::nodes_health>(out).unreachable.size() == 1);
  CHECK(one_of<machine::run_change>(out).change == disabling("x"));
  out = m.on_disable_refused("disabling the first worker node in the metadata is not allowed", now);
  CHECK(one_of<machine::disable_refused>(out).node == node("x"));
  one_of<machine::run_change>(out); // its removal
  one_of<machine::answer>(m.on_kept("it holds shard placements"));

  one_of<machine::read_nodes>(m.on_apply(nodes({})));
  out = nodes_read(m, nodes({"x"}), now + 100ms, {}, nodes({"x"}));
  const auto health = one_of<machine::nodes_health>(out); // now it blocks
  REQUIRE(health.blocking.size() == 1);
  CHECK(health.blocking.front().why.find("Citus refused to disable it") == 0);
  one_of<machine::answer>(m.on_kept("it holds shard placements"));

  one_of<machine::read_nodes>(m.on_apply(nodes({})));
  out = nodes_read(m, nodes({"x"}), now + 200ms, {}, nodes({"x"}));
  CHECK(all_of<machine::nodes_health>(out).empty()); // unchanged
  CHECK(all_of<machine::disable_refused>(m.on_kept("it holds shard placements")).empty());
}

TEST_CASE("a silent node is watched: a pass is due 500 ms later, sooner than an add's longer back-off") {
  const auto now = time_point{} + 1h;
  auto options = disabling_after(30s);
  options.plan.retry_initial = 10s;
  options.plan.retry_max = 1min;
  auto m = reading(options, nodes({"b"}));
  one_of<machine::run_change>(nodes_read(m, nodes({}), now));
  const auto first = one_of<machine::arm_retry>(m.on_add_refused("lock timeout", now));
  CHECK(first.due >= now + 10s);

  // x has gone silent since: the watch is due before b's retry, and armed.
  one_of<machine::read_nodes>(m.on_apply(nodes({"b"})));
  auto out = nodes_read(m, nodes({"x"}), now + 1s, {}, nodes({"x"}), 8);
  one_of<machine::run_change>(out); // b, due at once on a new apply
  out = m.on_add_refused("connection to the remote node x:5432 failed", now + 1s);
  one_of<machine::run_change>(out); // x's removal
  out = m.on_kept("it holds shard placements");
  CHECK(one_of<machine::arm_retry>(out).due == now + 1s + 500ms);

  // x answers on the watch's pass: b is added then, not after its back-off.
  one_of<machine::read_nodes>(m.on_retry());
  out = nodes_read(m, nodes({"x"}), now + 1500ms);
  CHECK(one_of<machine::run_change>(out).change == adding("b"));
  CHECK(one_of<machine::nodes_health>(out).blocking.empty());
}

TEST_CASE("a disabled node wanted again and answering is activated, and owes a rebalance like an add") {
  auto options = quick();
  options.rebalance_after_add = true;
  auto m = reading(options, nodes({"a", "x"}));
  auto out = m.on_nodes(nodes({"a", "x"}), time_point{}, nodes({"x"}));
  CHECK(one_of<machine::probe_nodes>(out).nodes == std::vector<citus_node>{node("x")});
  out = m.on_probed({{node("x"), true, 0}}, time_point{});
  CHECK(one_of<machine::nodes_health>(out).disabled == 1);
  CHECK(one_of<machine::run_change>(out).change == activating("x"));
  out = m.on_added();
  CHECK(one_of<machine::nodes_health>(out).disabled == 0);
  one_of<machine::read_rebalance>(out);
}

TEST_CASE("the connection lost while probing fails the pass") {
  auto m = reading(quick(), nodes({}));
  one_of<machine::probe_nodes>(m.on_nodes(nodes({"x"}), time_point{}));
  const auto out = m.on_lost("server closed the connection unexpectedly");
  CHECK(one_of<machine::fail>(out).why
        == "lost the coordinator while probing worker nodes: server closed the connection unexpectedly");
}

TEST_CASE("a refused disable is said again when its node went silent again after answering") {
  const auto now = time_point{} + 1h;
  auto m = reading(disabling_after(0s), nodes({}));
  const auto refuse = [&](time_point at) {
    one_of<machine::run_change>(nodes_read(m, nodes({"x"}), at, {}, nodes({"x"})));
    auto out = m.on_disable_refused("disabling the first worker node in the metadata is not allowed", at);
    one_of<machine::answer>(m.on_kept("it holds shard placements"));
    return all_of<machine::disable_refused>(out).size();
  };
  CHECK(refuse(now) == 1);
  one_of<machine::read_nodes>(m.on_apply(nodes({})));
  one_of<machine::run_change>(nodes_read(m, nodes({"x"}), now + 1s)); // it answers: only its removal
  one_of<machine::answer>(m.on_kept("it holds shard placements"));
  one_of<machine::read_nodes>(m.on_apply(nodes({})));
  CHECK(refuse(now + 2s) == 1);
}

// --- workers that leave holding shards, and drains beside the sidecar -------------

TEST_CASE("a node that left holding shards served nowhere else is reported as departed until it goes or comes back") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now)); // a's removal
  auto out = t.m.on_kept("it holds shard placements", 16);
  CHECK(one_of<machine::kept>(out).only_copies == 16);
  const auto health = one_of<machine::nodes_health>(out);
  REQUIRE(health.departed.size() == 1);
  CHECK(health.departed.front() == node_health::departed_node{node("a"), 16});
  one_of<machine::answer>(out);

  // Its container is back: wanted again, no longer departed.
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a"})));
  CHECK(one_of<machine::nodes_health>(nodes_read(t.m, nodes({"a"}), t.now)).departed.empty());
}

TEST_CASE("a drained node that left is removed, and said as no longer departed") {
  connected_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now));
  one_of<machine::nodes_health>(t.m.on_kept("it holds shard placements", 8));
  one_of<machine::read_nodes>(t.m.on_apply(nodes({})));
  one_of<machine::run_change>(nodes_read(t.m, nodes({"a"}), t.now)); // drained meanwhile
  const auto out = t.m.on_removed();
  CHECK(one_of<machine::nodes_health>(out).departed.empty());
  CHECK(one_of<machine::answer>(out).report.changed);
  CHECK(t.m.stale_nodes() == 0);
}

TEST_CASE("a rebalance that Citus will not start because a drain runs follows the drain, then starts") {
  auto options = quick();
  options.rebalance_after_add = true;
  auto m = reading(options, nodes({"a", "b"}));
  one_of<machine::run_change>(nodes_read(m, nodes({"a"}), time_point{}));
  one_of<machine::read_rebalance>(m.on_added());
  one_of<machine::start_rebalance>(m.on_rebalance_status("finished"));
  auto out = m.on_rebalance_busy(); // "A rebalance is already running as job 4"
  CHECK(one_of<machine::rebalance_state>(out).phase == rebalance_phase::running);
  one_of<machine::arm_follow>(out);
  one_of<machine::answer>(out);
  one_of<machine::read_nodes>(m.on_follow()); // a pass of its own
  one_of<machine::read_rebalance>(nodes_read(m, nodes({"a", "b"}), time_point{}));
  one_of<machine::start_rebalance>(m.on_rebalance_status("finished")); // the drain ended: still owed
}

// --- a worker that came back empty ---------------------------------------------------

namespace {

std::map<citus_node, std::string> behind(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  std::map<citus_node, std::string> out;
  for (const auto& [name, id] : pairs)
    out[node(name)] = id;
  return out;
}

// A connected machine whose coordinator lists a and b, the containers c1 and c2 behind them.
struct audited_machine {
  time_point now = time_point{} + 1h;
  machine m{[] {
    auto o = quick();
    o.audit.interval = 60s;
    return o;
  }()};
  audited_machine() {
    one_of<machine::connect>(m.on_apply(nodes({"a", "b"}), {}, {}, behind({{"a", "c1"}, {"b", "c2"}}), now));
    lead(m);
    one_of<machine::answer>(nodes_read(m, nodes({"a", "b"}), now));
  }
};

} // namespace

TEST_CASE("a registered node whose container changed is checked once the changes are done, and missing tables change "
          "nothing but the report") {
  audited_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b", "c"}), {}, {}, behind({{"a", "c1"}, {"b", "c9"}}), t.now));
  auto out = nodes_read(t.m, nodes({"a", "b"}), t.now);
  CHECK(one_of<machine::run_change>(out).change == adding("c"));
  out = t.m.on_added();
  CHECK(one_of<machine::check_placements>(out).nodes == std::vector{node("b")}); // not a, whose container is the same
  CHECK(all_of<machine::answer>(out).empty());
  out = t.m.on_placements_checked({{node("b"), 16, true, 16, {}}}, t.now);
  CHECK(one_of<machine::missing_placements>(out).nodes == placement_audit::report{{node("b"), 16, 16}});
  CHECK(all_of<machine::run_change>(out).empty()); // no metadata changes: b stays as it is
  CHECK(one_of<machine::answer>(out).through == 2);
  // Checked again after the interval (the retry timer is armed for it), not per apply.
  CHECK(one_of<machine::arm_retry>(out).due == t.now + 60s);
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b", "c"}), {}, {}, behind({{"a", "c1"}, {"b", "c9"}}),
                                           t.now + 5s));
  out = nodes_read(t.m, nodes({"a", "b", "c"}), t.now + 5s);
  CHECK(all_of<machine::check_placements>(out).empty());
  CHECK(all_of<machine::missing_placements>(out).empty());
  one_of<machine::answer>(out);
  one_of<machine::read_nodes>(t.m.on_retry());
  out = nodes_read(t.m, nodes({"a", "b", "c"}), t.now + 60s);
  one_of<machine::check_placements>(out);
  // Restored: said once, and no longer checked.
  out = t.m.on_placements_checked({{node("b"), 16, true, 0, {}}}, t.now + 60s);
  CHECK(one_of<machine::missing_placements>(out).nodes.empty());
  CHECK(all_of<machine::arm_retry>(out).empty());
}

TEST_CASE("a node the check cannot reach, or a refused check, is checked again after the interval, and the pass is "
          "answered") {
  audited_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b"}), {}, {}, behind({{"a", "c1"}, {"b", "c9"}}), t.now));
  one_of<machine::check_placements>(nodes_read(t.m, nodes({"a", "b"}), t.now));
  auto out = t.m.on_placements_checked({{node("b"), 16, false, 0, "failed to connect"}}, t.now);
  CHECK(all_of<machine::missing_placements>(out).empty()); // nothing known yet
  one_of<machine::answer>(out);
  CHECK(one_of<machine::arm_retry>(out).due == t.now + 60s);
  one_of<machine::read_nodes>(t.m.on_retry());
  one_of<machine::check_placements>(nodes_read(t.m, nodes({"a", "b"}), t.now + 60s));
  out = t.m.on_check_refused(t.now + 60s);
  one_of<machine::answer>(out);
  CHECK(one_of<machine::arm_retry>(out).due == t.now + 120s);
}

TEST_CASE("the coordinator lost during the check fails the pass, and the next pass checks again") {
  audited_machine t;
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b"}), {}, {}, behind({{"a", "c1"}, {"b", "c9"}}), t.now));
  one_of<machine::check_placements>(nodes_read(t.m, nodes({"a", "b"}), t.now));
  auto out = t.m.on_lost("server closed the connection");
  CHECK(one_of<machine::fail>(out).why.find("checking the shard tables") != std::string::npos);
  one_of<machine::drop_connection>(out);
  one_of<machine::connect>(t.m.on_apply(nodes({"a", "b"}), {}, {}, behind({{"a", "c1"}, {"b", "c9"}}), t.now + 1s));
  lead(t.m);
  one_of<machine::check_placements>(nodes_read(t.m, nodes({"a", "b"}), t.now + 1s));
}

TEST_CASE("a disabled node, a standby and a dry run check nothing, and arm no timer for it") {
  SUBCASE("disabled") {
    audited_machine t;
    one_of<machine::read_nodes>(t.m.on_apply(nodes({"a"}), {}, {}, behind({{"a", "c1"}, {"b", "c9"}}), t.now));
    const auto out = nodes_read(t.m, nodes({"a", "b"}), t.now, nodes({"b"}), nodes({"b"}));
    CHECK(all_of<machine::check_placements>(out).empty());
    CHECK(all_of<machine::arm_retry>(out).empty());
  }
  SUBCASE("standby") {
    machine m{quick()};
    one_of<machine::connect>(m.on_apply(nodes({"a"}), {}, {}, behind({{"a", "c1"}}), time_point{} + 1h));
    one_of<machine::take_lock>(m.on_connected());
    one_of<machine::answer>(m.on_lock(false));
    one_of<machine::take_lock>(m.on_apply(nodes({"a"}), {}, {}, behind({{"a", "c9"}}), time_point{} + 2h));
    const auto out = m.on_lock(false);
    CHECK(all_of<machine::check_placements>(out).empty());
    CHECK(all_of<machine::arm_retry>(out).empty());
  }
  SUBCASE("dry run") {
    auto options = quick();
    options.run.rehearse = true;
    machine m{options};
    one_of<machine::connect>(m.on_apply(nodes({"a"}), {}, {}, behind({{"a", "c1"}}), time_point{} + 1h));
    one_of<machine::read_nodes>(m.on_connected());
    one_of<machine::answer>(nodes_read(m, nodes({"a"}), time_point{} + 1h));
    one_of<machine::read_nodes>(m.on_apply(nodes({"a"}), {}, {}, behind({{"a", "c9"}}), time_point{} + 2h));
    const auto out = nodes_read(m, nodes({"a"}), time_point{} + 2h);
    CHECK(all_of<machine::check_placements>(out).empty());
    CHECK(all_of<machine::arm_retry>(out).empty());
  }
}

TEST_CASE("a node updated in place (a replaced swarm task) is checked at the next pass, which reads it") {
  audited_machine t;
  membership_plan::successions formers{{node("b2"), {node("b")}}};
  one_of<machine::read_nodes>(t.m.on_apply(nodes({"a", "b2"}), formers));
  auto out = nodes_read(t.m, nodes({"a", "b"}), t.now);
  CHECK(one_of<machine::run_change>(out).change == updating("b", "b2"));
  // The pass read b; b2 is b's row renamed, so the check asks about b2 once the next pass reads it.
  out = t.m.on_added();
  one_of<machine::answer>(out);
  one_of<machine::read_nodes>(t.m.on_retry());
  one_of<machine::check_placements>(nodes_read(t.m, nodes({"a", "b2"}), t.now + 1s));
}
