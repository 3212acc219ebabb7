#!/usr/bin/env bash
# Runs the integration tests N times (default 20) while both cores are kept
# busy by spinning processes, then prints how often each test failed. Exit 0
# only when no test failed in any round.
#   scripts/stress.sh [N]
#   BUILD_DIR=build-asan scripts/stress.sh 5     against another build
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
build=${BUILD_DIR:-build}

if [[ ! -x "$build/bin/integration_tests" ]]; then
  BUILD_DIR=$build scripts/configure.sh
  cmake --build "$build" -j"$(nproc)"
fi

spinners=()
stop_spinning() {
  if ((${#spinners[@]})); then
    kill "${spinners[@]}" 2>/dev/null || true
    wait "${spinners[@]}" 2>/dev/null || true
  fi
}
trap stop_spinning EXIT
for _ in $(seq "$(nproc)"); do
  bash -c 'while :; do :; done' &
  spinners+=($!)
done

declare -A failures=()
total=0
logs=$(mktemp -d /tmp/wlg-stress.XXXXXX)
for round in $(seq "$rounds"); do
  log="$logs/round-$round.log"
  (cd "$build" && ctest -R '^integration:' --timeout 300 -j2 --output-on-failure >"$log" 2>&1) || true
  total=$(grep -oE 'out of [0-9]+' "$log" | tail -n 1 | awk '{print $3}')
  failed_now=0
  while IFS= read -r name; do
    [[ -n "$name" ]] || continue
    failures["$name"]=$(( ${failures["$name"]:-0} + 1 ))
    failed_now=$((failed_now + 1))
  done < <(sed -n '/The following tests FAILED:/,$p' "$log" | grep -E '^[[:space:]]+[0-9]+ - ' \
             | sed -E 's/^[[:space:]]+[0-9]+ - (.*) \([A-Za-z ]+\)$/\1/')
  echo "round $round/$rounds: ${total:-?} tests, $failed_now failed"
done
stop_spinning

echo
echo "failures per test over $rounds rounds (both cores kept busy):"
if ((${#failures[@]} == 0)); then
  echo "  none: all ${total:-?} integration tests passed in every round"
  rm -rf "$logs"
  exit 0
fi
for name in "${!failures[@]}"; do
  printf '  %3d/%d  %s\n' "${failures[$name]}" "$rounds" "$name"
done | sort -rn
echo "logs: $logs"
exit 1
