#include "protocol/backoff.hpp"

#include <doctest/doctest.h>

using namespace wlg::protocol;
using namespace std::chrono_literals;

TEST_CASE("retries wait twice as long each time, within half and all of the ceiling") {
  backoff b{500ms, 30s};
  const std::chrono::milliseconds ceilings[] = {500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s};
  for (auto ceiling : ceilings) {
    CAPTURE(ceiling.count());
    backoff low = b, high = b;
    CHECK(low.next(0.0) == ceiling / 2);
    CHECK(high.next(0.999999) <= ceiling);
    CHECK(high.next(0.999999) >= ceiling / 2);
    b.next(0.5);
  }
  CHECK(b.attempts() == 8);
}

TEST_CASE("the wait never exceeds the cap however many failures") {
  backoff b{100ms, 2s};
  for (int i = 0; i < 200; ++i)
    CHECK(b.next(0.999) <= 2s);
  CHECK(b.next(0.0) >= 1s);
}

TEST_CASE("reset starts again from the initial wait") {
  backoff b{100ms, 10s};
  for (int i = 0; i < 10; ++i)
    b.next(0.5);
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.next(0.0) == 50ms);
}

TEST_CASE("different random draws spread the waits out") {
  backoff a{1s, 1s}, c{1s, 1s};
  CHECK(a.next(0.1) != c.next(0.9));
}
