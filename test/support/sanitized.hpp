#pragma once

// Whether this build is instrumented by scripts/sanitize.sh. The binaries
// under test are built with the same flags as the tests, so this also says
// whether they carry a sanitizer's runtime and its memory (shadow memory,
// quarantine), which memory bounds and library lists must leave out.

namespace wlg::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized_build = true;
#else
inline constexpr bool sanitized_build = false;
#endif

// How much longer the tests wait for a condition: instrumented processes run
// several times slower (ThreadSanitizer five to fifteen times). The limits
// are how long to wait, not speed targets; in the normal build they stay as
// written.
#if defined(__SANITIZE_THREAD__)
inline constexpr int wait_scale = 10;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr int wait_scale = 3;
#else
inline constexpr int wait_scale = 1;
#endif

} // namespace wlg::test
