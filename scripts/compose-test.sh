#!/usr/bin/env bash
# deploy/docker-compose.citus.yml as a user runs it, end to end, with real
# Citus containers (localhost/citus:13, scripts/citus-image.sh) and the
# project's own image, on a real Docker engine (Debian's dockerd, networked,
# scripts/docker-engine.sh) with Debian's docker-compose 1.29:
#   1. up with 2 workers: both in pg_dist_node, by the names the coordinator
#      resolves on the compose network;
#   2. a distributed table with 1,000 rows, its shards on the workers;
#   3. scale to 4: 4 nodes (the time from `up` is printed);
#   4. scale back to 3: the removed worker, which holds no placements, leaves
#      pg_dist_node; a stopped worker that holds placements stays, counted
#      stale, and once it is back every row is there;
#   5. kill -9 of the sidecar's process: the restart policy brings it back,
#      and it resyncs (a node removed by hand is added again);
#   6. the coordinator's container restarted, then a worker started: it is
#      added once the coordinator is back;
#   7. a worker holding shards scaled down and up without a drain (a fresh
#      volume under the same name): found empty, /healthz 503, no metadata
#      changed.
# Then steps 1 to 3 again with podman-compose 1.0.3 on podman.
# Only the images differ from the shipped file (test/image/docker-compose.citus.local.yml).
#
#   scripts/compose-test.sh [docker|podman|both]    (default both)
#
# Needs root. Docker's images live in $WLG_DOCKER_DATA_ROOT (default
# /var/lib/workerlistgen/docker), so a second run reuses them; the host is put
# back as it was when the test ends.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
TEST_NAME=compose-test
started=$SECONDS
which=${1:-both}
data_root=${WLG_DOCKER_DATA_ROOT:-/var/lib/workerlistgen/docker}
password=change-me # the compose file's default

kit=${WLG_CITUS_KIT:-../shared/citus}
if [[ ! -f "$kit/install-citus.sh" ]]; then
  # CTest counts exit 77 as skipped (SKIP_RETURN_CODE).
  echo "compose-test: skipped: no Citus kit in $kit to build localhost/citus:13 from (set WLG_CITUS_KIT)"
  exit 77
fi
install_packages docker.io docker-compose iptables podman podman-compose \
  golang-github-containernetworking-plugin-dnsname postgresql-client curl

