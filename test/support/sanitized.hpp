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

} // namespace wlg::test
