// The Citus membership decisions, simulated: the whole table against the
// whole wanted set on every pass, per-node retries on a virtual clock.

#include "policy/membership_plan.hpp"
#include "test/unit/citus_nodes.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

const time_point start = time_point{} + 1h;

} // namespace

TEST_CASE("missing wanted nodes are added, unwanted ones removed, the rest left alone") {
  membership_plan plan{quick_plan()};
  const auto c = plan.plan(nodes({"a", "b", "c"}), nodes({"b", "x"}), start);
  CHECK(c.add == std::vector<citus_node>{node("a"), node("c")});
  CHECK(c.remove == std::vector<citus_node>{node("x")});
  CHECK(c.waiting.empty());
}

TEST_CASE("a node on another port is another node") {
  membership_plan plan{quick_plan()};
  const auto c = plan.plan(nodes({"a"}), {{"a", 6432}}, start);
  CHECK(c.add == std::vector<citus_node>{node("a")});
  CHECK(c.remove == std::vector<citus_node>{{"a", 6432}});
}

TEST_CASE("--remove-workers=never removes nothing") {
  membership_plan plan{quick_plan(false)};
  const auto c = plan.plan(nodes({"a"}), nodes({"a", "x", "y"}), start);
  CHECK(c.add.empty());
  CHECK(c.remove.empty());
}

TEST_CASE("a failed add waits out its back-off while the other nodes go on") {
  membership_plan plan{quick_plan()};
  auto c = plan.plan(nodes({"a", "b"}), {}, start);
  REQUIRE(c.add.size() == 2);
  const auto due = plan.on_add_failed(node("a"), start);
  plan.on_added(node("b"));
  CHECK(due >= start + 100ms);
  CHECK(due <= start + 150ms);
  CHECK(plan.next_retry() == due);

  c = plan.plan(nodes({"a", "b", "c"}), nodes({"b"}), start + 10ms); // an event meanwhile
  CHECK(c.add == std::vector<citus_node>{node("c")});
  CHECK(c.waiting == std::vector<citus_node>{node("a")});

  c = plan.plan(nodes({"a", "b", "c"}), nodes({"b", "c"}), due);
  CHECK(c.add == std::vector<citus_node>{node("a")});
  const auto again = plan.on_add_failed(node("a"), due);
  CHECK(again >= due + 200ms); // doubled

  plan.on_added(node("a"));
  CHECK_FALSE(plan.next_retry().has_value());
}

TEST_CASE("a retry is forgotten when the node is no longer wanted, or appears by itself") {
  membership_plan plan{quick_plan()};
  plan.plan(nodes({"a", "b"}), {}, start);
  plan.on_add_failed(node("a"), start);
  plan.on_add_failed(node("b"), start);
  plan.plan(nodes({"b"}), nodes({"b"}), start + 1ms);
  CHECK_FALSE(plan.next_retry().has_value());
}

TEST_CASE("a kept node is warned about once, counted as stale until it goes or is wanted again") {
  membership_plan plan{quick_plan()};
  auto c = plan.plan(nodes({}), nodes({"x", "y"}), start);
  REQUIRE(c.remove.size() == 2);
  CHECK(plan.on_kept(node("x")));
  CHECK(plan.on_kept(node("y")));
  CHECK(plan.stale_nodes() == 2);
  c = plan.plan(nodes({}), nodes({"x", "y"}), start + 1s);
  CHECK(c.remove.size() == 2); // tried again on every pass: the shards may have moved
  CHECK_FALSE(plan.on_kept(node("x")));   // no second warning
  plan.on_removed(node("y"));
  CHECK(plan.stale_nodes() == 1);
  plan.plan(nodes({"x"}), nodes({"x"}), start + 2s);
  CHECK(plan.stale_nodes() == 0);
}

TEST_CASE("a wanted node that replaces a registered one updates it in place instead of add and remove") {
  membership_plan plan{quick_plan()};
  const membership_plan::successions formers{{node("new"), {node("gone"), node("old")}}};
  const auto c = plan.plan(nodes({"a", "new"}), nodes({"a", "old"}), start, formers);
  CHECK(c.update == std::vector<membership_plan::takeover>{{node("old"), node("new")}});
  CHECK(c.add.empty());
  CHECK(c.remove.empty()); // "old" is taken over, not removed
}

