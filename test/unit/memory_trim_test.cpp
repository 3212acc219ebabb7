#include "policy/memory_trim.hpp"

#include <doctest/doctest.h>

using wlg::policy::memory_trim;
using namespace std::chrono_literals;

namespace {

// Runs one sync and, when a timer comes back, fires it at its deadline:
// whether memory was trimmed after that sync with nothing following it.
bool trimmed_when_quiet(memory_trim& trim, std::size_t workers) {
  const auto timer = trim.after_sync(wlg::policy::time_point{}, workers);
  return timer && trim.on_timer(timer->id);
}

} // namespace

TEST_CASE("memory is trimmed after a large sync and after the first smaller one that follows") {
  memory_trim trim{1000};
  CHECK_FALSE(trimmed_when_quiet(trim, 3));
  CHECK(trimmed_when_quiet(trim, 10'000)); // its body and parse tree were just freed
  CHECK(trimmed_when_quiet(trim, 10'001)); // so were this one's
  CHECK(trimmed_when_quiet(trim, 3));      // the parser's large buffers went with this one
  CHECK_FALSE(trimmed_when_quiet(trim, 3)); // nothing large left to give back
  CHECK_FALSE(trimmed_when_quiet(trim, 999));
  CHECK(trimmed_when_quiet(trim, 1000));
}

TEST_CASE("the trim waits until syncs pause, so a burst of large syncs keeps its buffers warm") {
  const wlg::policy::time_point start{};
  memory_trim trim{1000, 2s};
  const auto first = trim.after_sync(start, 10'000);
  REQUIRE(first);
  CHECK(first->deadline == start + 2s);
  const auto second = trim.after_sync(start + 500ms, 10'001);
  REQUIRE(second);
  CHECK(second->deadline == start + 2500ms);
  CHECK_FALSE(trim.on_timer(first->id)); // superseded: the burst goes on
  CHECK(trim.on_timer(second->id));
  CHECK_FALSE(trim.on_timer(second->id)); // once
}

TEST_CASE("a small sync while a trim is pending moves it, and it still happens") {
  const wlg::policy::time_point start{};
  memory_trim trim{1000, 2s};
  const auto large = trim.after_sync(start, 10'000);
  (void)trim.after_sync(start + 1s, 3); // the large buffers' turn
  const auto small = trim.after_sync(start + 1500ms, 3);
  REQUIRE(small);
  CHECK(small->deadline == start + 3500ms);
  CHECK_FALSE(trim.on_timer(large->id));
  CHECK(trim.on_timer(small->id));
  CHECK_FALSE(trimmed_when_quiet(trim, 3)); // and then nothing is left to give back
}
