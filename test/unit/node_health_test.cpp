// Which registered nodes answer the coordinator, simulated on a virtual clock:
// the probe's findings in, the disables and the blocking nodes out.

#include "policy/node_health.hpp"
#include "test/unit/citus_nodes.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const time_point start = time_point{} + 1h;
const std::set<citus_node> none;

node_health::probe_result silent(const char* name, std::int64_t only = 0) { return {node(name), false, only}; }
node_health::probe_result answering(const char* name) { return {node(name), true, 0}; }

node_health::options disabling_after(duration after) {
  node_health::options o;
  o.disable_after = after;
  o.refused_retry = 1s;
  return o;
}

} // namespace

TEST_CASE("the nodes probed are the active ones not wanted and the disabled ones wanted again") {
  const auto probe =
    node_health::to_probe(nodes({"a", "b", "back"}), nodes({"a", "back", "gone", "off"}), nodes({"back", "off"}));
  CHECK(probe == std::vector<citus_node>{node("back"), node("gone")});
}

TEST_CASE("a node not wanted is disabled once it has not answered for disable_after, not before") {
  node_health health{disabling_after(30s)};
  health.on_probed({silent("x")}, start);
  CHECK(health.plan(nodes({"a"}), nodes({"a", "x"}), none, none, start).empty());
  CHECK(health.unreachable() == std::vector<citus_node>{node("x")});
  CHECK(health.blocking().empty()); // it will be disabled
  // Watched meanwhile; the disable is due at 30 s.
  CHECK(health.watch_due() == start + 500ms);
  health.on_probed({silent("x")}, start + 29s);
  CHECK(health.plan(nodes({"a"}), nodes({"a", "x"}), none, none, start + 29s).empty());
  health.on_probed({silent("x")}, start + 30s);
  CHECK(health.plan(nodes({"a"}), nodes({"a", "x"}), none, none, start + 30s) == std::vector<citus_node>{node("x")});
  health.on_disabled(node("x"));
  // Disabled and not wanted: no longer probed, no longer watched.
  health.on_probed({}, start + 31s);
  CHECK(health.plan(nodes({"a"}), nodes({"a", "x"}), nodes({"x"}), none, start + 31s).empty());
  CHECK(health.unreachable().empty());
  CHECK_FALSE(health.watch_due().has_value());
}

TEST_CASE("a node that answers again before disable_after starts its count again") {
  node_health health{disabling_after(30s)};
  health.on_probed({silent("x")}, start);
  health.on_probed({answering("x")}, start + 20s);
  health.on_probed({silent("x")}, start + 25s);
  CHECK(health.plan(none, nodes({"x"}), none, none, start + 40s).empty());
  health.on_probed({silent("x")}, start + 55s);
  CHECK(health.plan(none, nodes({"x"}), none, none, start + 55s) == std::vector<citus_node>{node("x")});
}

TEST_CASE("a silent node holding the only placement of shards is not disabled and blocks, named with its shards") {
  node_health health{disabling_after(0s)};
  health.on_probed({silent("x", 16)}, start);
  CHECK(health.plan(nodes({"a"}), nodes({"a", "x"}), none, none, start + 1h).empty());
  REQUIRE(health.blocking().size() == 1);
  CHECK(health.blocking().front().node == node("x"));
  CHECK(health.blocking().front().only_placements == 16);
  CHECK(health.blocking().front().why == "it holds the only placement of 16 shard(s), so Citus cannot disable it");
}

TEST_CASE("with disabling off a silent node blocks at once and is never disabled") {
  auto options = disabling_after(0s);
  options.disable_after.reset();
  node_health health{options};
  health.on_probed({silent("x")}, start);
  CHECK(health.plan(none, nodes({"x"}), none, none, start + 24h).empty());
  REQUIRE(health.blocking().size() == 1);
  CHECK(health.blocking().front().why == "disabling is off (--disable-unreachable-after=never)");
}

TEST_CASE("a refused disable blocks with Citus's reason, is said once, and is tried again after refused_retry") {
  node_health health{disabling_after(0s)};
  health.on_probed({silent("x")}, start);
  REQUIRE(health.plan(none, nodes({"x"}), none, none, start).size() == 1);
  const std::string why = "it contains the only shard placement for shard 102008";
  CHECK(health.on_disable_refused(node("x"), why, start));
  health.on_probed({silent("x")}, start + 500ms);
  CHECK(health.plan(none, nodes({"x"}), none, none, start + 500ms).empty());
  REQUIRE(health.blocking().size() == 1);
  CHECK(health.blocking().front().why == "Citus refused to disable it: " + why);
  health.on_probed({silent("x")}, start + 1s); // refused_retry
  CHECK(health.plan(none, nodes({"x"}), none, none, start + 1s).size() == 1);
  CHECK_FALSE(health.on_disable_refused(node("x"), why, start + 1s)); // said already
  // Once it has answered, a new silence's refusal is said again.
  health.on_probed({answering("x")}, start + 2s);
  health.plan(none, nodes({"x"}), none, none, start + 2s);
  health.on_probed({silent("x")}, start + 3s);
  REQUIRE(health.plan(none, nodes({"x"}), none, none, start + 3s).size() == 1);
  CHECK(health.on_disable_refused(node("x"), why, start + 3s));
}

TEST_CASE("a silent node answering again is reported as recovered, and no longer blocks") {
  node_health health{disabling_after(0s)};
  CHECK_FALSE(health.on_probed({silent("x", 4)}, start));
  health.plan(nodes({"b"}), nodes({"x"}), none, none, start);
  CHECK(health.blocking().size() == 1);
  CHECK_FALSE(health.on_probed({silent("x", 4)}, start + 500ms)); // still silent
  CHECK(health.on_probed({answering("x")}, start + 1s));
  CHECK_FALSE(health.on_probed({answering("x")}, start + 2s)); // answering before too
  health.plan(nodes({"b"}), nodes({"x"}), none, none, start + 2s);
  CHECK(health.blocking().empty());
}

TEST_CASE("a disabled node, or one a successor takes over, blocks nothing and is not disabled") {
  node_health health{disabling_after(0s)};
  health.on_probed({silent("x"), silent("old")}, start);
  CHECK(health.plan(nodes({"x"}), nodes({"x", "old"}), nodes({"x"}), nodes({"old"}), start).empty());
  CHECK(health.blocking().empty());
  CHECK(health.unreachable().size() == 2); // both still watched
}

TEST_CASE("a disabled node wanted again that stays silent is watched every 500 ms, never sooner") {
  node_health health{disabling_after(1s)};
  for (auto at = start; at < start + 5s; at += 500ms) {
    health.on_probed({silent("x")}, at);
    CHECK(health.plan(nodes({"x"}), nodes({"x"}), nodes({"x"}), none, at).empty());
    CHECK(health.watch_due() == at + 500ms);
  }
}

TEST_CASE("the health report is given when it changes, and only then") {
  node_health health{disabling_after(30s)};
  CHECK(health.changed_report(0) == node_health::report{});
  CHECK_FALSE(health.changed_report(0).has_value());
  health.on_probed({silent("x")}, start);
  health.plan(none, nodes({"x"}), none, none, start);
  const auto report = health.changed_report(0);
  REQUIRE(report.has_value());
  CHECK(report->unreachable == std::vector<citus_node>{node("x")});
  CHECK_FALSE(health.changed_report(0).has_value());
  CHECK(health.changed_report(1)->disabled == 1);
}
