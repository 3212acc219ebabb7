// Reading what the coordinator answers: every row of the statement's shape,
// nothing from a row that is not.

#include "protocol/citus_rows.hpp"

#include <doctest/doctest.h>

using namespace wlg::protocol;

namespace {

std::optional<std::string> v(const char* text) { return std::string{text}; }
const std::optional<std::string> null;

} // namespace

TEST_CASE("registered nodes: every worker, the disabled ones apart, a bad port or a short row is skipped") {
  const auto nodes = read_registered_nodes({{v("w1"), v("5432"), v("t")},
                                            {v("w2"), v("5432"), v("f")},
                                            {v("w3"), v("70000"), v("t")},
                                            {v("w4"), v("5432")},
                                            {null, v("5432"), v("t")}});
  CHECK(nodes.present == std::set<node_address>{{"w1", 5432}, {"w2", 5432}});
  CHECK(nodes.inactive == std::set<node_address>{{"w2", 5432}});
}

TEST_CASE("probes: whether each node answers and its only placements") {
  const auto probes = read_node_probes({{v("w1"), v("5432"), v("t"), v("0")},
                                        {v("w2"), v("6432"), v("f"), v("16")},
                                        {v("w3"), v("5432"), null, null}});
  REQUIRE(probes.size() == 3);
  CHECK(probes[0] == node_probe{{"w1", 5432}, true, 0});
  CHECK(probes[1] == node_probe{{"w2", 6432}, false, 16});
  CHECK(probes[2] == node_probe{{"w3", 5432}, false, 0});
}

TEST_CASE("placement checks: shards held, reached, missing tables, or why not reached") {
  const auto checks = read_placement_checks({{v("w1"), v("5432"), v("17"), v("t"), v("17")},
                                             {v("w2"), v("5432"), v("16"), v("t"), v("0")},
                                             {v("w3"), v("5432"), v("8"), v("f"), v("failed to connect to w3:5432")},
                                             {v("w4"), v("5432"), v("8")}});
  REQUIRE(checks.size() == 3); // the short row is skipped
  CHECK(checks[0] == placement_check{{"w1", 5432}, 17, true, 17, {}});
  CHECK(checks[1] == placement_check{{"w2", 5432}, 16, true, 0, {}});
  CHECK(checks[2] == placement_check{{"w3", 5432}, 8, false, 0, "failed to connect to w3:5432"});
}

TEST_CASE("node states: active, should have shards, placements") {
  const auto states = read_node_states({{v("w1"), v("5432"), v("t"), v("f"), v("8")},
                                        {v("w2"), v("5432"), v("f"), v("t"), v("0")},
                                        {v("w3"), v("5432"), v("t"), v("t")}});
  REQUIRE(states.size() == 2);
  CHECK(states[0] == node_state{{"w1", 5432}, true, false, 8});
  CHECK(states[1] == node_state{{"w2", 5432}, false, true, 0});
}

TEST_CASE("the first value: a boolean, a text, a bigint, and nothing for no row or NULL") {
  CHECK(first_is_true({{v("t")}}));
  CHECK_FALSE(first_is_true({{v("f")}}));
  CHECK_FALSE(first_is_true({}));
  CHECK(first_text({{v("running")}}) == "running");
  CHECK_FALSE(first_text({{null}}).has_value());
  CHECK_FALSE(first_text({}).has_value());
  CHECK(first_int64({{v("42")}}) == 42);
  CHECK_FALSE(first_int64({{null}}).has_value());
  CHECK(to_string(node_address{"w1", 5432}) == "w1:5432");
}

TEST_CASE("a removal, a drain's progress and planned moves") {
  CHECK(read_removal({{v("t"), v("0")}})->removed);
  CHECK(read_removal({{v("f"), v("16")}})->only_copies == 16);
  CHECK_FALSE(read_removal({}).has_value());
  CHECK(read_drain_progress({{v("running"), v("6"), null}}) == drain_progress_row{"running", 6, ""});
  CHECK(read_drain_progress({{null, v("0"), null}}) == drain_progress_row{"", 0, ""});
  const auto moves = read_shard_moves({{v("items"), v("102008"), v("w4"), v("5432"), v("w1"), v("5432")},
                                       {v("items"), v("102009"), v("w4"), v("x"), v("w1"), v("5432")}});
  REQUIRE(moves.size() == 1);
  CHECK(moves[0] == shard_move{"items", 102008, {"w4", 5432}, {"w1", 5432}});
}

TEST_CASE("a node named on the command line: a name, or a name and a port") {
  CHECK(parse_node_spec("w1") == node_spec{"w1", std::nullopt});
  CHECK(parse_node_spec("w1:6432") == node_spec{"w1", 6432});
  CHECK(parse_node_spec("fe80::1") == node_spec{"fe80::1", std::nullopt});
  CHECK_FALSE(parse_node_spec("").has_value());
  CHECK_FALSE(parse_node_spec("w1:").has_value());
  CHECK_FALSE(parse_node_spec(":5432").has_value());
  CHECK_FALSE(parse_node_spec("w1:99999").has_value());
  CHECK(to_string(node_spec{"w1", 6432}) == "w1:6432");
}
