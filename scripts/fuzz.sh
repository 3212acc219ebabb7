#!/usr/bin/env bash
# Fuzzes the event parser, the container parser and the engine's event stream
# (line splitting and parsing) with libFuzzer (clang,
# with AddressSanitizer and UndefinedBehaviorSanitizer) for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 60)
# A crash leaves its input in build-fuzz/crash-*; turn it into a unit test in
# test/unit/hostile_input_test.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/install-deps.sh --with-fuzz
out=build-fuzz
mkdir -p "$out"
sources=(protocol/cloud_event.cpp protocol/container_object.cpp protocol/engine_api.cpp
         protocol/engine_events.cpp protocol/json_document.cpp protocol/worker_list.cpp
         protocol/worker_name.cpp)
for target in event container engine; do
  clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I. "fuzz/${target}_parser_fuzzer.cpp" "${sources[@]}" -lsimdjson -o "$out/${target}_parser_fuzzer"
  mkdir -p "$out/corpus-$target"
  echo "== fuzzing the $target parser for ${seconds}s"
  (cd "$out" && "./${target}_parser_fuzzer" -max_total_time="$seconds" -max_len=65536 \
     -print_final_stats=1 "corpus-$target" "../fuzz/corpus/$target")
done
