#include "protocol/container_object.hpp"
#include "test/unit/parse_checks.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wlg::protocol;

namespace {

std::string link(std::string_view name_json) {
  return R"({"name": )" + std::string{name_json}
         + R"(, "from_container": "/api/app/v1/container/c1dd/",
              "to_container": "/api/app/v1/container/ba43/",
              "endpoints": {"5432/tcp": "tcp://10.7.0.4:5432"}})";
}

std::string container_with(const std::vector<std::string>& link_objects) {
  std::string links;
  for (const auto& l : link_objects)
    links += (links.empty() ? "" : ",") + l;
  return R"({"uuid": "c1dd", "resource_uri": "/api/app/v1/container/c1dd/", "name": "workerlistgen-1",
             "state": "Running", "service": "/api/app/v1/service/adee/",
             "container_envvars": [{"key": "A", "value": "B"}], "roles": ["global"],
             "linked_to_container": [)"
         + links + R"(], "private_ip": "10.7.0.2"})";
}

std::vector<std::string> names_of(const std::string& body) {
  container_parser parser;
  auto parsed = parser.parse(body);
  REQUIRE(parsed.has_value());
  return parsed->workers.names();
}

} // namespace

TEST_CASE("the container object from protocols.md yields its linked names") {
  const std::string body = R"({"uuid": "c1dd4e1e-1356-411c-8613-e15146633640",
    "resource_uri": "/api/app/v1/container/c1dd4e1e-1356-411c-8613-e15146633640/",
    "name": "workerlistgen-1", "state": "Running",
    "service": "/api/app/v1/service/adeebc1b-1b81-4af0-b8f2-cefffc69d7fb/",
    "linked_to_container": [
      {"name": "WORKER_1",
       "from_container": "/api/app/v1/container/c1dd4e1e-1356-411c-8613-e15146633640/",
       "to_container": "/api/app/v1/container/ba434e1e-1234-4d8f-9b7e-2d2d4c1a2b3c/",
       "endpoints": {"5432/tcp": "tcp://10.7.0.4:5432"}}]})";
  CHECK(names_of(body) == std::vector<std::string>{"WORKER_1"});
}

TEST_CASE("names come back sorted and de-duplicated whatever the API's order") {
  const auto body = container_with({link(R"("worker-3")"), link(R"("worker-1")"),
                                    link(R"("worker-2")"), link(R"("worker-1")")});
  CHECK(names_of(body) == std::vector<std::string>{"worker-1", "worker-2", "worker-3"});
}

TEST_CASE("a missing or null linked_to_container means no links") {
  CHECK(names_of(R"({"uuid": "x", "name": "c"})").empty());
  CHECK(names_of(R"({"uuid": "x", "linked_to_container": null})").empty());
  CHECK(names_of(R"({"linked_to_container": []})").empty());
}

TEST_CASE("a document whose structure is wrong is an error, never an empty set") {
  container_parser parser;
  wlg::test::check_refused_as(parser,
                              {R"({"linked_to_container": "worker-1"})",
                               R"({"linked_to_container": {"name": "worker-1"}})",
                               R"({"linked_to_container": ["worker-1"]})",
                               R"({"linked_to_container": [[{"name": "worker-1"}]]})",
                               R"([{"name": "worker-1"}])", R"("container")", "null"},
                              {parse_error::kind::wrong_type});
}

TEST_CASE("links with unusable names are refused one by one, the rest are kept") {
  container_parser parser;
  const std::string long_name(10'000, 'a');
  auto parsed = parser.parse(container_with({
    link(R"("worker-1")"), link(R"("evil\nworker-9 5432")"), link(R"("two words")"),
    link(R"("#comment")"), link(R"x("$(reboot)")x"), link(R"("w;rm -rf")"),
    link("\"" + long_name + "\""), link("17"), link("null"), link(R"("")"),
    R"({"to_container": "/api/app/v1/container/x/"})", link(R"("worker-2")")}));
  REQUIRE(parsed.has_value());
  CHECK(parsed->workers.names() == std::vector<std::string>{"worker-1", "worker-2"});
  CHECK(parsed->refused.size() == 10);
  for (const auto& refused : parsed->refused) {
    CAPTURE(refused.excerpt);
    CHECK_FALSE(refused.reason.empty());
    CHECK(refused.excerpt.find('\n') == std::string::npos);
    CHECK(refused.excerpt.size() < 200);
  }
}

TEST_CASE("escaped names are judged after unescaping") {
  // "worker\u002d1" is "worker-1"; "w\u000a1" hides a newline.
  container_parser parser;
  auto parsed = parser.parse(container_with({link(R"("worker\u002d1")"), link(R"("w\u000a1")")}));
  REQUIRE(parsed.has_value());
  CHECK(parsed->workers.names() == std::vector<std::string>{"worker-1"});
  CHECK(parsed->refused.size() == 1);
}

TEST_CASE("read() takes the names as written, check_links() refuses and sorts them") {
  container_parser parser;
  auto read = parser.read(container_with({link(R"("worker-2")"), link(R"("two words")"), link("17"),
                                          link(R"("worker-1")"), link(R"("worker-2")")}));
  REQUIRE(read.has_value());
  CHECK(read->names == std::vector<std::string_view>{"worker-2", "two words", "worker-1", "worker-2"});
  CHECK(read->refused.size() == 1); // 17 is not a string
  const auto links = check_links(std::move(*read));
  CHECK(links.workers.names() == std::vector<std::string>{"worker-1", "worker-2"});
  CHECK(links.refused.size() == 2);
}

TEST_CASE("a large document's buffers are given back when a smaller one follows") {
  container_parser parser;
  std::vector<std::string> many;
  for (int i = 0; i < 10'000; ++i)
    many.push_back(link("\"worker-" + std::to_string(i) + "\""));
  const auto large = container_with(many);
  REQUIRE(parser.parse(large).has_value());
  CHECK(parser.buffer_bytes() >= large.size());
  const auto held = parser.buffer_bytes();
  // The same size again reuses them.
  REQUIRE(parser.parse(large).has_value());
  CHECK(parser.buffer_bytes() == held);
  REQUIRE(parser.parse(container_with({link(R"("worker-1")")})).has_value());
  CHECK(parser.buffer_bytes() < 256 * 1024);
}

TEST_CASE("a document that grows by one name at a time keeps its buffers") {
  container_parser parser;
  std::vector<std::string> many;
  for (int i = 0; i < 10'000; ++i)
    many.push_back(link("\"worker-" + std::to_string(i) + "\""));
  REQUIRE(parser.parse(container_with(many)).has_value());
  const auto held = parser.buffer_bytes();
  for (int i = 10'000; i < 10'010; ++i) {
    many.push_back(link("\"worker-" + std::to_string(i) + "\""));
    REQUIRE(parser.parse(container_with(many)).has_value());
    CHECK(parser.buffer_bytes() == held); // no reallocation, no fresh pages to fault in
  }
}
