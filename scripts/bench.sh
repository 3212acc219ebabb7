#!/usr/bin/env bash
# Every performance figure against the emulator: prints the table and writes
# it as JSON so runs can be compared.
#   scripts/bench.sh                       full run, results in bench-results.json
#   scripts/bench.sh --quick               fewer iterations (smoke run)
#   scripts/bench.sh --json /tmp/run.json  choose where the JSON goes
#   scripts/bench.sh --citus               only --target=citus, against a real Citus cluster
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}

BUILD_DIR=$build scripts/configure.sh --with-citus
cmake --build "$build" -j"$(nproc)" --target workerlistgen-bench
exec "$build/bin/workerlistgen-bench" "$@"
