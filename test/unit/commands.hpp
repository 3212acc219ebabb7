#pragma once

// For the pure machines' simulations: picking commands out of what a machine
// returned (all of one kind, or exactly one of it), and quick retries.

#include "policy/run_options.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include <variant>
#include <vector>

namespace wlg::test {

template <class T, class... Commands>
std::vector<T> all_of(const std::vector<std::variant<Commands...>>& commands) {
  std::vector<T> out;
  for (const auto& c : commands)
    if (const auto* x = std::get_if<T>(&c))
      out.push_back(*x);
  return out;
}

template <class T, class... Commands>
T one_of(const std::vector<std::variant<Commands...>>& commands) {
  const auto found = all_of<T>(commands);
  REQUIRE(found.size() == 1);
  return found.front();
}

// The index of the first command of kind T, or the size when there is none:
// for asserting the order of commands.
template <class T, class... Commands>
std::size_t position_of(const std::vector<std::variant<Commands...>>& commands) {
  for (std::size_t i = 0; i < commands.size(); ++i)
    if (std::holds_alternative<T>(commands[i]))
      return i;
  return commands.size();
}

// Retries after 100 ms, doubling to 1 s, with a fixed jitter sequence.
inline policy::run_options quick_run() {
  policy::run_options o;
  o.backoff_initial = std::chrono::milliseconds(100);
  o.backoff_max = std::chrono::seconds(1);
  o.seed = 5;
  return o;
}

} // namespace wlg::test
