#pragma once

// When to hand freed heap memory back to the system after a sync. A large
// worker set leaves large buffers behind twice: its response body and parse
// tree are freed right after it, and the parser's reused buffers only when the
// next, smaller document shrinks them. Both moments are worth a trim; the
// syncs of a small cluster are not (they free too little to matter).

#include <cstddef>

namespace wlg::policy {

class memory_trim {
public:
  static constexpr std::size_t default_large_workers = 1000;

  explicit memory_trim(std::size_t large_workers = default_large_workers) : large_(large_workers) {}

  // After a sync of `workers` names: whether to trim now.
  bool after_sync(std::size_t workers) {
    const bool large = workers >= large_;
    const bool trim = large || previous_large_;
    previous_large_ = large;
    return trim;
  }

private:
  std::size_t large_;
  bool previous_large_ = false;
};

} // namespace wlg::policy
