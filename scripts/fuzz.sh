#!/usr/bin/env bash
# Fuzzes the event parser, the container parser and the engine's event stream
# (line splitting and parsing) with libFuzzer (clang, with AddressSanitizer
# and UndefinedBehaviorSanitizer) for a bounded time. The targets are built by
# CMake (WLG_BUILD_FUZZERS) from the same library as the sidecar.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 60)
# A crash leaves its input in build-fuzz/crash-*; turn it into a unit test in
# test/unit/hostile_input_test.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/install-deps.sh --with-fuzz
out=build-fuzz
CXX=clang++ cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-g -O1" \
  -DWLG_BUILD_FUZZERS=ON -DWLG_BUILD_TESTS=OFF -DWLG_BUILD_BENCHMARKS=OFF >/dev/null
targets=(event container engine)
cmake --build "$out" -j"$(nproc)" --target "${targets[@]/%/_parser_fuzzer}"
for target in "${targets[@]}"; do
  mkdir -p "$out/corpus-$target"
  echo "== fuzzing the $target parser for ${seconds}s"
  (cd "$out" && "./bin/${target}_parser_fuzzer" -max_total_time="$seconds" -max_len=65536 \
     -print_final_stats=1 "corpus-$target" "../fuzz/corpus/$target")
done