TEST_CASE("a former node that is still wanted, or already taken, is not taken over") {
  membership_plan plan{quick_plan()};
  // "old" is wanted itself; "x" can replace only one of the two.
  const membership_plan::successions formers{{node("new"), {node("old")}},
                                             {node("n1"), {node("x")}},
                                             {node("n2"), {node("x")}}};
  const auto c = plan.plan(nodes({"new", "old", "n1", "n2"}), nodes({"old", "x"}), start, formers);
  CHECK(c.update == std::vector<membership_plan::takeover>{{node("x"), node("n1")}});
  CHECK(c.add == std::vector<citus_node>{node("n2"), node("new")});
}

TEST_CASE("a failed update waits out its back-off like an add, and the predecessor is not removed meanwhile") {
  membership_plan plan{quick_plan()};
  const membership_plan::successions formers{{node("new"), {node("old")}}};
  REQUIRE(plan.plan(nodes({"new"}), nodes({"old"}), start, formers).update.size() == 1);
  const auto due = plan.on_add_failed(node("new"), start);
  auto c = plan.plan(nodes({"new"}), nodes({"old"}), start + 10ms, formers);
  CHECK(c.waiting == std::vector<citus_node>{node("new")});
  CHECK(c.update.empty());
  CHECK(c.remove.empty());
  c = plan.plan(nodes({"new"}), nodes({"old"}), due, formers);
  CHECK(c.update.size() == 1);
}

// --- nodes that do not answer ---------------------------------------------------

namespace {

membership_plan::probe_result silent(const char* name, std::int64_t only = 0) { return {node(name), false, only}; }
membership_plan::probe_result answering(const char* name) { return {node(name), true, 0}; }

membership_plan::options disabling_after(duration after) {
  auto o = quick_plan();
  o.disable_after = after;
  return o;
}

} // namespace

TEST_CASE("the nodes probed are the active ones not wanted and the disabled ones wanted again") {
  const auto probe = membership_plan::to_probe(nodes({"a", "b", "back"}), nodes({"a", "back", "gone", "off"}),
                                               nodes({"back", "off"}));
  CHECK(probe == std::vector<citus_node>{node("back"), node("gone")});
}

TEST_CASE("a node not wanted is disabled once it has not answered for disable_after, not before") {
  membership_plan plan{disabling_after(30s)};
  plan.on_probed({silent("x")}, start);
  auto c = plan.plan(nodes({"a"}), nodes({"a", "x"}), start);
  CHECK(c.disable.empty());
  CHECK(plan.unreachable() == std::vector<citus_node>{node("x")});
  CHECK(plan.blocking().empty()); // it will be disabled
  // Watched meanwhile; the disable is due at 30 s.
  CHECK(plan.next_retry() == start + 500ms);
  plan.on_probed({silent("x")}, start + 29s);
  CHECK(plan.plan(nodes({"a"}), nodes({"a", "x"}), start + 29s).disable.empty());
  plan.on_probed({silent("x")}, start + 30s);
  c = plan.plan(nodes({"a"}), nodes({"a", "x"}), start + 30s);
  CHECK(c.disable == std::vector<citus_node>{node("x")});
  plan.on_disabled(node("x"));
  // Disabled and not wanted: no longer probed, no longer watched.
  plan.on_probed({}, start + 31s);
  CHECK(plan.plan(nodes({"a"}), nodes({"a", "x"}), start + 31s, {}, nodes({"x"})).disable.empty());
  CHECK(plan.unreachable().empty());
  CHECK_FALSE(plan.next_retry().has_value());
}

TEST_CASE("a node that answers again before disable_after starts its count again") {
  membership_plan plan{disabling_after(30s)};
  plan.on_probed({silent("x")}, start);
  plan.on_probed({answering("x")}, start + 20s);
  plan.on_probed({silent("x")}, start + 25s);
  CHECK(plan.plan(nodes({}), nodes({"x"}), start + 40s).disable.empty());
  plan.on_probed({silent("x")}, start + 55s);
  CHECK(plan.plan(nodes({}), nodes({"x"}), start + 55s).disable == std::vector<citus_node>{node("x")});
}

TEST_CASE("a silent node holding the only placement of shards is not disabled and blocks, named with its shards") {
  membership_plan plan{disabling_after(0s)};
  plan.on_probed({silent("x", 16)}, start);
  const auto c = plan.plan(nodes({"a"}), nodes({"a", "x"}), start + 1h);
  CHECK(c.disable.empty());
  REQUIRE(plan.blocking().size() == 1);
  CHECK(plan.blocking().front().node == node("x"));
  CHECK(plan.blocking().front().only_placements == 16);
  CHECK(plan.blocking().front().why == "it holds the only placement of 16 shard(s), so Citus cannot disable it");
}

