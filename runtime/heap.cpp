#include "runtime/heap.hpp"

#include <malloc.h>

namespace wlg::runtime {

void configure_heap() {
  constexpr int large = 64 * 1024 * 1024;
  ::mallopt(M_ARENA_MAX, 1);
  ::mallopt(M_MMAP_THRESHOLD, large);
  ::mallopt(M_TRIM_THRESHOLD, large);
}

void release_free_heap() {
  ::malloc_trim(0);
}

} // namespace wlg::runtime
