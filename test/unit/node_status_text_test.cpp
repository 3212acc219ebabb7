// How `status` prints the worker nodes: aligned columns, or one JSON document.

#include "protocol/node_status_text.hpp"

#include <doctest/doctest.h>

using namespace wlg::protocol;

namespace {

const std::vector<node_status> two{{{{"127.0.0.2", 5432}, true, true, 16}, true},
                                   {{{"worker-\"b\"", 6432}, false, false, 0}, std::nullopt}};

} // namespace

TEST_CASE("the table has a header and one aligned line per node") {
  CHECK(status_table(two)
        == "NODE        PORT  ACTIVE  SHOULD HAVE SHARDS  PLACEMENTS  ANSWERS\n"
           "127.0.0.2   5432  yes     yes                 16          yes\n"
           "worker-\"b\"  6432  no      no                  0           unknown\n");
}

TEST_CASE("no node: the table says so") {
  CHECK(status_table({}).find("(no worker node is registered)") != std::string::npos);
}

TEST_CASE("JSON: one document, names quoted, an unknown answer is null") {
  CHECK(status_json(two)
        == "{\"nodes\":[{\"name\":\"127.0.0.2\",\"port\":5432,\"active\":true,\"should_have_shards\":true,"
           "\"placements\":16,\"answers\":true},{\"name\":\"worker-\\\"b\\\"\",\"port\":6432,\"active\":false,"
           "\"should_have_shards\":false,\"placements\":0,\"answers\":null}]}\n");
  CHECK(status_error_json("cannot reach the coordinator", "refused") ==
        "{\"error\":\"cannot reach the coordinator\",\"reason\":\"refused\"}\n");
}
