#include "policy/warning_repeats.hpp"

#include <doctest/doctest.h>

using wlg::policy::warning_repeats;
using namespace std::chrono_literals;

TEST_CASE("a repeated warning is logged once, then its repeats at most once a minute, counted") {
  warning_repeats repeats{1min};
  const wlg::policy::time_point start{};
  CHECK(repeats.on_warning("worker 'a b': a space", start).log);
  for (int i = 1; i <= 30; ++i)
    CHECK_FALSE(repeats.on_warning("worker 'a b': a space", start + i * 1s).log);
  const auto summary = repeats.on_warning("worker 'a b': a space", start + 61s);
  CHECK(summary.log);
  CHECK(summary.repeats == 30);
  CHECK_FALSE(repeats.on_warning("worker 'a b': a space", start + 62s).log);
}

TEST_CASE("each cause is judged on its own") {
  warning_repeats repeats{1min};
  const wlg::policy::time_point start{};
  CHECK(repeats.on_warning("one", start).log);
  CHECK(repeats.on_warning("two", start + 1s).log);
  CHECK_FALSE(repeats.on_warning("one", start + 2s).log);
}

TEST_CASE("a cause that comes back after a quiet minute is logged again, with nothing to count") {
  warning_repeats repeats{1min};
  const wlg::policy::time_point start{};
  CHECK(repeats.on_warning("one", start).log);
  const auto again = repeats.on_warning("one", start + 5min);
  CHECK(again.log);
  CHECK(again.repeats == 0);
}

TEST_CASE("only so many causes are remembered: the quietest is forgotten, and logged again when it returns") {
  warning_repeats repeats{1min, 2};
  const wlg::policy::time_point start{};
  CHECK(repeats.on_warning("one", start).log);
  CHECK(repeats.on_warning("two", start + 1s).log);
  CHECK_FALSE(repeats.on_warning("two", start + 2s).log);
  CHECK(repeats.on_warning("three", start + 3s).log); // "one" was the quietest
  CHECK_FALSE(repeats.on_warning("two", start + 4s).log);
  CHECK(repeats.on_warning("one", start + 5s).log);
}
