#pragma once

namespace wlg::runtime {

// Fixes glibc's heap settings at start-up: one arena for every thread, and no
// block mapped or trimmed on its own. Large buffers (a 2 MB response body, the
// rendered list) then stay in the heap between the syncs of a burst instead of
// being mapped, faulted in and unmapped each time (measured: half of a 30 ms
// sync of 10,000 names on two cores), and one malloc_trim reaches all of it:
// it cannot shrink the top of a second arena.
void configure_heap();

// Returns the free pages of the heap to the system (glibc's malloc_trim); the
// reconciler calls it once syncs of a large set have paused
// (policy/memory_trim.hpp).
void release_free_heap();

} // namespace wlg::runtime
