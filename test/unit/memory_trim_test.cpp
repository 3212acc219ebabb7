#include "policy/memory_trim.hpp"

#include <doctest/doctest.h>

using wlg::policy::memory_trim;

TEST_CASE("memory is trimmed after a large sync and after the first smaller one that follows") {
  memory_trim trim{1000};
  CHECK_FALSE(trim.after_sync(3));
  CHECK(trim.after_sync(10'000));    // its body and parse tree were just freed
  CHECK(trim.after_sync(10'001));    // so were this one's
  CHECK(trim.after_sync(3));         // the parser's large buffers went with this one
  CHECK_FALSE(trim.after_sync(3));   // nothing large left to give back
  CHECK_FALSE(trim.after_sync(999));
  CHECK(trim.after_sync(1000));
}
