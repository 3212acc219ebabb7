#!/usr/bin/env bash
# Builds everything with a sanitizer, in a build folder of its own, and runs
# the whole ctest suite with it. Every process the tests start (the sidecar,
# the emulator) is instrumented too; each writes its reports to a folder that
# is checked at the end, so a report from a child whose exit status no test
# looks at still fails the run.
#
#   scripts/sanitize.sh address    AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   scripts/sanitize.sh thread     ThreadSanitizer (build-tsan/), against CAF built
#                                  instrumented from Debian's source package
#                                  (scripts/instrumented-caf.sh); scripts/tsan.supp lists
#                                  what is suppressed in uninstrumented libraries, and why
#
#   --short (after the kind) leaves out the tests labelled long, the longest Citus
#   scenarios (.ci/run uses it to stay within its time)
#
# Extra arguments go to ctest (for example -R 'shutdown').
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
shift || true
skipped='image|compose|swarm'
if [[ "${1:-}" == --short ]]; then
  skipped+='|long'
  shift
fi
case "$kind" in
  address)
    build=${BUILD_DIR:-build-asan}
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    ;;
  thread)
    build=${BUILD_DIR:-build-tsan}
    # GCC refuses std::atomic_thread_fence under TSan (-Wtsan), and Asio
    # brackets every handler with one; TSan does not model fences, so what
    # they order is judged by the accesses around them.
    flags="-fsanitize=thread -Wno-tsan"
    ;;
  *)
    echo "usage: scripts/sanitize.sh address|thread [--short] [ctest arguments]" >&2
    exit 2
    ;;
esac

scripts/install-deps.sh
link_flags=$flags
if [[ "$kind" == thread ]]; then
  # CAF itself instrumented, found first through the executables' run path.
  scripts/instrumented-caf.sh thread "$build/caf"
  link_flags="$flags -Wl,-rpath,$PWD/$build/caf/lib"
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None -DWLG_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS="-O1 -g1 $flags" -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >/dev/null
cmake --build "$build" -j"$(nproc)"

reports=$(mktemp -d /tmp/wlg-sanitizer-reports.XXXXXX)
chmod 1777 "$reports" # a test runs the sidecar as nobody
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="log_path=$reports/tsan:suppressions=$PWD/scripts/tsan.supp:halt_on_error=0:second_deadlock_stack=1"

status=0
(cd "$build" && ctest --output-on-failure --timeout 600 -j2 -LE "$skipped" "$@") || status=$?

if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports (in $reports):" >&2
  for report in "$reports"/*; do
    echo "=== $report" >&2
    head -n 60 "$report" >&2
  done
  status=1
else
  rm -rf "$reports" # nothing printed: ctest's summary stays the last line
fi
exit "$status"