TEST_CASE("with disabling off a silent node blocks at once and is never disabled") {
  auto options = quick_plan();
  options.disable_after.reset();
  membership_plan plan{options};
  plan.on_probed({silent("x")}, start);
  CHECK(plan.plan(nodes({}), nodes({"x"}), start + 24h).disable.empty());
  REQUIRE(plan.blocking().size() == 1);
  CHECK(plan.blocking().front().why == "disabling is off (--disable-unreachable-after=never)");
}

TEST_CASE("a refused disable blocks with Citus's reason and is tried again after retry_max") {
  membership_plan plan{disabling_after(0s)};
  plan.on_probed({silent("x")}, start);
  REQUIRE(plan.plan(nodes({}), nodes({"x"}), start).disable.size() == 1);
  plan.on_disable_refused(node("x"), "it contains the only shard placement for shard 102008", start);
  plan.on_probed({silent("x")}, start + 500ms);
  CHECK(plan.plan(nodes({}), nodes({"x"}), start + 500ms).disable.empty());
  REQUIRE(plan.blocking().size() == 1);
  CHECK(plan.blocking().front().why == "Citus refused to disable it: it contains the only shard placement for shard 102008");
  plan.on_probed({silent("x")}, start + 1s); // retry_max
  CHECK(plan.plan(nodes({}), nodes({"x"}), start + 1s).disable.size() == 1);
}

TEST_CASE("a silent node answering again makes the adds it blocked due at once, whatever their back-off") {
  auto options = quick_plan();
  options.retry_max = 1h;
  membership_plan plan{options};
  plan.on_probed({silent("x", 4)}, start);
  REQUIRE(plan.plan(nodes({"b"}), nodes({"x"}), start).add.size() == 1);
  auto due = plan.on_add_failed(node("b"), start);
  for (int i = 0; i < 10; ++i)
    due = plan.on_add_failed(node("b"), due); // back-off grown to minutes
  CHECK(due > start + 1min);
  plan.on_probed({silent("x", 4)}, start + 500ms);
  CHECK(plan.plan(nodes({"b"}), nodes({"x"}), start + 500ms).waiting.size() == 1);
  plan.on_probed({answering("x")}, start + 1s);
  CHECK(plan.plan(nodes({"b"}), nodes({"x"}), start + 1s).add == std::vector<citus_node>{node("b")});
  CHECK(plan.blocking().empty());
}

TEST_CASE("a disabled node wanted again is activated once it answers, and its refused activation is retried") {
  membership_plan plan{quick_plan()};
  plan.on_probed({silent("x")}, start);
  auto c = plan.plan(nodes({"x"}), nodes({"x"}), start, {}, nodes({"x"}));
  CHECK(c.activate.empty());
  CHECK(c.add.empty());
  CHECK(plan.blocking().empty()); // disabled: it blocks nothing
  plan.on_probed({answering("x")}, start + 1s);
  c = plan.plan(nodes({"x"}), nodes({"x"}), start + 1s, {}, nodes({"x"}));
  CHECK(c.activate == std::vector<citus_node>{node("x")});
  const auto due = plan.on_add_failed(node("x"), start + 1s);
  plan.on_probed({answering("x")}, start + 1s);
  CHECK(plan.plan(nodes({"x"}), nodes({"x"}), start + 1s, {}, nodes({"x"})).waiting == std::vector<citus_node>{node("x")});
  plan.on_probed({answering("x")}, due);
  CHECK(plan.plan(nodes({"x"}), nodes({"x"}), due, {}, nodes({"x"})).activate.size() == 1);
}

TEST_CASE("a disabled node wanted again that stays silent is watched every 500 ms, never sooner") {
  membership_plan plan{disabling_after(1s)};
  for (auto at = start; at < start + 5s; at += 500ms) {
    plan.on_probed({silent("x")}, at);
    const auto c = plan.plan(nodes({"x"}), nodes({"x"}), at, {}, nodes({"x"}));
    CHECK(c.disable.empty());
    CHECK(c.activate.empty());
    CHECK(plan.next_retry() == at + 500ms);
  }
}
