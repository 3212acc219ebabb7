#!/usr/bin/env bash
# The sidecar's job on the embedded Docker Cloud emulator: installs what is
# missing, builds, starts the emulator (with no workers) and the sidecar
# against it, scales the workers 0 -> 3 -> 5 -> 2, and shows the worker list
# file and the signals the Citus master received after each step.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
build=${BUILD_DIR:-build}

BUILD_DIR=$build scripts/configure.sh
cmake --build "$build" -j"$(nproc)" --target dockercloud-workerlistgen dockercloud-emulator

work=$(mktemp -d /tmp/workerlistgen-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

start_emulator "$build/bin/dockercloud-emulator" "$work/emulator" 0
pids+=("$emulator_pid")

mkdir -p "$work/citus"
list="$work/citus/pg_worker_list.conf"
"$build/bin/dockercloud-workerlistgen" --citus-confdir "$work/citus" --pid-file "$work/workerlistgen.pid" \
  >"$work/sidecar.log" 2>&1 &
pids+=($!)

# Waits until the file lists N workers and the master has had SIGNALS signals.
wait_for() { # N SIGNALS
  for _ in $(seq 200); do
    if [[ -f "$list" && $(grep -vc '^#' "$list") -eq $1 && $(emulator_signals) -ge $2 ]]; then
      return 0
    fi
    sleep 0.05
  done
  echo "the sidecar did not converge; its log:" >&2
  cat "$work/sidecar.log" >&2
  exit 1
}

step=0
for workers in 0 3 5 2; do
  step=$((step + 1))
  [[ $step -gt 1 ]] && emulator_control POST "/scale?workers=$workers" >/dev/null
  wait_for "$workers" "$step"
  echo "== step $step: $workers worker(s); $list now reads:"
  sed 's/^/   /' "$list"
  echo "   the master has received $(emulator_signals) SIGHUP(s)"
done
echo
echo "== the sidecar's log:"
sed 's/^/   /' "$work/sidecar.log"
echo "(files are in $work)"
