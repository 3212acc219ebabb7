// The `status` command's progress, simulated: each step answered as the
// coordinator would.

#include "policy/node_status_machine.hpp"
#include "test/unit/commands.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using machine = node_status_machine;
using wlg::protocol::coordinator_problem;
using wlg::protocol::node_state;

namespace {

const node_state w1{{"w1", 5432}, true, true, 16};
const node_state w2{{"w2", 5432}, false, false, 0};

} // namespace

TEST_CASE("status connects, reads the nodes, probes them and shows each with its answer") {
  machine m;
  one_of<machine::connect>(m.start());
  one_of<machine::read_states>(m.on_connected());
  const auto probe = one_of<machine::probe>(m.on_states({w1, w2}));
  CHECK(probe.nodes == std::vector<wlg::protocol::node_address>{w1.node, w2.node});
  CHECK_FALSE(m.done());
  const auto shown = one_of<machine::show>(m.on_probed({{w1.node, true, 0}, {w2.node, false, 0}}));
  CHECK(shown.nodes == std::vector<node_status>{{w1, true}, {w2, false}});
  CHECK(m.done());
}

TEST_CASE("no worker node: shown at once, nothing probed") {
  machine m;
  m.start();
  m.on_connected();
  CHECK(one_of<machine::show>(m.on_states({})).nodes.empty());
  CHECK(m.done());
}

TEST_CASE("a refused probe shows every node with its answer unknown") {
  machine m;
  m.start();
  m.on_connected();
  m.on_states({w1});
  CHECK(one_of<machine::show>(m.on_probe_refused()).nodes == std::vector<node_status>{{w1, std::nullopt}});
}

TEST_CASE("a coordinator that cannot be used ends it with the problem named") {
  SUBCASE("the connection fails") {
    machine m;
    m.start();
    const auto f = one_of<machine::fail>(m.on_connect_failed(coordinator_problem::wrong_password, "auth failed"));
    CHECK(f.problem == coordinator_problem::wrong_password);
    CHECK(f.why == "auth failed");
    CHECK(m.done());
  }
  SUBCASE("no Citus there") {
    machine m;
    m.start();
    m.on_connected();
    CHECK(one_of<machine::fail>(m.on_read_refused(coordinator_problem::no_citus, "no pg_dist_node")).problem
          == coordinator_problem::no_citus);
  }
  SUBCASE("the connection breaks while probing") {
    machine m;
    m.start();
    m.on_connected();
    m.on_states({w1});
    const auto f = one_of<machine::fail>(m.on_lost("server closed the connection"));
    CHECK(f.problem == coordinator_problem::unreachable);
    CHECK(f.why == "lost the coordinator: server closed the connection");
  }
}

TEST_CASE("an answer out of turn changes nothing") {
  machine m;
  CHECK(m.on_connected().empty());
  m.start();
  CHECK(m.start().empty());
  CHECK(m.on_states({w1}).empty());
  CHECK(m.on_probed({}).empty());
  CHECK(m.on_lost("x").empty());
  CHECK_FALSE(m.done());
}
