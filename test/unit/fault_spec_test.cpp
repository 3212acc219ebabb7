#include "config/configuration.hpp"
#include "config/fault_spec.hpp"

#include <doctest/doctest.h>

using namespace wlg::config;
using namespace wlg::protocol;
using namespace std::chrono_literals;

TEST_CASE("crash and stall specs parse for every actor") {
  for (auto name : actor_role_names) {
    auto crash = parse_fault_spec(std::string{name} + ":crash:every=3");
    REQUIRE(crash.has_value());
    CHECK(name_of(crash->role) == name);
    CHECK(crash->what == fault_spec::kind::crash);
    CHECK(crash->every == 3);
  }
  auto stall = parse_fault_spec("file_writer:stall:ms=250");
  REQUIRE(stall.has_value());
  CHECK(stall->what == fault_spec::kind::stall);
  CHECK(stall->stall == 250ms);
  CHECK(stall->every == 1);
  auto sometimes = parse_fault_spec("api_poller:stall:ms=100,every=4");
  REQUIRE(sometimes.has_value());
  CHECK(sometimes->every == 4);
}

TEST_CASE("malformed fault specs are refused with a reason") {
  for (const char* bad : {"", "file_writer", "file_writer:crash", "file_writer:crash:every=0",
                          "file_writer:crash:every=x", "file_writer:crash:ms=5",
                          "file_writer:stall:every=2", "file_writer:stall:ms=0",
                          "nobody:crash:every=1", "file_writer:explode:every=1",
                          "file_writer:crash:every=2,bogus=1", "file_writer:crash:every=-1"}) {
    CAPTURE(bad);
    auto parsed = parse_fault_spec(bad);
    REQUIRE_FALSE(parsed.has_value());
    CHECK_FALSE(parsed.error().empty());
  }
}

TEST_CASE("--inject-fault repeats, and the environment takes several specs") {
  environment env{{"WORKERLISTGEN_SOURCE", "engine"},
                  {"WORKERLISTGEN_INJECT_FAULT", "file_writer:crash:every=2 engine_poller:stall:ms=5"}};
  auto from_env = parse_configuration(env, {});
  REQUIRE(from_env.has_value());
  REQUIRE(from_env->config.faults.size() == 2);
  CHECK(from_env->config.faults[1].role == actor_role::engine_poller);

  auto from_flags = parse_configuration(env, {"--inject-fault=state_reconciler:crash:every=5",
                                              "--inject-fault", "docker_restarter:crash:every=1"});
  REQUIRE(from_flags.has_value());
  REQUIRE(from_flags->config.faults.size() == 2);
  CHECK(from_flags->config.faults[0].role == actor_role::state_reconciler);
  CHECK(from_flags->config.faults[1].role == actor_role::docker_restarter);
}

TEST_CASE("a bad fault spec is a configuration error naming the setting") {
  auto parsed = parse_configuration({{"WORKERLISTGEN_SOURCE", "engine"}},
                                    {"--inject-fault=file_writer:crash"});
  REQUIRE_FALSE(parsed.has_value());
  CHECK(describe(parsed.error()).find("WORKERLISTGEN_INJECT_FAULT (--inject-fault)")
        != std::string::npos);
}

TEST_CASE("a fault for an actor that does not run with these settings is refused, naming those that do") {
  struct case_ {
    std::vector<std::string> args;
    const char* running;
  };
  const case_ cases[] = {
    {{"--inject-fault=api_poller:crash:every=1"},
     "these do: event_subscriber, state_reconciler, file_writer, docker_restarter, engine_poller"},
    {{"--inject-fault=file_writer:crash:every=1", "--target=citus"},
     "these do: event_subscriber, state_reconciler, citus_membership, engine_poller"},
    {{"--inject-fault=event_subscriber:crash:every=1", "--once"},
     "these do: state_reconciler, file_writer, docker_restarter, engine_poller"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args.front());
    auto parsed = parse_configuration({{"WORKERLISTGEN_SOURCE", "engine"}}, c.args);
    REQUIRE_FALSE(parsed.has_value());
    const auto text = describe(parsed.error());
    CHECK(text.find("WORKERLISTGEN_INJECT_FAULT (--inject-fault)") != std::string::npos);
    CHECK(text.find(" does not run with these settings; ") != std::string::npos);
    CHECK(text.find(c.running) != std::string::npos);
  }
}
