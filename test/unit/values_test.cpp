// The settings' value parsers (config/values.hpp).

#include "config/values.hpp"

#include <doctest/doctest.h>

using namespace wlg::config;
using namespace std::chrono_literals;

TEST_CASE("durations take ms, s, m, h or bare seconds") {
  CHECK(*parse_duration("250ms") == 250ms);
  CHECK(*parse_duration("10s") == 10s);
  CHECK(*parse_duration("10") == 10s);
  CHECK(*parse_duration("5m") == 5min);
  CHECK(*parse_duration("1h") == 1h);
  CHECK(*parse_duration("0") == 0ms);
  for (const char* bad : {"", "s", "-1s", "1.5s", "10 s", "10d", "99999h"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(60s) == "1m");
  CHECK(format_duration(0ms) == "0s");
}

TEST_CASE("signal names are canonicalised to SIGNAME") {
  CHECK(*parse_signal_name("SIGHUP") == "SIGHUP");
  CHECK(*parse_signal_name("hup") == "SIGHUP");
  CHECK(*parse_signal_name("sigusr1") == "SIGUSR1");
  for (const char* bad : {"", "SIG", "SIGFOO", "HANGUP", "1", "SIGHUP "}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_signal_name(bad).has_value());
  }
}
