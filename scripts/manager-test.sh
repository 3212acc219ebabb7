#!/usr/bin/env bash
# The membership-manager image as a drop-in for citusdata/membership-manager,
# in a compose file of the shape of Citus's own
# (test/image/docker-compose.membership-manager.yml: a master, workers that
# wait for the manager's ready file, the manager with the Docker socket and no
# user: or group_add:), on Debian's dockerd with docker-compose 1.29:
#   1. up --scale worker=2: both workers in pg_dist_node (the time from `up`
#      is printed beside membership-manager 0.3.0's 13 s in the same setup);
#   2. the manager's process is the container's PID 1, not uid 0, with the
#      socket's group; the ready file exists;
#   3. a distributed table with 1,000 rows on both workers;
#   4. scale to 4: 4 nodes (printed beside membership-manager's 6.8 s);
#   5. what membership-manager cannot do: `status` and `scale worker 3` run in
#      the manager's container with its settings (the project its own); the
#      drained worker is removed by the printed compose command, every row kept;
#   6. the manager restarted while the coordinator is stopped: the ready file
#      is gone until the coordinator is reached again; every row still there;
#   7. docker stop: the sidecar ends at SIGTERM with status 0.
#
#   scripts/manager-test.sh
#
# Needs root. Docker's images live in $WLG_DOCKER_DATA_ROOT (default
# /var/lib/workerlistgen/docker), shared with compose-test.sh; the host is put
# back as it was when the test ends.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
TEST_NAME=manager-test
started=$SECONDS
data_root=${WLG_DOCKER_DATA_ROOT:-/var/lib/workerlistgen/docker}
kit=${WLG_CITUS_KIT:-../shared/citus}
if [[ ! -f "$kit/install-citus.sh" ]]; then
  echo "manager-test: skipped: no Citus kit in $kit to build localhost/citus:13 from (set WLG_CITUS_KIT)"
  exit 77 # CTest's SKIP_RETURN_CODE
fi
install_packages docker.io docker-compose iptables postgresql-client

work=$(mktemp -d /tmp/wlg-manager-test.XXXXXX)
chmod 755 "$work"
host_network >"$work/host-before"
up=
cleanup() {
  local status=$?
  if ((status != 0)) && [[ -n "$up" ]]; then
    for c in $(/usr/bin/docker ps -a --format '{{.Names}}' 2>/dev/null); do
      echo "--- log of container $c" >&2
      /usr/bin/docker logs "$c" 2>&1 | tail -n 30 >&2 || true
    done
  fi
  [[ -n "$up" ]] && compose down -v -t 5 >/dev/null 2>&1
  [[ -d "$work/engine" ]] && scripts/docker-engine.sh stop-daemon "$work/engine" >/dev/null 2>&1
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

docker() { /usr/bin/docker "$@"; }
compose() { docker-compose -f test/image/docker-compose.membership-manager.yml "$@"; }
compose_up() { # WORKERS
  compose up -d --scale "worker=$1" >"$work/up-$1.log" 2>&1 || { cat "$work/up-$1.log" >&2; fail "up with $1 workers"; }
}
manager=
sql() { PGPASSWORD=$POSTGRES_PASSWORD psql -h 127.0.0.1 -p "$citus_port" -U postgres -d postgres -qAtX -c "$1" 2>/dev/null; }
nodes() { sql "SELECT string_agg(nodename, ' ' ORDER BY nodename) FROM pg_dist_node WHERE groupid <> 0" || true; }
nodes_are() { [[ "$(nodes)" == "$1" ]]; }
workers() { local n out=(); for n in "$@"; do out+=("${COMPOSE_PROJECT_NAME}_worker_$n"); done; echo "${out[*]}"; }
all_rows_there() { [[ "$(sql 'SELECT count(*) FROM items')" == 1000 ]]; }
ready_file_there() { docker exec "$manager" test -f /healthcheck/manager-ready; }
# The manager's /healthz, through the image's own healthcheck (it listens on
# 127.0.0.1 inside its container).
# (It exits 1 while /healthz answers 503: only what it prints counts here.)
manager_says() { local body; body=$(docker exec "$manager" healthcheck.sh 2>/dev/null || true); [[ "$body" == *"$1"* ]]; }
now_ms() { date +%s%3N; }
# For worker N: its container's start, the end of its first passing
# healthcheck (what the engine reports as healthy), relative to T0 (ms).
health_timeline() { # N T0
  local c=${COMPOSE_PROJECT_NAME}_worker_$1 started healthy
  started=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$c")" +%s%3N)
  healthy=$(docker inspect -f '{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End.UnixNano}}{{"\n"}}{{end}}{{end}}' "$c" | head -n 1)
  healthy=$(( ${healthy:-0} / 1000000 ))
  echo "worker_$1 started at +$((started - $2)) ms, healthy at +$((healthy - $2)) ms"
}
field() { awk -v k="$1:" '$1 == k {print $2; exit}' "/proc/$2/status"; } # FIELD PID

step "dockerd (networked) with images in $data_root"
eval "$(scripts/docker-engine.sh daemon "$work/engine" "$data_root")" # SOCKET=
export DOCKER_HOST=unix://$SOCKET
t0=$SECONDS
scripts/citus-image.sh docker
scripts/sidecar-image.sh docker membership-manager
step "the Citus and membership-manager images ready in $((SECONDS - t0)) s"

