#pragma once

// Which repeated warnings to log. A cause that comes back with every event or
// every fetch (a refused worker name, a garbage frame) is logged the first
// time; after that its repeats are counted and logged as one line at most
// once per `summary_every`, when the cause shows up again. At most
// `max_causes` causes are remembered (the longest quiet one is forgotten).
// Pure: time comes in as an argument.

#include "policy/steady_time.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace wlg::policy {

class warning_repeats {
public:
  struct verdict {
    bool log = false;            // log this occurrence
    std::uint64_t repeats = 0;   // with this: times it came unlogged since it was last logged
  };

  explicit warning_repeats(duration summary_every = std::chrono::minutes(1), std::size_t max_causes = 256)
    : every_(summary_every), max_causes_(max_causes) {}

  verdict on_warning(const std::string& cause, time_point now);

private:
  struct seen {
    time_point logged_at;
    time_point last_seen;
    std::uint64_t unlogged = 0;
  };
  void forget_one();

  duration every_;
  std::size_t max_causes_;
  std::map<std::string, seen> causes_;
};

} // namespace wlg::policy
