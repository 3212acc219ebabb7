// The drain and undrain commands simulated: each statement answered as the
// coordinator would, the job followed on a virtual timer.

#include "policy/drain_machine.hpp"
#include "test/unit/commands.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;
using machine = drain_machine;
using wlg::protocol::node_address;
using wlg::protocol::node_spec;
using wlg::protocol::node_state;

namespace {

// Four workers with 8 placements each.
std::vector<node_state> four() {
  std::vector<node_state> out;
  for (const char* name : {"w1", "w2", "w3", "w4"})
    out.push_back({{name, 5432}, true, true, 8});
  return out;
}

machine::options draining(bool rehearse = false) { return {machine::mode::drain, rehearse, 1s}; }

// A machine connected, that has read `states`.
machine::commands read(machine& m, const std::vector<node_state>& states) {
  one_of<machine::connect>(m.start());
  one_of<machine::read_states>(m.on_connected());
  return m.on_states(states);
}

wlg::protocol::drain_progress_row progress(const char* state, std::int64_t left, const char* failure = "") {
  return {state, left, failure};
}

// A drain of w4 (8 placements) that is about to start its job.
machine about_to_start() {
  machine m{draining(), {{"w4", std::nullopt}}};
  read(m, four());
  m.on_done();
  one_of<machine::start_job>(m.on_progress(progress("", 8)));
  return m;
}

} // namespace

TEST_CASE("drain sets shouldhaveshards off on each node, starts one drain job, follows it, and is done at 0 left") {
  machine m{draining(), {{"w3", std::nullopt}, {"w4", 5432}}};
  auto out = read(m, four());
  CHECK(m.nodes() == std::vector<node_address>{{"w3", 5432}, {"w4", 5432}});
  auto set = one_of<machine::set_property>(out);
  CHECK(set.node == node_address{"w3", 5432});
  CHECK_FALSE(set.should_have_shards);
  CHECK(one_of<machine::set_property>(m.on_done()).node == node_address{"w4", 5432});
  CHECK(one_of<machine::read_progress>(m.on_done()).nodes == m.nodes()); // is a job running?
  out = m.on_progress(progress("", 16));
  CHECK(one_of<machine::progress>(out).left == 16);
  CHECK(one_of<machine::progress>(out).total == 16);
  one_of<machine::start_job>(out);
  out = m.on_started(7);
  CHECK(one_of<machine::arm_follow>(out).delay == 1s);
  CHECK(all_of<machine::finish>(out).empty()); // waits for the job
  one_of<machine::read_progress>(m.on_follow());
  out = m.on_progress(progress("running", 16));
  CHECK(all_of<machine::progress>(out).empty()); // unchanged: not said again
  one_of<machine::read_progress>(m.on_follow());
  CHECK(one_of<machine::progress>(m.on_progress(progress("running", 6))).left == 6);
  one_of<machine::read_progress>(m.on_follow());
  out = m.on_progress(progress("finished", 0));
  const auto done = one_of<machine::finish>(out);
  CHECK(done.status == machine::done_status);
  CHECK(done.message.find("drained w3:5432, w4:5432: no shard placement is left on them") == 0);
  CHECK(m.done());
}

TEST_CASE("a node already drained is not set again") {
  auto states = four();
  states[3].should_have_shards = false;
  machine m{draining(), {{"w4", std::nullopt}}};
  one_of<machine::read_progress>(read(m, states));
}

TEST_CASE("a drain while another job runs waits for it, then starts its own") {
  machine m{draining(), {{"w4", std::nullopt}}};
  read(m, four());
  one_of<machine::read_progress>(m.on_done());
  auto out = m.on_progress(progress("running", 8)); // the first drain's job
  one_of<machine::arm_follow>(out);
  CHECK(all_of<machine::start_job>(out).empty());
  one_of<machine::read_progress>(m.on_follow());
  one_of<machine::start_job>(m.on_progress(progress("finished", 8)));
  // Started meanwhile by a sidecar: followed too, then ours.
  one_of<machine::arm_follow>(m.on_busy());
  one_of<machine::read_progress>(m.on_follow());
  one_of<machine::start_job>(m.on_progress(progress("finished", 8)));
  one_of<machine::arm_follow>(m.on_started(9));
  one_of<machine::read_progress>(m.on_follow());
  CHECK(one_of<machine::finish>(m.on_progress(progress("finished", 0))).status == machine::done_status);
}

TEST_CASE("nothing to move and nothing left: done at once") {
  machine m{draining(), {{"w4", std::nullopt}}};
  auto states = four();
  states[3].placements = 0;
  read(m, states);
  m.on_done();
  one_of<machine::start_job>(m.on_progress(progress("finished", 0)));
  const auto done = one_of<machine::finish>(m.on_started(std::nullopt));
  CHECK(done.status == machine::done_status);
  CHECK(done.message.find("drained w4:5432: no shard placement is left on it, so removing its container") == 0);
}

TEST_CASE("a failed job ends it with Citus's reason, and placements left after a job end it too") {
  SUBCASE("the job failed") {
    auto m = about_to_start();
    m.on_started(3);
    m.on_follow();
    const auto f = one_of<machine::finish>(m.on_progress(progress("failed", 4, "could not connect to w2")));
    CHECK(f.status == machine::failed_status);
    CHECK(f.message == "the drain job failed: could not connect to w2");
  }
  SUBCASE("Citus refused to start it") {
    auto m = about_to_start();
    const auto f = one_of<machine::finish>(m.on_refused("Shard replication factor (1) cannot be greater"));
    CHECK(f.status == machine::failed_status);
    CHECK(f.message == "the drain job failed: Shard replication factor (1) cannot be greater");
  }
  SUBCASE("nothing was moved, yet placements are left") {
    auto m = about_to_start();
    const auto f = one_of<machine::finish>(m.on_started(std::nullopt));
    CHECK(f.status == machine::failed_status);
    CHECK(f.message.find("8 shard placement(s) are still on w4:5432") == 0);
  }
}

