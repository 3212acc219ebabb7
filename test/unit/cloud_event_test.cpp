#include "protocol/cloud_event.hpp"
#include "test/unit/parse_checks.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wlg::protocol;

namespace {

const std::string own_service = "/api/app/v1/service/adeebc1b-1b81-4af0-b8f2-cefffc69d7fb/";

std::string event_json(std::string_view type, std::string_view state,
                       std::string_view parents = R"(["/api/app/v1/service/7e1b/"])") {
  return R"({"type": ")" + std::string{type} + R"(", "action": "update", "state": ")"
         + std::string{state}
         + R"(", "uuid": "ba434e1e", "resource_uri": "/api/app/v1/container/ba434e1e/", "parents": )"
         + std::string{parents} + R"(, "datetime": "Thu, 16 Oct 2014 12:04:08 +0000"})";
}

event_relevance classify(const std::string& json) {
  cloud_event_parser parser;
  auto parsed = parser.parse(json);
  REQUIRE(parsed.has_value());
  return relevance_rule{own_service}.classify(**parsed);
}

} // namespace

TEST_CASE("an event frame from protocols.md parses into its fields") {
  cloud_event_parser parser;
  auto parsed = parser.parse(
    R"({"type": "container", "action": "update", "state": "Success",
        "uuid": "ba434e1e-1234", "resource_uri": "/api/app/v1/container/ba434e1e-1234/",
        "parents": ["/api/app/v1/service/7e1b/", "/api/app/v1/stack/93c2/"],
        "datetime": "Thu, 16 Oct 2014 12:04:08 +0000"})");
  REQUIRE(parsed.has_value());
  const auto& e = **parsed;
  CHECK(e.type == "container");
  CHECK(e.action == "update");
  CHECK(e.state == "Success");
  CHECK(e.has_state);
  CHECK(e.resource_uri == "/api/app/v1/container/ba434e1e-1234/");
  REQUIRE(e.parents.size() == 2);
  CHECK(e.parents[0] == "/api/app/v1/service/7e1b/");
  CHECK(e.parents[1] == "/api/app/v1/stack/93c2/");
}

TEST_CASE("unknown fields, nested or not, are ignored") {
  cloud_event_parser parser;
  auto parsed = parser.parse(
    R"({"extra": {"deep": [1, {"x": [true, null]}]}, "type": "service", "data": {"errorMessage": "x"},
        "state": "Running", "number": 12.5})");
  REQUIRE(parsed.has_value());
  CHECK((*parsed)->type == "service");
  CHECK((*parsed)->state == "Running");
  CHECK((*parsed)->parents.empty());
}

TEST_CASE("missing and null fields count as absent") {
  cloud_event_parser parser;
  auto parsed = parser.parse(R"({"type": "auth"})");
  REQUIRE(parsed.has_value());
  CHECK((*parsed)->type == "auth");
  CHECK_FALSE((*parsed)->has_state);
  auto with_null = parser.parse(R"({"type": "container", "state": null, "parents": null})");
  REQUIRE(with_null.has_value());
  CHECK_FALSE((*with_null)->has_state);
  CHECK((*with_null)->parents.empty());
}

TEST_CASE("a parser reused for many frames does not carry fields over") {
  cloud_event_parser parser;
  REQUIRE(parser.parse(event_json("container", "Running")).has_value());
  auto second = parser.parse(R"({"type": "node"})");
  REQUIRE(second.has_value());
  CHECK((*second)->type == "node");
  CHECK((*second)->state.empty());
  CHECK_FALSE((*second)->has_state);
  CHECK((*second)->parents.empty());
  CHECK((*second)->resource_uri.empty());
}

TEST_CASE("known fields of the wrong type are an error, not a guess") {
  cloud_event_parser parser;
  wlg::test::check_refused_as(parser,
                              {R"({"type": 5})", R"({"type": "container", "state": ["Running"]})",
                               R"({"type": "container", "parents": "/api/app/v1/service/x/"})",
                               R"({"type": "container", "parents": [1, 2]})", R"(["container"])",
                               R"("container")", R"(42)"},
                              {parse_error::kind::wrong_type});
}

