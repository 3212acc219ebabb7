#pragma once

// Worker nodes and quick retry settings for the Citus policies' simulations.

#include "policy/membership_plan.hpp"

#include <chrono>
#include <initializer_list>
#include <set>

namespace wlg::test {

inline policy::citus_node node(const char* name) { return {name, 5432}; }

inline std::set<policy::citus_node> nodes(std::initializer_list<const char*> names) {
  std::set<policy::citus_node> out;
  for (const auto* n : names)
    out.insert(node(n));
  return out;
}

// Retries after 100 ms, doubling to 1 s, with a fixed jitter sequence.
inline policy::membership_plan::options quick_plan(bool remove_unwanted = true) {
  policy::membership_plan::options o;
  o.retry_initial = std::chrono::milliseconds(100);
  o.retry_max = std::chrono::seconds(1);
  o.remove_unwanted = remove_unwanted;
  o.seed = 7;
  return o;
}

} // namespace wlg::test
