#include "protocol/backoff.hpp"

#include <doctest/doctest.h>

using namespace wlg::protocol;
using namespace std::chrono_literals;

TEST_CASE("retries wait twice as long each time, from the nominal wait up to half as long again") {
  backoff b{500ms, 30s};
  const std::chrono::milliseconds nominal[] = {500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s};
  for (auto wait : nominal) {
    CAPTURE(wait.count());
    backoff low = b, high = b;
    CHECK(low.next(0.0) == wait);
    const auto longest = high.next(1.0);
    CHECK(longest == std::min<std::chrono::milliseconds>(30s, wait + wait / 2));
    b.next(0.5);
  }
  CHECK(b.attempts() == 8);
}

TEST_CASE("the jitter never makes a wait shorter than the setting (--auth-retry=2s waits at least 2 s)") {
  backoff auth{2s, 20s};
  for (double r : {0.0, 0.01, 0.5, 0.999}) {
    backoff first = auth;
    CHECK(first.next(r) >= 2s);
  }
}

TEST_CASE("the wait never exceeds the cap however many failures") {
  backoff b{100ms, 2s};
  for (int i = 0; i < 200; ++i)
    CHECK(b.next(0.999) <= 2s);
  CHECK(b.next(0.0) == 2s);
}

TEST_CASE("reset starts again from the initial wait") {
  backoff b{100ms, 10s};
  for (int i = 0; i < 10; ++i)
    b.next(0.5);
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.next(0.0) == 100ms);
}

TEST_CASE("different random draws spread the waits out") {
  backoff a{1s, 10s}, c{1s, 10s};
  CHECK(a.next(0.1) != c.next(0.9));
}
