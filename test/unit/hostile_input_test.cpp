// Bad input for every parser: not JSON, wrong types, truncated documents, huge
// documents and deep nesting. Each must come back as an error value; none may
// throw or crash, and a truncated document must never pass as a shorter one.

#include "protocol/cloud_event.hpp"
#include "protocol/container_object.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/worker_name.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <random>
#include <string>

using namespace wlg::protocol;

namespace {

struct parser_under_test {
  const char* name;
  std::string valid;
  std::function<bool(std::string_view)> accepts; // true: parsed
};

std::vector<parser_under_test> all_parsers() {
  auto events = std::make_shared<cloud_event_parser>();
  auto containers = std::make_shared<container_parser>();
  auto lists = std::make_shared<container_list_parser>();
  return {
    {"event",
     R"({"type":"container","action":"update","state":"Running","resource_uri":"/api/app/v1/container/a/","parents":["/api/app/v1/service/b/"]})",
     [events](std::string_view t) { return events->parse(t).has_value(); }},
    {"container",
     R"({"uuid":"c","linked_to_container":[{"name":"worker-1"},{"name":"worker-2"}],"state":"Running"})",
     [containers](std::string_view t) { return containers->parse(t).has_value(); }},
    {"engine list", R"([{"Id":"a","Names":["/m"],"Labels":{"k":"v"},"State":"running"}])",
     [lists](std::string_view t) { return lists->parse(t).has_value(); }},
    {"engine version", R"({"ApiVersion":"1.41","MinAPIVersion":"1.24"})",
     [](std::string_view t) { return parse_engine_version(t).has_value(); }},
  };
}

} // namespace

TEST_CASE("every parser accepts its valid sample (so the refusals below mean something)") {
  for (auto& p : all_parsers()) {
    CAPTURE(p.name);
    CHECK(p.accepts(p.valid));
  }
}

TEST_CASE("text that is not JSON is refused by every parser") {
  for (auto& p : all_parsers()) {
    for (const char* bad : {"", " ", "not json", "<html>500</html>", "{]", "\xff\xfe\x00",
                            "{\"a\":}", "nul\0l"}) {
      CAPTURE(p.name);
      CAPTURE(bad);
      CHECK_FALSE(p.accepts(bad));
    }
  }
}

TEST_CASE("every proper prefix of a valid document is refused") {
  for (auto& p : all_parsers()) {
    CAPTURE(p.name);
    for (std::size_t len = 0; len < p.valid.size(); ++len) {
      const std::string prefix = p.valid.substr(0, len);
      CAPTURE(prefix);
      CHECK_FALSE(p.accepts(prefix));
    }
  }
}

TEST_CASE("a truncated container document never yields fewer workers") {
  container_parser parser;
  const std::string valid =
    R"({"linked_to_container":[{"name":"worker-1"},{"name":"worker-2"},{"name":"worker-3"}]})";
  for (std::size_t len = 0; len < valid.size(); ++len) {
    auto parsed = parser.parse(valid.substr(0, len));
    CAPTURE(len);
    CHECK_FALSE(parsed.has_value());
  }
}

TEST_CASE("10 MB documents are refused as too large") {
  std::string big = R"({"linked_to_container":[)";
  while (big.size() < 10 * 1024 * 1024)
    big += R"({"name":"worker-1"},)";
  big += R"({"name":"worker-2"}]})";
  container_parser containers;
  auto parsed = containers.parse(big);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().what == parse_error::kind::too_large);

  cloud_event_parser events;
  auto event = events.parse(R"({"type":"container","pad":")" + std::string(10 * 1024 * 1024, 'x')
                            + R"("})");
  REQUIRE_FALSE(event.has_value());
  CHECK(event.error().what == parse_error::kind::too_large);

  container_list_parser lists;
  auto list = lists.parse("[" + std::string(10 * 1024 * 1024, ' ') + "]");
  REQUIRE_FALSE(list.has_value());
  CHECK(list.error().what == parse_error::kind::too_large);
}

TEST_CASE("deeply nested arrays are refused, even inside fields nobody reads") {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  for (auto& p : all_parsers()) {
    CAPTURE(p.name);
    CHECK_FALSE(p.accepts(deep));
  }
  cloud_event_parser events;
  auto hidden = events.parse(R"({"type":"container","state":"Running","x":)" + deep + "}");
  REQUIRE_FALSE(hidden.has_value());
  CHECK(hidden.error().what == parse_error::kind::too_deep);
  // Brackets inside strings are text, not nesting.
  auto quoted = events.parse(R"({"type":"container","x":")" + std::string(5000, '[') + R"("})");
  CHECK(quoted.has_value());
}

TEST_CASE("wrong types at the top level are refused by every parser") {
  auto parsers = all_parsers();
  const std::vector<std::vector<const char*>> wrong = {
    {"null", "true", "42", "\"text\"", "[1,2]"},           // event: needs an object
    {"null", "true", "42", "\"text\"", "[1,2]"},           // container: needs an object
    {"null", "true", "42", "\"text\"", "{\"Id\":\"a\"}"},   // engine list: needs an array
    {"null", "true", "42", "\"text\"", "[1,2]", "{\"a\":1}"}, // version: needs ApiVersion
  };
  REQUIRE(parsers.size() == wrong.size());
  for (std::size_t i = 0; i < parsers.size(); ++i)
    for (const char* bad : wrong[i]) {
      CAPTURE(parsers[i].name);
      CAPTURE(bad);
      CHECK_FALSE(parsers[i].accepts(bad));
    }
}

TEST_CASE("mutated documents never throw, and an accepted container has only valid names") {
  std::mt19937 rng{20261125};
  for (auto& p : all_parsers()) {
    CAPTURE(p.name);
    for (int round = 0; round < 2000; ++round) {
      std::string input = p.valid;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e)
        input[rng() % input.size()] = static_cast<char>(rng() % 256);
      CHECK_NOTHROW(p.accepts(input));
    }
  }
  container_parser parser;
  const std::string valid = all_parsers()[1].valid;
  int accepted = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string input = valid;
    input[rng() % input.size()] = static_cast<char>(rng() % 256);
    auto parsed = parser.parse(input);
    if (!parsed)
      continue;
    ++accepted;
    for (const auto& name : parsed->workers.names()) {
      CAPTURE(input);
      CHECK_FALSE(worker_name_problem(name).has_value());
    }
  }
  CHECK(accepted > 0); // some mutations land in names and must be judged there
}

TEST_CASE("the nesting check follows escaped quotes and escaped backslashes") {
  cloud_event_parser events;
  const std::string open(100, '['), close(100, ']');
  // \" does not end a string: the brackets after it are still text.
  CHECK(events.parse(R"({"type":"container","x":"a\")" + open + R"("})").has_value());
  // \\ is one backslash: the quote after it ends the string, so this nests.
  auto nested = events.parse(R"({"type":"container","x":"a\\","y":)" + open + close + "}");
  REQUIRE_FALSE(nested.has_value());
  CHECK(nested.error().what == parse_error::kind::too_deep);
}
