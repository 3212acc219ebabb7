#include "protocol/engine_api.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wlg::protocol;

TEST_CASE("a container list from the Engine API yields ids, names, labels and state") {
  container_list_parser parser;
  auto parsed = parser.parse(R"([
    {"Id": "8dfafdbc3a40", "Names": ["/citus_master_1"], "Image": "citusdata/citus",
     "Labels": {"com.docker.compose.project": "citus", "com.docker.compose.service": "master"},
     "State": "running", "Status": "Up 2 hours", "Ports": [{"PrivatePort": 5432, "Type": "tcp"}],
     "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.2"}}}},
    {"Id": "9cd87474be90", "Names": ["/other"], "Labels": null, "State": "exited"}])");
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->size() == 2);
  const auto& master = (*parsed)[0];
  CHECK(master.id == "8dfafdbc3a40");
  CHECK(master.names == std::vector<std::string>{"/citus_master_1"});
  CHECK(master.labels.at("com.docker.compose.project") == "citus");
  CHECK(master.labels.at("com.docker.compose.service") == "master");
  CHECK(master.state == "running");
  CHECK((*parsed)[1].labels.empty());
  CHECK((*parsed)[1].state == "exited");
}

TEST_CASE("an empty list is an empty list, other shapes are errors") {
  container_list_parser parser;
  auto empty = parser.parse("[]");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  for (const char* bad : {R"({"Id": "x"})", R"([{"Names": ["/x"]}])", R"([{"Id": 5}])",
                          R"([{"Id": "x", "Names": "/x"}])", R"([{"Id": "x", "Labels": {"a": 1}}])",
                          R"(["x"])"}) {
    CAPTURE(bad);
    CHECK_FALSE(parser.parse(bad).has_value());
  }
}

TEST_CASE("the label filter is URL-encoded JSON with every label required") {
  const auto query = label_filter_query(
    {"com.docker.compose.project=citus", "com.docker.compose.service=master"});
  CHECK(query
        == "%7B%22label%22%3A%5B%22com.docker.compose.project%3Dcitus%22%2C"
           "%22com.docker.compose.service%3Dmaster%22%5D%7D");
  CHECK(container_list_target("/v1.44", {"a=b"})
        == "/v1.44/containers/json?filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
}

TEST_CASE("label values with quotes or spaces stay inside their JSON string") {
  CHECK(label_filter_query({"k=a \"b\""}) == url_encode(R"({"label":["k=a \"b\""]})"));
}

TEST_CASE("a container found by its id: the id filter, and only a HOSTNAME that is an id asks") {
  CHECK(container_by_id_target("/v1.41", "8dfafdbc3a40") == "/v1.41/containers/json?filters="
                                                               + url_encode(R"({"id":["8dfafdbc3a40"]})"));
  CHECK(is_container_id("8dfafdbc3a40"));
  CHECK(is_container_id(std::string(64, 'f')));
  CHECK_FALSE(is_container_id("vm"));           // a machine's name
  CHECK_FALSE(is_container_id("8dfafdbc3a4"));  // 11 digits
  CHECK_FALSE(is_container_id("8DFAFDBC3A40")); // engines write lowercase
  CHECK_FALSE(is_container_id("8dfafdbc3a4g"));
  CHECK_FALSE(is_container_id(""));
}

TEST_CASE("the kill target carries the id and the signal name") {
  CHECK(container_kill_target("/v1.41", "8dfafdbc3a40", "SIGHUP")
        == "/v1.41/containers/8dfafdbc3a40/kill?signal=SIGHUP");
  CHECK(container_kill_target("", "a/b", "SIGHUP") == "/containers/a%2Fb/kill?signal=SIGHUP");
}

TEST_CASE("API versions parse as MAJOR.MINOR") {
  CHECK(parse_api_version("1.41") == api_version{1, 41});
  CHECK(parse_api_version("1.5") == api_version{1, 5});
  for (const char* bad : {"", "1", "1.", ".4", "1.41.2", "v1.41", "1.x", "-1.2"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_api_version(bad).has_value());
  }
  CHECK(api_version{1, 9} < api_version{1, 41});
}

TEST_CASE("the negotiated version is min(client max, engine's), within both ranges") {
  auto engine = [](const char* body) {
    auto v = parse_engine_version(body);
    REQUIRE(v.has_value());
    return *v;
  };
  // Podman 4.3 answers 1.41 with a minimum of 1.24.
  auto podman = negotiate_api_version(engine(R"({"ApiVersion":"1.41","MinAPIVersion":"1.24"})"));
  REQUIRE(podman.has_value());
  CHECK(*podman == api_version{1, 41});
  // Docker 29 speaks 1.52 and refuses anything below 1.44.
  auto docker29 = negotiate_api_version(engine(R"({"ApiVersion":"1.52","MinAPIVersion":"1.44"})"));
  REQUIRE(docker29.has_value());
  CHECK(*docker29 == api_version{1, 52});
  // A newer engine is asked for the newest version this client knows.
  auto future = negotiate_api_version(engine(R"({"ApiVersion":"1.60","MinAPIVersion":"1.44"})"));
  REQUIRE(future.has_value());
  CHECK(*future == client_max_api_version);
  // One that no longer accepts what this client speaks, and one too old for it.
  CHECK_FALSE(negotiate_api_version(engine(R"({"ApiVersion":"1.70","MinAPIVersion":"1.60"})")));
  CHECK_FALSE(negotiate_api_version(engine(R"({"ApiVersion":"1.12"})")));
  CHECK(negotiate_api_version(engine(R"({"ApiVersion":"1.24"})")).has_value());
}

TEST_CASE("a version answer without ApiVersion is an error") {
  CHECK_FALSE(parse_engine_version(R"({"Version": "24.0.7"})").has_value());
  CHECK_FALSE(parse_engine_version(R"({"ApiVersion": 1.41})").has_value());
  CHECK_FALSE(parse_engine_version(R"({"ApiVersion": "latest"})").has_value());
}
