#pragma once

// The actor tests' ground: CAF's deterministic scheduler (every message and
// timeout is stepped by the test, time is virtual), a context built from the
// real configuration parser, and mock peers that stand in for the actors a
// test does not exercise. Nothing here sleeps or reads the real clock.

#include "actors/context.hpp"
#include "actors/errors.hpp"
#include "actors/interfaces.hpp"
#include "config/configuration.hpp"
#include "net/read_gate.hpp"
#include "runtime/fault_plan.hpp"
#include "runtime/metrics.hpp"
#include "test/support/files.hpp"

#include <boost/asio/io_context.hpp>

#include <caf/test/dsl.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wlg::test {

// A test file says `using namespace wlg::test;` and has the project's names,
// the actors' and atom_value, for the expect((atom_value, ...), ...) traces.
using namespace wlg;
using namespace wlg::actors;
using caf::atom_value;

// What the actors' context points to. A base listed before the scheduler
// fixture, so it is built before the actor system and destroyed after it:
// actors close their network sessions and count metrics while the system
// shuts down.
struct actor_services {
  temp_dir dir;
  runtime::metrics metrics;
  std::unique_ptr<runtime::fault_plan> faults;
  boost::asio::io_context io;
  std::shared_ptr<net::read_gate> read_gate = std::make_shared<net::read_gate>();
};

// A fixture run with --once.
template <class Fixture>
struct with_once : Fixture {
  with_once() : Fixture({"--once"}) {}
};

// Engine mode against a socket that does not exist, with a worker list in a
// temporary directory. The io_context is never run: a real actor's network
// request stays pending, so the tests decide every answer.
struct actor_fixture : actor_services, test_coordinator_fixture<> {
  explicit actor_fixture(std::vector<std::string> args = {}) {
    config::environment env{{"WORKERLISTGEN_SOURCE", "engine"},
                              {"CITUS_CONFDIR", dir.path()},
                              {"DOCKER_HOST", "unix://" + dir.path() + "/docker.sock"}};
    auto parsed = config::parse_configuration(env, args);
    if (!parsed)
      CAF_FAIL(config::describe(parsed.error()));
    faults = std::make_unique<runtime::fault_plan>(parsed->config.faults, metrics);
    auto made = std::make_shared<actors::context>();
    made->config = parsed->config;
    made->io = &io;
    made->metrics = &metrics;
    made->read_gate = read_gate;
    made->faults = faults.get();
    made->user_agent = "actor-tests";
    made->detach_blocking_actors = false;
    ctx = made;
  }

  // Actors that would keep retrying forever (a failing peer) are stopped
  // before the scheduler fixture runs out the remaining work.
  ~actor_fixture() override {
    for (auto& actor : stop_at_end)
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }

  template <class Handle>
  Handle stopped_at_end(Handle actor) {
    stop_at_end.push_back(caf::actor_cast<caf::actor>(actor));
    return actor;
  }

  std::vector<caf::actor> stop_at_end;

  // Runs until nothing is left to do, then tells how `actor` ended: the
  // reason of the down message the test's own actor received, or nothing
  // while it still runs.
  template <class Handle>
  std::optional<caf::error> run_to_exit(const Handle& actor) {
    self->monitor(actor);
    run();
    std::optional<caf::error> reason;
    self->receive([&](caf::down_msg& down) { reason = down.reason; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return reason;
  }

  actors::context_ptr ctx;
};

// --- mock peers ------------------------------------------------------------------

// Answers every fetch with `workers`.
inline actors::fetcher_actor::behavior_type answering_poller(actors::fetcher_actor::pointer,
                                                            protocol::worker_set workers) {
  return {[=](actors::fetch_atom) { return workers; }};
}

// Answers every fetch with an error. (Every mock takes an argument: CAF
// 0.17 binds a null pointer when it spawns a function actor without one.)
inline actors::fetcher_actor::behavior_type failing_poller(actors::fetcher_actor::pointer, std::string why) {
  return {[=](actors::fetch_atom) -> caf::result<protocol::worker_set> {
    return actors::make_error(actors::sync_error::http_status, why);
  }};
}

// Promises a mock keeps unanswered, so the request stays in flight.
template <class T>
using held_promises = std::shared_ptr<std::vector<caf::typed_response_promise<T>>>;

template <class T>
held_promises<T> promises_held() {
  return std::make_shared<std::vector<caf::typed_response_promise<T>>>();
}

// Never answers: the fetch stays in flight.
inline actors::fetcher_actor::behavior_type silent_poller(actors::fetcher_actor::pointer self,
                                                         held_promises<protocol::worker_set> held) {
  return {[=](actors::fetch_atom) -> caf::result<protocol::worker_set> {
    held->push_back(self->make_response_promise<protocol::worker_set>());
    return held->back();
  }};
}

// Never answers an apply.
inline actors::output_actor::behavior_type silent_output(actors::output_actor::pointer self,
                                                        held_promises<policy::output_report> held) {
  return {[=](actors::apply_atom, const policy::output_request&) -> caf::result<policy::output_report> {
    held->push_back(self->make_response_promise<policy::output_report>());
    return held->back();
  }};
}

// Never answers a signal.
inline actors::signaller_actor::behavior_type silent_signaller(actors::signaller_actor::pointer self,
                                                              held_promises<actors::signal_report> held) {
  return {[=](actors::signal_atom) -> caf::result<actors::signal_report> {
    held->push_back(self->make_response_promise<actors::signal_report>());
    return held->back();
  }};
}

// Records every apply; fails the first `failures` of them.
struct output_log {
  std::vector<policy::output_request> requests;
  int failures = 0;
};
inline actors::output_actor::behavior_type recording_output(actors::output_actor::pointer,
                                                           std::shared_ptr<output_log> log) {
  return {[=](actors::apply_atom, const policy::output_request& request) -> caf::result<policy::output_report> {
    log->requests.push_back(request);
    if (log->failures > 0) {
      --log->failures;
      return actors::make_error(actors::sync_error::write_failed, "disk full");
    }
    return policy::output_report{true, "applied"};
  }};
}

// Counts signals; fails the first `failures` of them.
struct signal_log {
  int signals = 0;
  int failures = 0;
};
inline actors::signaller_actor::behavior_type counting_signaller(actors::signaller_actor::pointer,
                                                                std::shared_ptr<signal_log> log) {
  return {[=](actors::signal_atom) -> caf::result<actors::signal_report> {
    ++log->signals;
    if (log->failures > 0) {
      --log->failures;
      return actors::make_error(actors::sync_error::engine_refused, "no engine");
    }
    return actors::signal_report{1};
  }};
}

inline protocol::worker_set workers(std::initializer_list<const char*> names) {
  return protocol::worker_set{std::vector<std::string>(names.begin(), names.end())};
}

} // namespace wlg::test
