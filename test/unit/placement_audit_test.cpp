// Which registered worker nodes came back empty, simulated on a virtual
// clock: containers change under names, the test answers each check as the
// coordinator would.

#include "policy/placement_audit.hpp"
#include "test/unit/citus_nodes.hpp"

#include <doctest/doctest.h>

using namespace wlg::policy;
using namespace wlg::test;
using namespace std::chrono_literals;

namespace {

using audit = placement_audit;
using check = audit::check_result;

std::map<citus_node, std::string> behind(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  std::map<citus_node, std::string> out;
  for (const auto& [name, id] : pairs)
    out[node(name)] = id;
  return out;
}

check whole(const char* name, std::int64_t shards = 16) { return {node(name), shards, true, 0, {}}; }
check lacking(const char* name, std::int64_t missing, std::int64_t shards = 16) {
  return {node(name), shards, true, missing, {}};
}
check unreached(const char* name) { return {node(name), 16, false, 0, "failed to connect"}; }

const auto t0 = time_point{} + 1h;

} // namespace

TEST_CASE("a name first seen is not suspect, and another container under it makes the node due at once") {
  audit a{{}};
  const auto present = nodes({"a", "b"});
  a.on_containers(behind({{"a", "c1"}, {"b", "c2"}}), t0);
  CHECK(a.due(present, t0).empty());
  a.on_containers(behind({{"a", "c1"}, {"b", "c2"}}), t0 + 1s); // the same containers: nothing
  CHECK(a.due(present, t0 + 1s).empty());
  a.on_containers(behind({{"a", "c1"}, {"b", "c3"}}), t0 + 2s);
  CHECK(a.due(present, t0 + 2s) == std::vector{node("b")});
  CHECK(a.next_due(present) == t0 + 2s);
}

TEST_CASE("a worker scaled down and up again: its node stays registered, so its old container is remembered") {
  audit a{{}};
  a.on_containers(behind({{"a", "c1"}, {"b", "c2"}}), t0);
  // b's container is gone; its node stays registered (it holds placements).
  a.on_containers(behind({{"a", "c1"}}), t0 + 1s);
  a.on_registered(nodes({"a", "b"}), nodes({"a"}));
  // It comes back under its name, another container with a fresh volume.
  a.on_containers(behind({{"a", "c1"}, {"b", "c9"}}), t0 + 2s);
  CHECK(a.due(nodes({"a", "b"}), t0 + 2s) == std::vector{node("b")});
}

TEST_CASE("a node removed and added again is a new node, not a suspect one") {
  audit a{{}};
  a.on_containers(behind({{"b", "c2"}}), t0);
  a.on_registered({}, {}); // b's container gone, and its empty node removed
  a.on_containers(behind({{"b", "c9"}}), t0 + 1s);
  CHECK(a.due(nodes({"b"}), t0 + 1s).empty());
}

TEST_CASE("a suspect node that is not registered is not checked, and is forgotten once a pass reads the nodes") {
  audit a{{}};
  a.on_containers(behind({{"b", "c2"}}), t0);
  a.on_containers(behind({{"b", "c3"}}), t0 + 1s);
  CHECK(a.due(nodes({"a"}), t0 + 1s).empty());
  a.on_registered(nodes({"a"}), nodes({"b"}));
  CHECK_FALSE(a.suspect(node("b")));
  CHECK(a.next_due(nodes({"a", "b"})) == std::nullopt);
}

TEST_CASE("a suspect node found whole, or holding no placement, is cleared and not checked again") {
  audit a{{}};
  a.on_containers(behind({{"a", "c1"}, {"b", "c2"}}), t0);
  a.on_containers(behind({{"a", "c5"}, {"b", "c6"}}), t0 + 1s);
  const auto asked = a.due(nodes({"a", "b"}), t0 + 1s);
  REQUIRE(asked.size() == 2);
  CHECK_FALSE(a.on_checked(asked, {whole("a")}, t0 + 1s)); // b: no row, no placement
  CHECK(a.missing().empty());
  CHECK(a.next_due(nodes({"a", "b"})) == std::nullopt);
}

TEST_CASE("a node missing shard tables is reported, checked again once per interval, and cleared once whole") {
  audit a{{std::chrono::seconds(60)}};
  const auto present = nodes({"a", "b"});
  a.on_containers(behind({{"a", "c1"}, {"b", "c2"}}), t0);
  a.on_containers(behind({{"a", "c1"}, {"b", "c3"}}), t0 + 1s);
  CHECK(a.on_checked(a.due(present, t0 + 1s), {lacking("b", 17, 17)}, t0 + 1s));
  CHECK(a.missing() == audit::report{{node("b"), 17, 17}});
  // Not per event: more applies with the same containers ask for nothing until the interval has passed.
  a.on_containers(behind({{"a", "c1"}, {"b", "c3"}}), t0 + 2s);
  CHECK(a.due(present, t0 + 30s).empty());
  CHECK(a.next_due(present) == t0 + 61s);
  const auto again = a.due(present, t0 + 61s);
  CHECK(again == std::vector{node("b")});
  CHECK_FALSE(a.on_checked(again, {lacking("b", 17, 17)}, t0 + 61s)); // the same: nothing new to say
  // Restored (its data copied back): whole, and no longer checked.
  CHECK(a.on_checked(a.due(present, t0 + 121s), {whole("b", 17)}, t0 + 121s));
  CHECK(a.missing().empty());
  CHECK(a.next_due(present) == std::nullopt);
}

TEST_CASE("a node the coordinator cannot reach keeps what was found before, and is checked again after the interval") {
  audit a{{std::chrono::seconds(60)}};
  const auto present = nodes({"b"});
  a.on_containers(behind({{"b", "c2"}}), t0);
  a.on_containers(behind({{"b", "c3"}}), t0 + 1s);
  CHECK_FALSE(a.on_checked({node("b")}, {unreached("b")}, t0 + 1s)); // its database not up yet
  CHECK(a.missing().empty());
  CHECK(a.next_due(present) == t0 + 61s);
  CHECK(a.on_checked({node("b")}, {lacking("b", 3)}, t0 + 61s));
  CHECK_FALSE(a.on_checked({node("b")}, {unreached("b")}, t0 + 121s));
  CHECK(a.missing() == audit::report{{node("b"), 3, 16}});
  a.on_check_refused({node("b")}, t0 + 181s);
  CHECK(a.next_due(present) == t0 + 241s);
}

TEST_CASE("a replaced task's node, updated in place, is due at once, and a node that leaves takes its report with it") {
  audit a{{}};
  a.on_replaced(node("t2"), t0);
  CHECK(a.due(nodes({"t2"}), t0) == std::vector{node("t2")});
  CHECK(a.on_checked({node("t2")}, {lacking("t2", 5)}, t0));
  a.on_registered(nodes({"t1"}), nodes({"t1"})); // t2's node removed by hand
  CHECK(a.missing().empty());
  CHECK_FALSE(a.suspect(node("t2")));
}

TEST_CASE("a container id left empty (two containers under one name) says nothing") {
  audit a{{}};
  a.on_containers(behind({{"a", "c1"}}), t0);
  a.on_containers(behind({{"a", ""}}), t0 + 1s);
  CHECK(a.due(nodes({"a"}), t0 + 1s).empty());
  a.on_containers(behind({{"a", "c1"}}), t0 + 2s);
  CHECK(a.due(nodes({"a"}), t0 + 2s).empty());
}
