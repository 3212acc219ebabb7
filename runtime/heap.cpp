#include "runtime/heap.hpp"

#include <malloc.h>

namespace wlg::runtime {

void configure_heap() {
  constexpr int threshold = 256 * 1024;
  ::mallopt(M_MMAP_THRESHOLD, threshold);
  ::mallopt(M_TRIM_THRESHOLD, threshold);
}

void release_free_heap() {
  ::malloc_trim(0);
}

} // namespace wlg::runtime
