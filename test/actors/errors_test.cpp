// The fetch failures' reasons: /metrics labels them with the actors' error
// names, written a second time in runtime/metrics.hpp (runtime cannot see
// the actors). A name changed on one side only would count as "other".
#define CAF_SUITE errors

#include "actors/exchanges.hpp"
#include "test/actors/fixture.hpp"

#include <algorithm>

using namespace wlg::test;

CAF_TEST(every fetch failure is counted under its own reason and none as other) {
  runtime::metrics metrics;
  fetch_waiters nobody_waits;
  const sync_error codes[] = {sync_error::transport,      sync_error::timeout,       sync_error::unauthorized,
                              sync_error::http_status,    sync_error::malformed_body, sync_error::names_refused,
                              sync_error::engine_refused};
  for (const auto code : codes) {
    const auto reason = reason_of(make_error(code, "why"));
    const auto at = std::find(runtime::fetch_failure_reasons.begin(), runtime::fetch_failure_reasons.end(), reason);
    CAF_REQUIRE(at != runtime::fetch_failure_reasons.end() - 1); // not "other"
    CAF_REQUIRE(at != runtime::fetch_failure_reasons.end());
    const auto index = static_cast<std::size_t>(at - runtime::fetch_failure_reasons.begin());
    const auto before = metrics.fetch_failures[index].load();
    nobody_waits.answer(make_error(code, "why"), metrics);
    CAF_CHECK_EQUAL(metrics.fetch_failures[index].load(), before + 1);
  }
  CAF_CHECK_EQUAL(metrics.fetch_failures.back().load(), 0u); // other
  CAF_CHECK_EQUAL(metrics.fetch_errors.load(), std::size(codes));
}