TEST_CASE("unknown, ambiguous or all-draining requests are refused before anything changes") {
  SUBCASE("unknown") {
    machine m{draining(), {{"w9", std::nullopt}}};
    const auto f = one_of<machine::finish>(read(m, four()));
    CHECK(f.status == machine::refused_status);
    CHECK(f.message == "no worker node w9 is registered (the coordinator has: w1:5432, w2:5432, w3:5432, w4:5432)");
  }
  SUBCASE("unknown port") {
    machine m{draining(), {{"w1", 6432}}};
    CHECK(one_of<machine::finish>(read(m, four())).status == machine::refused_status);
  }
  SUBCASE("ambiguous") {
    auto states = four();
    states.push_back({{"w1", 6432}, true, true, 0});
    machine m{draining(), {{"w1", std::nullopt}}};
    CHECK(one_of<machine::finish>(read(m, states)).message == "w1 names 2 worker nodes: give the port");
  }
  SUBCASE("every node that may hold shards") {
    auto states = four();
    states[0].should_have_shards = false;
    states[1].active = false;
    machine m{draining(), {{"w3", std::nullopt}, {"w4", std::nullopt}}};
    const auto f = one_of<machine::finish>(read(m, states));
    CHECK(f.status == machine::refused_status);
    CHECK(f.message.find("would leave no worker node that may hold shards") != std::string::npos);
  }
}

TEST_CASE("--dry-run sets the property inside a transaction, reads the planned moves and rolls back") {
  machine m{draining(true), {{"w4", std::nullopt}}};
  auto states = four();
  states[3].should_have_shards = false; // set all the same: the plan needs it
  one_of<machine::begin>(read(m, states));
  CHECK(one_of<machine::set_property>(m.on_done()).node == node_address{"w4", 5432});
  one_of<machine::read_plan>(m.on_done());
  const std::vector<wlg::protocol::shard_move> moves{{"items", 102008, {"w4", 5432}, {"w1", 5432}}};
  one_of<machine::roll_back>(m.on_plan(moves));
  const auto out = m.on_done();
  CHECK(one_of<machine::show_plan>(out).moves == moves);
  CHECK(one_of<machine::finish>(out).message == "dry run: nothing was changed");
  CHECK(all_of<machine::start_job>(out).empty());
}

TEST_CASE("a refused statement or a lost connection ends it as a failure") {
  machine m{draining(), {{"w4", std::nullopt}}};
  read(m, four());
  CHECK(one_of<machine::finish>(m.on_refused("permission denied")).status == machine::failed_status);
  machine lost{draining(), {{"w4", std::nullopt}}};
  read(lost, four());
  CHECK(one_of<machine::finish>(lost.on_lost("server closed the connection")).message
        == "lost the coordinator: server closed the connection");
  machine unusable{draining(), {{"w4", std::nullopt}}};
  unusable.start();
  CHECK(one_of<machine::finish>(
          unusable.on_connect_failed(wlg::protocol::coordinator_problem::unreachable, "refused"))
          .status == machine::failed_status);
}

TEST_CASE("undrain sets shouldhaveshards on again and stops a running rebalance job") {
  machine m{{machine::mode::undrain, false, 1s}, {{"w4", std::nullopt}}};
  auto states = four();
  states[3].should_have_shards = false;
  const auto set = one_of<machine::set_property>(read(m, states));
  CHECK(set.should_have_shards);
  one_of<machine::read_progress>(m.on_done());
  one_of<machine::stop_job>(m.on_progress(progress("running", 3)));
  const auto f = one_of<machine::finish>(m.on_done());
  CHECK(f.status == machine::done_status);
  CHECK(f.message.find("undrained w4:5432 and stopped the running rebalance job") == 0);
}

TEST_CASE("undrain with no job running changes only the property, and its dry run nothing") {
  machine m{{machine::mode::undrain, false, 1s}, {{"w4", std::nullopt}}};
  auto states = four();
  states[3].should_have_shards = false;
  read(m, states);
  one_of<machine::read_progress>(m.on_done());
  CHECK(one_of<machine::finish>(m.on_progress(progress("finished", 0))).message.find("undrained w4:5432:") == 0);
  machine rehearsal{{machine::mode::undrain, true, 1s}, {{"w4", std::nullopt}}};
  const auto out = read(rehearsal, states);
  CHECK(all_of<machine::set_property>(out).empty());
  CHECK(one_of<machine::finish>(out).message.find("dry run:") == 0);
}

TEST_CASE("scale's drain passes over names pg_dist_node does not have, and has nothing to do without any") {
  machine m{{machine::mode::drain, false, 1s, true}, {{"w4", std::nullopt}, {"w9", std::nullopt}}};
  one_of<machine::set_property>(read(m, four()));
  CHECK(m.nodes() == std::vector<node_address>{{"w4", 5432}});
  machine none{{machine::mode::drain, false, 1s, true}, {{"w9", std::nullopt}}};
  const auto f = one_of<machine::finish>(read(none, four()));
  CHECK(f.status == machine::done_status);
  CHECK(f.message == "no worker node named is registered: nothing to drain");
}
