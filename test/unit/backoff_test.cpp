#include "policy/backoff.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace wlg::policy;
using namespace std::chrono_literals;

TEST_CASE("retries wait twice as long each time, from the nominal wait up to half as long again") {
  backoff b{500ms, 30s, 1};
  const std::chrono::milliseconds nominal[] = {500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s};
  for (auto wait : nominal) {
    CAPTURE(wait.count());
    CHECK(b.shortest() == wait);
    CHECK(b.longest() == std::min<std::chrono::milliseconds>(30s, wait + wait / 2));
    const auto drawn = b.next();
    CHECK(drawn >= wait);
    CHECK(drawn <= std::min<std::chrono::milliseconds>(30s, wait + wait / 2));
  }
  CHECK(b.attempts() == 8);
}

TEST_CASE("the jitter never makes a wait shorter than the setting (--auth-retry=2s waits at least 2 s)") {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    backoff auth{2s, 20s, seed};
    CHECK(auth.next() >= 2s);
  }
}

TEST_CASE("the wait never exceeds the cap however many failures") {
  backoff b{100ms, 2s, 7};
  for (int i = 0; i < 200; ++i)
    CHECK(b.next() <= 2s);
  CHECK(b.shortest() == 2s);
}

TEST_CASE("reset starts again from the initial wait") {
  backoff b{100ms, 10s, 3};
  for (int i = 0; i < 10; ++i)
    b.next();
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.shortest() == 100ms);
}

TEST_CASE("the jitter spreads a crowd out, and a seed repeats its sequence") {
  std::set<long> firsts;
  for (std::uint64_t seed = 0; seed < 50; ++seed)
    firsts.insert(backoff{1s, 10s, seed}.next().count());
  CHECK(firsts.size() > 10);
  backoff a{1s, 10s, 42}, c{1s, 10s, 42};
  for (int i = 0; i < 5; ++i)
    CHECK(a.next() == c.next());
}
