#!/usr/bin/env bash
# Installs what the build needs when it is missing (Debian packages; with
# --with-citus, Citus too when its kit is there) and configures a Release
# build in $BUILD_DIR (default: build). Used by test.sh, bench.sh and demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [[ "${1:-}" == "--with-citus" ]]; then
  scripts/install-citus.sh
fi
cmake -S . -B "${BUILD_DIR:-build}" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
