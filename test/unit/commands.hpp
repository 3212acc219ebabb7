#pragma once

// Picking commands out of what a pure machine returned: all of one kind, or
// exactly one of it.

#include <doctest/doctest.h>

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

} // namespace wlg::test
