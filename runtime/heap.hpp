#pragma once

namespace wlg::runtime {

// Fixes glibc's thresholds at start-up. Left dynamic, freeing one 2 MB body
// raises the mmap threshold to 2 MB and the trim threshold to 4 MB, after which
// a thread's arena keeps megabytes resident for good (malloc_trim does not
// shrink the top of a thread's arena). Fixed, blocks of 256 KiB and more are
// mapped and unmapped on their own, and an arena's free top is trimmed.
void configure_heap();

// Returns the free pages of every malloc arena to the system (glibc's
// malloc_trim): without it, memory freed after a large sync stays resident.
void release_free_heap();

} // namespace wlg::runtime