export COMPOSE_PROJECT_NAME=wlgmanager DOCKER_SOCK=$SOCKET POSTGRES_PASSWORD=change-me
citus_port=$(free_port)
export COORDINATOR_EXTERNAL_PORT=$citus_port
manager=${COMPOSE_PROJECT_NAME}_manager

# `up` with N workers, timed until all N are nodes; with when each new one
# (FIRST to N) started and passed its first healthcheck.
up_and_time() { # N FIRST WHAT MEMBERSHIP_MANAGER_FIGURE
  local t0 t1 k timeline=""
  t0=$(now_ms)
  compose_up "$1"
  wait_until 180 "$1 workers in pg_dist_node" nodes_are "$(workers $(seq 1 "$1"))"
  t1=$(now_ms)
  for k in $(seq "$2" "$1"); do timeline+="; $(health_timeline "$k" "$t0")"; done
  step "$3 -> $1 workers in pg_dist_node: $((t1 - t0)) ms (membership-manager 0.3.0 measured the same way: $4)$timeline"
}

# 1. up with 2 workers.
up=1
up_and_time 2 1 up "13 s"

# 2. Who the manager runs as.
pid=$(docker inspect -f '{{.State.Pid}}' "$manager")
[[ "$(cat "/proc/$pid/comm")" == dockercloud-wor* ]] ||
  fail "the container's first process is $(cat "/proc/$pid/comm"), not the sidecar"
uid=$(field Uid "$pid")
[[ "$uid" != 0 ]] || fail "the sidecar runs as root"
socket_gid=$(stat -c %g "$SOCKET")
[[ " $(field Groups "$pid") " == *" $socket_gid "* ]] || fail "the sidecar lacks the socket's group $socket_gid"
ready_file_there || fail "no /healthcheck/manager-ready"
step "the manager: the container's PID 1 is the sidecar, uid $uid, with the socket's group $socket_gid; the ready file made"

# 3. A distributed table.
sql "CREATE TABLE items (id bigint PRIMARY KEY, note text)" >/dev/null || fail "CREATE TABLE"
sql "SELECT create_distributed_table('items', 'id')" >/dev/null || fail "create_distributed_table"
sql "INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 1000) g" >/dev/null || fail "INSERT"
all_rows_there || fail "count(*) of the distributed table"
[[ "$(sql "SELECT count(DISTINCT nodename) FROM citus_shards WHERE table_name = 'items'::regclass")" == 2 ]] ||
  fail "the shards are not on both workers"
step "a distributed table with 1,000 rows on 2 workers"

# 4. Scale out.
up_and_time 4 3 "scale 2 -> 4" "6.8 s"

# 5. The commands beside the sidecar, in its container.
docker exec "$manager" membership-manager.sh status >"$work/status.txt" 2>&1 || { cat "$work/status.txt" >&2; fail "status"; }
for n in 1 2 3 4; do
  grep -q "^${COMPOSE_PROJECT_NAME}_worker_$n " "$work/status.txt" || { cat "$work/status.txt" >&2; fail "status lacks worker_$n"; }
done
sql "SELECT citus_rebalance_start(shard_transfer_mode := 'block_writes')" >/dev/null || fail "rebalance"
sql "SELECT citus_rebalance_wait()" >/dev/null || fail "rebalance wait"
t0=$(now_ms)
docker exec "$manager" membership-manager.sh scale worker 3 --rebalance-transfer-mode=block_writes \
  >"$work/scale.log" 2>&1 || { cat "$work/scale.log" >&2; fail "scale worker 3"; }
grep -q "docker compose -p $COMPOSE_PROJECT_NAME .* up -d --scale worker=3" "$work/scale.log" ||
  { cat "$work/scale.log" >&2; fail "scale printed no compose command for this project"; }
compose_up 3 # what the printed command does
wait_until 60 "worker_4 gone from pg_dist_node" nodes_are "$(workers 1 2 3)"
all_rows_there || fail "rows lost in the scale-in"
step "status, then scale worker 3 in the manager's container: drained, removed, all 1,000 rows: $(($(now_ms) - t0)) ms"

# 6. A restart of the manager removes the ready file until the coordinator is reached.
docker stop -t 10 "${COMPOSE_PROJECT_NAME}_master" >/dev/null
docker restart -t 10 "$manager" >/dev/null
wait_until 60 "the restarted manager up, without the coordinator" manager_says '"coordinator_connected":false'
! ready_file_there || fail "the ready file of the earlier start is still there"
docker start "${COMPOSE_PROJECT_NAME}_master" >/dev/null
wait_until 120 "the ready file made again once the coordinator answers" ready_file_there
wait_until 60 "the coordinator back with every row" all_rows_there
nodes_are "$(workers 1 2 3)" || fail "the nodes changed over the restarts: $(nodes)"
step "manager restarted while the coordinator was down: no ready file until it was reached again"

# 7. docker stop.
t0=$(now_ms)
docker stop -t 10 "$manager" >/dev/null
[[ "$(docker inspect -f '{{.State.ExitCode}}' "$manager")" == 0 ]] || fail "the sidecar did not exit 0 at SIGTERM"
step "docker stop: exit 0 in $(($(now_ms) - t0)) ms"

compose down -v -t 10 >/dev/null 2>&1 || fail "docker-compose down"
up=
scripts/docker-engine.sh stop-daemon "$work/engine"
rm -rf "$work/engine"
host_network | diff "$work/host-before" - >&2 || fail "dockerd left the host changed (iptables, ip_forward or links)"
step "all membership-manager tests passed in $((SECONDS - started)) s"