work=$(mktemp -d /tmp/wlg-compose-test.XXXXXX)
chmod 755 "$work"
host_network >"$work/host-before"
link_names >"$work/links-before"
# For every podman call here, podman-compose's too.
write_podman_conf "$work/containers.conf" "$work/podman-events.log"
export CONTAINERS_CONF=$work/containers.conf
compose_kind= # docker or podman, while a project is up
pids=()
cleanup() {
  local status=$?
  if ((status != 0)) && [[ -n "$compose_kind" ]]; then
    for c in $(engine ps -a --format '{{.Names}}' 2>/dev/null); do
      echo "--- log of container $c" >&2
      engine logs "$c" 2>&1 | tail -n 30 >&2 || true
    done
  fi
  if [[ $compose_kind == docker ]]; then
    compose down -v -t 5 >/dev/null 2>&1
  elif [[ $compose_kind == podman ]]; then
    podman_project_rm "$COMPOSE_PROJECT_NAME"
  fi
  [[ -d "$work/engine" ]] && scripts/docker-engine.sh stop-daemon "$work/engine" >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# --- the compose project of the moment ------------------------------------------------
engine() { engine_cli "$compose_kind" "$@"; }
compose() {
  local files=(-f deploy/docker-compose.citus.yml -f test/image/docker-compose.citus.local.yml)
  if [[ $compose_kind == docker ]]; then
    docker-compose "${files[@]}" "$@"
  else
    podman-compose -p "$COMPOSE_PROJECT_NAME" "${files[@]}" "$@"
  fi
}
# docker-compose takes --scale; podman-compose 1.0.3 ignores it and reads the
# replicas from WORKERS in the file.
compose_up() { # WORKERS
  local log=$work/up-$compose_kind-$1.log
  if [[ $compose_kind == docker ]]; then
    WORKERS=$1 compose up -d --scale "worker=$1" >"$log" 2>&1 || { cat "$log" >&2; fail "docker-compose up with $1 workers"; }
  else
    WORKERS=$1 compose up -d >"$log" 2>&1 || { cat "$log" >&2; fail "podman-compose up with $1 workers"; }
  fi
  # podman-compose 1.0.3 exits 0 even when a container fails to start.
  local c
  for c in master_1 workerlistgen_1 $(seq -f 'worker_%g' 1 "$1"); do
    [[ "$(engine inspect -f '{{.State.Running}}' "$(container "$c")" 2>/dev/null)" == true ]] ||
      { cat "$log" >&2; fail "$(container "$c") is not running after compose up with $1 workers"; }
  done
}
container() { echo "${COMPOSE_PROJECT_NAME}_$1"; } # SERVICE_N
sql() { PGPASSWORD=$password psql -h 127.0.0.1 -p "$CITUS_PORT" -U postgres -d postgres -qAtX -c "$1" 2>/dev/null; }
# The worker nodes in pg_dist_node, sorted, space-separated.
nodes() { sql "SELECT string_agg(nodename, ' ' ORDER BY nodename) FROM pg_dist_node WHERE groupid <> 0" || true; }
nodes_are() { [[ "$(nodes)" == "$1" ]]; }
workers() { local n out=(); for n in "$@"; do out+=("$(container "worker_$n")"); done; echo "${out[*]}"; }
# Every row of the distributed table is there and answers.
all_rows_there() { [[ "$(sql 'SELECT count(*) FROM items')" == 1000 ]]; }
healthy() { curl -fsS "http://$listen/healthz" >/dev/null 2>&1; }
# Milliseconds since the epoch: now, and when a container started.
now_ms() { date +%s%3N; }
started_ms() { # CONTAINER
  if [[ $compose_kind == docker ]]; then
    date -d "$(engine inspect -f '{{.State.StartedAt}}' "$1")" +%s%3N
  else
    engine inspect -f '{{.State.StartedAt.UnixMilli}}' "$1"
  fi
}

# What the compose file reads from the environment, for a project on ENGINE
# whose API is SOCKET; the ports are free ones on 127.0.0.1.
use_project() { # ENGINE PROJECT SOCKET
  compose_kind=$1
  export COMPOSE_PROJECT_NAME=$2 DOCKER_SOCKET=$3
  export DOCKER_GID CITUS_PORT WORKERLISTGEN_PORT
  DOCKER_GID=$(stat -c %g "$DOCKER_SOCKET")
  CITUS_PORT=$(free_port)
  WORKERLISTGEN_PORT=$(free_port)
  listen=127.0.0.1:$WORKERLISTGEN_PORT
}

# Steps 1 to 3: up with 2 workers, a distributed table, scale to 4.
up_scale_and_distribute() {
  local t0 t1
  t0=$(now_ms)
  compose_up 2
  wait_until 180 "2 workers in pg_dist_node" nodes_are "$(workers 1 2)"
  t1=$(now_ms)
  step "$compose_kind: up -> 2 workers in pg_dist_node: $((t1 - t0)) ms"
  # The names in pg_dist_node are the ones the coordinator resolves on the
  # compose network, to the workers' addresses there.
  local n name resolved address
  for n in 1 2; do
    name=$(container "worker_$n")
    resolved=$(engine exec "$(container master_1)" getent hosts "$name" | awk '{print $1}')
    address=$(engine inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$name")
    [[ -n "$resolved" && " $address " == *" $resolved "* ]] ||
      fail "the coordinator resolves $name to '$resolved', not to its address '$address'"
  done
  wait_until 60 "the sidecar healthy" healthy

  sql "CREATE TABLE items (id bigint PRIMARY KEY, note text)" >/dev/null || fail "CREATE TABLE"
  sql "SELECT create_distributed_table('items', 'id')" >/dev/null || fail "create_distributed_table"
  sql "INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 1000) g" >/dev/null || fail "INSERT"
  all_rows_there || fail "count(*) of the distributed table"
  [[ "$(sql "SELECT count(DISTINCT nodename) FROM citus_shards WHERE table_name = 'items'::regclass
             AND nodename <> 'localhost'")" == 2 ]] || fail "the shards are not on both workers"
  step "$compose_kind: a distributed table with 1,000 rows on 2 workers"

  t0=$(now_ms)
  compose_up 4
  wait_until 180 "4 workers in pg_dist_node" nodes_are "$(workers 1 2 3 4)"
  t1=$(now_ms)
  step "$compose_kind: up with 4 workers -> 4 workers in pg_dist_node: $((t1 - t0)) ms"
  # Container start -> node, for the two new workers (the engine's StartedAt).
  for n in 3 4; do
    local started_at
    started_at=$(started_ms "$(container "worker_$n")")
    step "$compose_kind: worker_$n: container started -> node in pg_dist_node: at most $((t1 - started_at)) ms"
  done
}

# --- Docker --------------------------------------------------------------------------------
run_docker() {
  step "docker: dockerd (networked) with images in $data_root"
  eval "$(scripts/docker-engine.sh daemon "$work/engine" "$data_root")" # SOCKET=
  export DOCKER_HOST=unix://$SOCKET
  local t0=$SECONDS
  scripts/citus-image.sh docker
  scripts/sidecar-image.sh docker
  step "docker: the Citus and sidecar images ready in $((SECONDS - t0)) s"
  image_takes_flags localhost/dockercloud-workerlistgen:test /usr/bin/docker

  use_project docker wlgcompose "$SOCKET"
  up_scale_and_distribute

  # 4. Scale back to 3: worker_4 holds no placements and leaves.
  # worker_4 gets shards, so a plain scale-down would lose its rows with its
  # volume; scale drains it first and prints the command that removes it.
  local removed placements printed t0_scale
  sql "SELECT citus_rebalance_start(shard_transfer_mode := 'block_writes')" >/dev/null || fail "rebalance"
  sql "SELECT citus_rebalance_wait()" >/dev/null || fail "rebalance wait"
  [[ "$(sql "SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
             WHERE n.nodename = '$(container worker_4)'")" != 0 ]] || fail "worker_4 holds no shard to lose"
  removed=$(metric "$listen" workerlistgen_citus_nodes_removed_total)
  t0_scale=$(now_ms)
  /usr/bin/docker exec "$(container workerlistgen_1)" dockercloud-workerlistgen scale worker 3 \
    --rebalance-transfer-mode=block_writes >"$work/scale.log" 2>&1 || { cat "$work/scale.log" >&2; fail "scale worker 3"; }
  printed=$(grep -o 'docker compose -p .* up -d --scale worker=3' "$work/scale.log") ||
    { cat "$work/scale.log" >&2; fail "scale printed no compose command"; }
  [[ "$printed" == "docker compose -p $COMPOSE_PROJECT_NAME "* ]] || fail "the printed command names another project: $printed"
  sed 's/^/  scale: /' "$work/scale.log" >&2
  compose_up 3 # what the printed command does, with this test's compose files
  wait_until 60 "worker_4 gone from pg_dist_node" nodes_are "$(workers 1 2 3)"
  wait_until 10 "the removal counted" metric_at_least "$listen" workerlistgen_citus_nodes_removed_total $((removed + 1))
  all_rows_there || fail "rows lost in the scale-in"
  step "docker: scale worker 3, then the printed command -> 3 nodes, all 1,000 rows: $(($(now_ms) - t0_scale)) ms"
  # A worker that holds placements and stops stays, counted stale; no placement is touched.
  placements=$(sql "SELECT count(*) FROM pg_dist_placement")
  /usr/bin/docker stop -t 10 "$(container worker_1)" >/dev/null
  wait_until 60 "the stopped worker counted stale" metric_is "$listen" workerlistgen_citus_stale_nodes 1
  nodes_are "$(workers 1 2 3)" || fail "a worker that holds placements left pg_dist_node"
  [[ "$(sql "SELECT count(*) FROM pg_dist_placement")" == "$placements" ]] || fail "placements changed"
  /usr/bin/docker start "$(container worker_1)" >/dev/null
  wait_until 60 "no stale worker once it is back" metric_is "$listen" workerlistgen_citus_stale_nodes 0
  wait_until 60 "every row back" all_rows_there
  step "docker: scale to 3: the empty worker removed; a stopped worker with placements kept, every row there"

  # 5. kill -9 of the sidecar's process: the restart policy restarts it, and its
  # first sync adds back a node removed by hand meanwhile.
  local sidecar pid
  sidecar=$(container workerlistgen_1)
  # worker_3 holds shards since the rebalance above: drain it (the command in
  # the sidecar's container) so that Citus lets it be removed.
  /usr/bin/docker exec "$sidecar" dockercloud-workerlistgen drain "$(container worker_3)" \
    --rebalance-transfer-mode=block_writes >"$work/drain.log" 2>&1 || { cat "$work/drain.log" >&2; fail "drain worker_3"; }
  sql "SELECT citus_remove_node('$(container worker_3)', 5432)" >/dev/null || fail "removing worker_3 by hand"
  pid=$(/usr/bin/docker inspect -f '{{.State.Pid}}' "$sidecar")
  kill -9 "$pid"
  wait_until 60 "the sidecar restarted by its restart policy" \
    eval '(( $(/usr/bin/docker inspect -f "{{.RestartCount}}" "$sidecar") >= 1 ))'
  wait_until 60 "worker_3 added again by the restarted sidecar" nodes_are "$(workers 1 2 3)"
  wait_until 60 "the restarted sidecar healthy" healthy
  step "docker: kill -9 of the sidecar: restarted, and resynced"

  # 6. The coordinator restarts; a worker started meanwhile is added once it is back.
  local t0_ms
  /usr/bin/docker restart -t 10 "$(container master_1)" >/dev/null
  t0_ms=$(now_ms)
  compose_up 4
  wait_until 120 "worker_4 added after the coordinator's restart" nodes_are "$(workers 1 2 3 4)"
  step "docker: coordinator restarted, worker_4 started: in pg_dist_node after $(( $(now_ms) - t0_ms )) ms"
  all_rows_there || fail "rows lost over the coordinator's restart"

  # 7. A worker that holds shards, scaled down and up without a drain, comes
  # back under its name with a fresh anonymous volume: the sidecar finds its
  # shard tables missing, says so on /healthz and in the metric, and changes
  # no metadata.
  # Two shards moved onto worker_4 (a rebalance would also move shards back onto
  # worker_3, where Citus left the tables of its drain behind when the node was
  # removed by hand in step 5, and fail there).
  local w4_missing
  sql "SELECT citus_move_shard_placement(s.shardid, s.nodename, s.nodeport, '$(container worker_4)', 5432,
         shard_transfer_mode := 'block_writes')
       FROM (SELECT shardid, nodename, nodeport FROM citus_shards
             WHERE table_name = 'items'::regclass AND nodename = '$(container worker_1)' ORDER BY shardid LIMIT 2) s" \
    >/dev/null || fail "moving two shards onto worker_4"
  [[ "$(sql "SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
             WHERE n.nodename = '$(container worker_4)'")" != 0 ]] || fail "worker_4 holds no shard to lose"
  placements=$(sql "SELECT count(*) FROM pg_dist_placement")
  t0_ms=$(now_ms)
  compose_up 3
  compose_up 4
  w4_missing="workerlistgen_citus_missing_placements{node=\"$(container worker_4):5432\"}"
  wait_until 120 "worker_4 found without its shard tables" metric_at_least "$listen" "$w4_missing" 1
  ! healthy || fail "/healthz is 200 while worker_4 lacks its shards"
  curl -sS "http://$listen/healthz" | grep -q "worker node $(container worker_4):5432 came back without" ||
    fail "/healthz does not name worker_4"
  nodes_are "$(workers 1 2 3 4)" || fail "a node changed"
  [[ "$(sql "SELECT count(*) FROM pg_dist_placement")" == "$placements" ]] || fail "placements changed"
  step "docker: worker_4 scaled down and up without a drain: found empty after $(( $(now_ms) - t0_ms )) ms, /healthz 503, no metadata changed"

  compose down -v -t 10 >/dev/null 2>&1 || fail "docker-compose down"
  compose_kind=
  # For podman (here and in image-test.sh), the same images: copied, not built again.
  scripts/citus-image.sh podman
  scripts/sidecar-image.sh podman
  scripts/docker-engine.sh stop-daemon "$work/engine"
  rm -rf "$work/engine"
  unset DOCKER_HOST
  host_network | diff "$work/host-before" - >&2 || fail "dockerd left the host changed (iptables, ip_forward or links)"
  step "docker passed"
}

# --- podman (steps 1 to 3) -------------------------------------------------------------------------
run_podman() {
  step "podman: podman-compose 1.0.3"
  scripts/citus-image.sh podman
  scripts/sidecar-image.sh podman
  podman system service --time=0 "unix://$work/podman.sock" >"$work/podman-service.log" 2>&1 &
  pids+=($!)
  wait_until 30 "podman's API service" test -S "$work/podman.sock"
  # As podman.socket makes it (SocketMode=0660): root's, reachable through group 0.
  chmod 660 "$work/podman.sock"

  use_project podman wlgpodman "$work/podman.sock"
  # Podman runs healthchecks from systemd timers, which this machine does not
  # have: without them every container with a healthcheck stays "starting",
  # and the sidecar rightly waits for it. This loop is the timer: it runs the
  # project's healthchecks every second while the test runs.
  (while true; do
     for c in $(podman ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" 2>/dev/null); do
       podman healthcheck run "$c" >/dev/null 2>&1 || true
     done
     sleep 1
   done) &
  pids+=($!)
  up_scale_and_distribute
  # Not podman-compose's down, which leaves the containers' volumes behind.
  podman_project_rm "$COMPOSE_PROJECT_NAME"
  compose_kind=
  # CNI keeps its own chains once made, so only the links are compared here.
  link_names | diff "$work/links-before" - >&2 || fail "podman left a network link on the host"
  step "podman passed"
}

case "$which" in
  docker) run_docker ;;
  podman) run_podman ;;
  both) run_docker; run_podman ;;
  *) echo "usage: compose-test.sh [docker|podman|both]" >&2; exit 2 ;;
esac
step "all compose tests passed in $((SECONDS - started)) s"
