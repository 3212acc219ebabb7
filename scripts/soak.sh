#!/usr/bin/env bash
# A long run of the sidecar in engine mode with the Citus target, against the
# host's Citus cluster (a coordinator and 4 workers, ../shared/citus) and a
# private podman engine whose labelled containers stand for the worker
# containers (each names its worker's address in a label, as in the demo).
# For MINUTES it starts, stops, kills and removes those containers at random,
# makes their healthchecks fail and pass again, restarts the coordinator
# twice and stops one worker's database for a while. Every minute it records
# the sidecar's RSS, open fds, threads and counters. At the end, with every
# worker container running and healthy, it fails when:
#   - pg_dist_node and the running workers disagree for longer than the poll
#     interval (WORKERLISTGEN_POLL_INTERVAL, 60 s) plus the health check's round;
#   - RSS grew by more than 2 MiB after the first five minutes;
#   - open fds or threads grew at all after the first five minutes.
# Not in CI. Everything stays on loopback and the private engine.
#
#   scripts/soak.sh MINUTES [REPORT]     (REPORT: a Markdown table, default soak-report.md)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
TEST_NAME=soak
started=$SECONDS
minutes=${1:?usage: soak.sh MINUTES [REPORT]}
report=${2:-soak-report.md}
build=${BUILD_DIR:-build}
bin=$build/bin/dockercloud-workerlistgen
kit=${WLG_CITUS_KIT:-../shared/citus}
[[ -x "$bin" ]] || { echo "soak: build first (scripts/test.sh)" >&2; exit 2; }
[[ -x "$kit/citus-cluster.sh" ]] || { echo "soak: no Citus kit in $kit (set WLG_CITUS_KIT)" >&2; exit 2; }
install_packages podman runc busybox-static postgresql-client curl

work=$(mktemp -d /tmp/wlg-soak.XXXXXX)
chmod 755 "$work"
engine=$work/engine
sidecar_pid=
cleanup() {
  local status=$?
  [[ -n "$sidecar_pid" ]] && kill "$sidecar_pid" 2>/dev/null && wait "$sidecar_pid" 2>/dev/null
  scripts/podman-engine.sh stop "$engine" >/dev/null 2>&1 || true
  "$kit/citus-cluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true
  if ((status != 0)); then echo "soak: the sidecar's log is in $work/sidecar.log" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT

port=$(free_port)
listen=127.0.0.1:$(free_port)
"$kit/citus-cluster.sh" start "$work/cluster" 4 "$port" >/dev/null
eval "$(scripts/podman-engine.sh start "$engine" citus master)" # SOCKET=, HUPS=
DOCKER_HOST=unix://$SOCKET WORKERLISTGEN_SOURCE=engine WORKERLISTGEN_TARGET=citus \
  WORKERLISTGEN_COORDINATOR="host=127.0.0.1 port=$port user=postgres dbname=postgres" \
  WORKERLISTGEN_WORKER_NAME=label:citus.address WORKERLISTGEN_WORKER_PORT=$port DOCKERCLOUD_STACK_NAME=citus \
  WORKERLISTGEN_LISTEN=$listen WORKERLISTGEN_PID_FILE=$work/workerlistgen.pid \
  "$bin" >"$work/sidecar.log" 2>&1 &
sidecar_pid=$!
step "the sidecar (PID $sidecar_pid) on a cluster at 127.0.0.1:$port and the engine at $SOCKET, for $minutes min"

# --- the worker containers: citus_worker_K stands for 127.0.0.(K+1) -------------------
# (podman says on stderr, every time, that this machine has no systemd to time healthchecks.)
engine_do() { scripts/podman-engine.sh "$1" "$engine" "${@:2}" 2>>"$work/engine.log"; }
state() { # K: running, stopped or absent
  local pid
  pid=$(engine_do pid "citus_worker_$1" 2>/dev/null) || { echo absent; return; }
  ((pid > 0)) && echo running || echo stopped
}
run_worker() { # K
  engine_do run "citus_worker_$1" com.citusdata.role=Worker com.docker.compose.project=citus \
    "citus.address=127.0.0.$(($1 + 1))" '--health-cmd=test "$(cat /health 2>/dev/null)" != bad' --health-retries=1
}
healthchecks() { local k; for k in 1 2 3 4; do [[ "$(state "$k")" == running ]] && engine_do healthcheck "citus_worker_$k"; done; true; }
counts=()
act() { # one random change to one random worker
  local k=$((RANDOM % 4 + 1)) s
  s=$(state "$k")
  case "$s:$((RANDOM % 5))" in
    absent:*) run_worker "$k"; counts[0]=$((${counts[0]:-0} + 1)) ;;
    stopped:*) engine_do remove-container "citus_worker_$k"; counts[1]=$((${counts[1]:-0} + 1)) ;;
    running:0) engine_do stop-container "citus_worker_$k"; counts[2]=$((${counts[2]:-0} + 1)) ;;
    running:1) kill -9 "$(engine_do pid "citus_worker_$k")" 2>/dev/null || true; counts[3]=$((${counts[3]:-0} + 1)) ;;
    running:2) engine_do remove-container "citus_worker_$k"; counts[1]=$((${counts[1]:-0} + 1)) ;;
    running:3) engine_do exec "citus_worker_$k" sh -c 'echo bad > /health'; counts[4]=$((${counts[4]:-0} + 1)) ;;
    running:4) engine_do exec "citus_worker_$k" sh -c 'echo good > /health' ;;
  esac
}

