// The supervisor with the real actors, on the deterministic scheduler, their
// network requests left pending: a crashing actor is restarted on its own,
// and one that crashes too often makes the supervisor give up.
#define CAF_SUITE supervisor

#include "actors/roles.hpp"
#include "actors/supervisor.hpp"
#include "test/actors/fixture.hpp"

using namespace wlg::test;

namespace {

std::uint64_t restarts_of(const runtime::metrics& m, config::actor_role role) {
  return m.actor_restarts[config::index_of(role)].load();
}

// Engine mode (the fixture's): the poller is the engine poller, by its own name.
struct crashing_poller : actor_fixture {
  crashing_poller() : actor_fixture({"--inject-fault=engine_poller:crash:every=1", "--max-restarts=2"}) {}
};

struct crashing_poller_tolerated : actor_fixture {
  crashing_poller_tolerated() : actor_fixture({"--inject-fault=engine_poller:crash:every=1", "--max-restarts=1000"}) {}
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(restart_limit_tests, crashing_poller)

CAF_TEST(an actor that dies more than max-restarts times within the window makes the supervisor give up) {
  auto sup = sys.spawn(supervisor, ctx);
  const auto reason = run_to_exit(sup);
  CAF_REQUIRE(reason.has_value());
  CAF_CHECK(is(*reason, sync_error::gave_up));
  CAF_CHECK_EQUAL(restarts_of(metrics, config::actor_role::engine_poller), 3u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(restart_alone_tests, crashing_poller_tolerated)

CAF_TEST(a crashing actor is restarted alone) {
  auto sup = sys.spawn(supervisor, ctx);
  run_until([&] { return restarts_of(metrics, config::actor_role::engine_poller) >= 3; });
  CAF_CHECK_GREATER_OR_EQUAL(restarts_of(metrics, config::actor_role::engine_poller), 3u);
  for (auto role : {config::actor_role::event_subscriber, config::actor_role::state_reconciler,
                    config::actor_role::file_writer, config::actor_role::docker_restarter})
    CAF_CHECK_EQUAL(restarts_of(metrics, role), 0u);
  anon_send_exit(sup, caf::exit_reason::user_shutdown);
  consume_messages();
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(every role has one row in the role table) {
  std::array<int, config::actor_role_count> rows{};
  for (const auto& spec : role_table())
    ++rows[config::index_of(spec.role)];
  for (std::size_t i = 0; i < rows.size(); ++i)
    CAF_CHECK_EQUAL(rows[i], 1);
}