TEST_CASE("text that is not JSON is an error") {
  cloud_event_parser parser;
  wlg::test::check_refused_as(parser,
                              {"", "hello", "{", R"({"type": "container")", R"({"type": "container"} trailing)",
                               R"({"type": "cont)", "\x01\x02"},
                              {parse_error::kind::not_json, parse_error::kind::wrong_type});
}

TEST_CASE("container and service events in a settled state are relevant") {
  for (const char* state : {"Running", "Stopped", "Terminated", "Success", "Partly running",
                            "Not running", "Redeploying", "Failed"}) {
    CAPTURE(state);
    CHECK(classify(event_json("container", state)) == event_relevance::resource_changed);
    CHECK(classify(event_json("service", state)) == event_relevance::resource_changed);
  }
}

TEST_CASE("transient states are not relevant, whatever the type") {
  for (const char* state :
       {"In progress", "Pending", "Terminating", "Starting", "Scaling", "Stopping"}) {
    CAPTURE(state);
    CHECK(classify(event_json("container", state)) == event_relevance::irrelevant);
    CHECK(classify(event_json("service", state)) == event_relevance::irrelevant);
    CHECK(is_transient_state(state));
  }
  CHECK_FALSE(is_transient_state("Running"));
}

TEST_CASE("types and states compare case-insensitively") {
  CHECK(classify(event_json("Container", "Running")) == event_relevance::resource_changed);
  CHECK(classify(event_json("SERVICE", "running")) == event_relevance::resource_changed);
  CHECK(classify(event_json("container", "in progress")) == event_relevance::irrelevant);
}

TEST_CASE("other types are relevant only as a Success on our own service") {
  for (const char* type : {"stack", "node", "nodecluster", "action", "auth", "error", ""}) {
    CAPTURE(type);
    CHECK(classify(event_json(type, "Running")) == event_relevance::irrelevant);
    CHECK(classify(event_json(type, "Success")) == event_relevance::irrelevant);
    CHECK(classify(event_json(type, "Success", "[\"" + own_service + "\"]"))
          == event_relevance::own_service_succeeded);
    CHECK(classify(event_json(type, "In progress", "[\"" + own_service + "\"]"))
          == event_relevance::irrelevant);
  }
}

TEST_CASE("our own service matches with or without namespace and trailing slash") {
  const std::string variants[] = {
    R"(["/api/app/v1/service/adeebc1b-1b81-4af0-b8f2-cefffc69d7fb"])",
    R"(["/api/app/v1/myorg/service/adeebc1b-1b81-4af0-b8f2-cefffc69d7fb/"])",
    R"(["/api/app/v1/stack/93c2/", "/api/app/v1/service/adeebc1b-1b81-4af0-b8f2-cefffc69d7fb/"])"};
  for (const auto& parents : variants) {
    CAPTURE(parents);
    CHECK(classify(event_json("action", "Success", parents))
          == event_relevance::own_service_succeeded);
  }
  CHECK(classify(event_json("action", "Success", R"(["/api/app/v1/service/adeebc1b/"])"))
        == event_relevance::irrelevant);
  CHECK(classify(event_json("action", "Success",
                            R"(["/api/app/v1/container/adeebc1b-1b81-4af0-b8f2-cefffc69d7fb/"])"))
        == event_relevance::irrelevant);
}

TEST_CASE("a container or service event without a state counts as settled, like the original") {
  cloud_event_parser parser;
  auto parsed = parser.parse(R"({"type": "container", "action": "delete"})");
  REQUIRE(parsed.has_value());
  CHECK(relevance_rule{own_service}.classify(**parsed) == event_relevance::resource_changed);
}

TEST_CASE("resource keys drop namespaces and trailing slashes") {
  CHECK(resource_key("/api/app/v1/service/ab12/") == "service/ab12");
  CHECK(resource_key("/api/app/v1/ns/service/ab12") == "service/ab12");
  CHECK(resource_key("service/ab12///") == "service/ab12");
  CHECK(same_resource("/api/app/v1/service/ab12/", "/api/app/v1/org/service/ab12"));
  CHECK_FALSE(same_resource("/api/app/v1/service/ab12/", "/api/app/v1/service/ab13/"));
  CHECK_FALSE(same_resource("/api/app/v1/service/ab12/", "/api/app/v1/container/ab12/"));
  CHECK_FALSE(same_resource("", ""));
}