# --- what is measured ---------------------------------------------------------------------
# The smallest of five quick readings: a reading taken while a request is in
# flight holds one more socket for a moment.
least_of_five() { local v min=; for _ in 1 2 3 4 5; do v=$("$@"); [[ -z "$min" || $v -lt $min ]] && min=$v; sleep 0.2; done; echo "$min"; }
fds() { ls "/proc/$sidecar_pid/fd" | wc -l; }
threads() { awk '$1 == "Threads:" {print $2}' "/proc/$sidecar_pid/status"; }
rss_kib() { awk '$1 == "VmRSS:" {print $2}' "/proc/$sidecar_pid/status"; }
counter() { metric "$listen" "workerlistgen_$1" 2>/dev/null || echo "?"; }
{
  echo "| minute | RSS (KiB) | fds | threads | nodes added | removed | disabled | activated | add failures | coordinator reconnects | restarts |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} >"$work/table.md"
sample() { # MINUTE
  kill -0 "$sidecar_pid" 2>/dev/null || fail "the sidecar died; see $work/sidecar.log"
  local restarts
  restarts=$(curl -fsS "http://$listen/metrics" | awk '$1 ~ /^workerlistgen_actor_restarts_total/ {s += $2} END {print s + 0}')
  echo "| $1 | $(rss_kib) | $(least_of_five fds) | $(least_of_five threads) | $(counter citus_nodes_added_total) |" \
       "$(counter citus_nodes_removed_total) | $(counter citus_nodes_disabled_total) |" \
       "$(counter citus_nodes_activated_total) | $(counter citus_add_failures_total) |" \
       "$(counter coordinator_reconnects_total) | $restarts |" >>"$work/table.md"
  tail -n 1 "$work/table.md"
}

# --- the run ----------------------------------------------------------------------------------
wait_until 30 "the sidecar's status port" eval 'metric "$listen" workerlistgen_workers >/dev/null'
end=$((SECONDS + minutes * 60))
next_sample=$SECONDS
minute=0
coordinator_restarts=(); database_stopped=
for f in 3 6; do coordinator_restarts+=($((SECONDS + minutes * 60 * f / 10))); done
database_stop_at=$((SECONDS + minutes * 60 / 2))
while ((SECONDS < end)); do
  if ((SECONDS >= next_sample)); then sample "$minute"; minute=$((minute + 1)); next_sample=$((next_sample + 60)); fi
  if ((${#coordinator_restarts[@]} > 0 && SECONDS >= coordinator_restarts[0])); then
    step "the coordinator restarted"
    "$kit/citus-cluster.sh" stop-node "$work/cluster" coord >/dev/null
    sleep 5
    "$kit/citus-cluster.sh" start-node "$work/cluster" coord >/dev/null
    coordinator_restarts=("${coordinator_restarts[@]:1}")
  fi
  if [[ -z "$database_stopped" ]] && ((SECONDS >= database_stop_at)); then
    step "worker 2's database (127.0.0.3) stopped for 60 s"
    "$kit/citus-cluster.sh" stop-node "$work/cluster" w2 >/dev/null
    database_stopped=$SECONDS
  elif [[ -n "$database_stopped" && "$database_stopped" != done ]] && ((SECONDS >= database_stopped + 60)); then
    "$kit/citus-cluster.sh" start-node "$work/cluster" w2 >/dev/null
    database_stopped=done
  fi
  act
  healthchecks
  sleep $((RANDOM % 3 + 1))
done
sample "$minute"

# --- the end: every worker running and healthy ----------------------------------------------
[[ "$database_stopped" == done ]] || "$kit/citus-cluster.sh" start-node "$work/cluster" w2 >/dev/null 2>&1 || true
for k in 1 2 3 4; do
  [[ "$(state "$k")" == stopped ]] && engine_do remove-container "citus_worker_$k"
  [[ "$(state "$k")" == absent ]] && run_worker "$k"
  engine_do exec "citus_worker_$k" sh -c 'echo good > /health'
done
healthchecks
nodes() {
  PGPASSWORD= psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtX \
    -c "SELECT string_agg(nodename, ' ' ORDER BY nodename) FROM pg_dist_node WHERE groupid <> 0 AND isactive" 2>/dev/null || true
}
in_step() { healthchecks; [[ "$(nodes)" == "127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5" ]]; }
settled=$SECONDS
wait_until 70 "pg_dist_node equal to the 4 running workers" in_step
step "pg_dist_node in step with the running workers $((SECONDS - settled)) s after the last change"
sample end

# --- the verdict ------------------------------------------------------------------------------
verdict=$(awk -F'|' 'NR > 2 {gsub(/ /, "", $2); m = $2; rss = $3; fds = $4; thr = $5
                      if (m == "5") {r5 = rss; f5 = fds; t5 = thr}
                      if (r5 != "" && (m + 0 > 5 || m == "end")) {
                        if (rss - r5 > 2048) print "RSS grew by " rss - r5 " KiB after minute 5 (at minute " m ")"
                        if (fds > f5) print "open fds grew from " f5 " to " fds " (at minute " m ")"
                        if (thr > t5) print "threads grew from " t5 " to " thr " (at minute " m ")" }}
                    END { if (r5 == "") print "fewer than 5 minutes: no growth measured" }' "$work/table.md")
{
  echo "Soak of $minutes min on $(date -u +%Y-%m-%d): changes made: ${counts[0]:-0} containers started," \
       "${counts[1]:-0} removed, ${counts[2]:-0} stopped, ${counts[3]:-0} killed, ${counts[4]:-0} made unhealthy;" \
       "the coordinator restarted twice; worker 2's database stopped for 60 s."
  echo
  cat "$work/table.md"
} >"$report"
cat "$report"
if [[ -n "$verdict" && "$verdict" != "fewer than 5 minutes: no growth measured" ]]; then
  fail "$verdict"
fi
[[ -z "$verdict" ]] || step "$verdict"
step "passed in $((SECONDS - started)) s; the report is in $report"
