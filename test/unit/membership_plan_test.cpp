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

TEST_CASE("a refused removal waits out its back-off for that node alone, counted as stale meanwhile") {
  membership_plan plan{quick_plan()};
  REQUIRE(plan.plan(nodes({"a"}), nodes({"a", "x", "y"}), start).remove.size() == 2);
  const auto due = plan.on_remove_failed(node("x"), start);
  plan.on_removed(node("y"));
  CHECK(due >= start + 100ms);
  CHECK(due <= start + 150ms);
  CHECK(plan.next_retry() == due);
  CHECK(plan.stale_nodes() == 1);

  auto c = plan.plan(nodes({"a"}), nodes({"a", "x"}), start + 10ms); // an event meanwhile
  CHECK(c.remove.empty());
  CHECK(c.removal_waiting == std::vector<citus_node>{node("x")});
  c = plan.plan(nodes({"a"}), nodes({"a", "x"}), due);
  CHECK(c.remove == std::vector<citus_node>{node("x")});
  CHECK(plan.on_remove_failed(node("x"), due) >= due + 200ms); // doubled

  plan.on_removed(node("x"));
  CHECK_FALSE(plan.next_retry().has_value());
  CHECK(plan.stale_nodes() == 0);
}

TEST_CASE("a disabled node restarts the refused removals' back-off, and retry_now makes them due") {
  membership_plan plan{quick_plan()};
  REQUIRE(plan.plan(nodes({}), nodes({"x"}), start).remove.size() == 1);
  auto due = plan.on_remove_failed(node("x"), start);
  for (int i = 0; i < 4; ++i)
    due = plan.on_remove_failed(node("x"), due);
  CHECK(due > start + 1s); // back-off grown to its maximum
  plan.retry_now(start + 10ms);
  CHECK(plan.plan(nodes({}), nodes({"x"}), start + 10ms).remove.size() == 1);
  CHECK(plan.on_remove_failed(node("x"), start + 10ms) >= start + 10ms + 1s); // back-off kept

  plan.restart_removals(start + 20ms);
  CHECK(plan.plan(nodes({}), nodes({"x"}), start + 20ms).remove.size() == 1);
  const auto fresh = plan.on_remove_failed(node("x"), start + 20ms);
  CHECK(fresh <= start + 20ms + 150ms); // started again
}

TEST_CASE("a node not wanted is not removed while another active node does not answer, and counts as stale") {
  membership_plan plan{quick_plan()};
  auto c = plan.plan(nodes({"a"}), nodes({"a", "x", "y"}), start, {}, {}, nodes({"x", "y"}));
  CHECK(c.remove.empty()); // each removal would need the other
  CHECK(c.removal_waiting == std::vector<citus_node>{node("x"), node("y")});
  CHECK(plan.stale_nodes() == 2);
  // y disabled: x goes (Citus no longer asks y), y waits for x, still active.
  c = plan.plan(nodes({"a"}), nodes({"a", "x", "y"}), start, {}, nodes({"y"}), nodes({"x", "y"}));
  CHECK(c.remove == std::vector<citus_node>{node("x")});
  CHECK(c.removal_waiting == std::vector<citus_node>{node("y")});
  // A node's own silence does not hold it back.
  c = plan.plan(nodes({"a"}), nodes({"a", "x"}), start, {}, {}, nodes({"x"}));
  CHECK(c.remove == std::vector<citus_node>{node("x")});
  CHECK_FALSE(plan.next_retry().has_value()); // nothing to retry: the next pass plans it again
}

TEST_CASE("a refused removal is forgotten when the node is wanted again, gone, or kept for its placements") {
  membership_plan plan{quick_plan()};
  plan.plan(nodes({}), nodes({"x", "y", "z"}), start);
  for (const char* name : {"x", "y", "z"})
    plan.on_remove_failed(node(name), start);
  plan.plan(nodes({"x"}), nodes({"x", "z"}), start + 1ms); // x wanted, y gone
  CHECK(plan.stale_nodes() == 1);
  plan.on_kept(node("z")); // it holds placements: tried on every pass, not on a timer
  CHECK_FALSE(plan.next_retry().has_value());
  CHECK(plan.plan(nodes({"x"}), nodes({"x", "z"}), start + 2ms).remove == std::vector<citus_node>{node("z")});
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

// --- disabled nodes, and adds that nodes which do not answer held up -----------

TEST_CASE("retry_now makes every failed add due at once, whatever its back-off") {
  auto options = quick_plan();
  options.retry_max = 1h;
  membership_plan plan{options};
  REQUIRE(plan.plan(nodes({"b"}), nodes({"x"}), start).add.size() == 1);
  auto due = plan.on_add_failed(node("b"), start);
  for (int i = 0; i < 10; ++i)
    due = plan.on_add_failed(node("b"), due); // back-off grown to minutes
  CHECK(due > start + 1min);
  CHECK(plan.plan(nodes({"b"}), nodes({"x"}), start + 500ms).waiting.size() == 1);
  plan.retry_now(start + 1s);
  CHECK(plan.plan(nodes({"b"}), nodes({"x"}), start + 1s).add == std::vector<citus_node>{node("b")});
}

TEST_CASE("a disabled node wanted again is activated once it answers, and its refused activation is retried") {
  membership_plan plan{quick_plan()};
  auto c = plan.plan(nodes({"x"}), nodes({"x"}), start, {}, nodes({"x"}), nodes({"x"})); // silent
  CHECK(c.activate.empty());
  CHECK(c.add.empty());
  c = plan.plan(nodes({"x"}), nodes({"x"}), start + 1s, {}, nodes({"x"}));
  CHECK(c.activate == std::vector<citus_node>{node("x")});
  const auto due = plan.on_add_failed(node("x"), start + 1s);
  CHECK(plan.plan(nodes({"x"}), nodes({"x"}), start + 1s, {}, nodes({"x"})).waiting == std::vector<citus_node>{node("x")});
  CHECK(plan.plan(nodes({"x"}), nodes({"x"}), due, {}, nodes({"x"})).activate.size() == 1);
}

TEST_CASE("a node taken over by its successor is listed, and neither removed nor disabled meanwhile") {
  membership_plan plan{quick_plan()};
  const membership_plan::successions formers{{node("new"), {node("old")}}};
  const auto c = plan.plan(nodes({"new"}), nodes({"old"}), start, formers);
  CHECK(c.taken_over == nodes({"old"}));
  CHECK(c.remove.empty());
}
