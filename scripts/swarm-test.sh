#!/usr/bin/env bash
# deploy/docker-stack.citus.yml as a user deploys it, on a single-node swarm
# of a real Docker engine (Debian's dockerd, scripts/docker-engine.sh swarm),
# with real Citus containers (localhost/citus:13) and the project's image:
#   1. `docker stack deploy` with 2 workers: both in pg_dist_node, by their
#      tasks' DNS names, which the coordinator resolves on the overlay;
#   2. a distributed table with 1,000 rows, its shards on the workers;
#   3. `docker service scale` to 4, then to 3: pg_dist_node follows (the time
#      from each scale command to the nodes is printed);
#   4. a task holding placements killed: swarm starts a new task in its slot,
#      with a new name; the node is updated in place (same node id, same
#      placements) and every row is still there;
#   5. a labelled service of another stack, and an unlabelled one of this
#      stack: neither becomes a node;
#   6. the file target (the sidecar's binary, --once): the running tasks'
#      names or addresses, as --worker-name says.
# Only the images differ from the shipped file (test/image/docker-stack.citus.local.yml).
#
#   scripts/swarm-test.sh SIDECAR_BINARY
#
# Needs root. Docker's images live in $WLG_DOCKER_DATA_ROOT (default
# /var/lib/workerlistgen/docker); the swarm is left and the host put back as
# it was when the test ends.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
TEST_NAME=swarm-test
started=$SECONDS
binary=$(realpath "${1:?usage: swarm-test.sh SIDECAR_BINARY}")
data_root=${WLG_DOCKER_DATA_ROOT:-/var/lib/workerlistgen/docker}
stack=citus
password=change-me # the stack file's default

kit=${WLG_CITUS_KIT:-../shared/citus}
if [[ ! -f "$kit/install-citus.sh" ]]; then
  echo "swarm-test: skipped: no Citus kit in $kit to build localhost/citus:13 from (set WLG_CITUS_KIT)"
  exit 77 # CTest's SKIP_RETURN_CODE
fi
install_packages docker.io iptables postgresql-client curl

work=$(mktemp -d /tmp/wlg-swarm-test.XXXXXX)
chmod 755 "$work"
host_network >"$work/host-before"
deployed=
# The stack's volumes: a worker slot's data from an earlier run would be another cluster's.
remove_volumes() {
  local volumes
  volumes=$(docker volume ls -q | grep -E "^${stack}(-worker-[0-9]+|_citus-coordinator)$" || true)
  [[ -z "$volumes" ]] || docker volume rm $volumes >/dev/null
}
cleanup() {
  local status=$?
  if ((status != 0)) && [[ -n "$deployed" ]]; then
    docker service ps --no-trunc "${stack}_worker" >&2 2>/dev/null || true
    docker service logs --tail 40 "${stack}_workerlistgen" >&2 2>/dev/null || true
  fi
  if [[ -n "$deployed" ]]; then
    docker stack rm "$stack" >/dev/null 2>&1 || true
    docker service rm other_worker "${stack}_unlabelled" >/dev/null 2>&1 || true
    for _ in $(seq 150); do [[ -z "$(docker ps -aq 2>/dev/null)" ]] && break; sleep 0.2; done
    remove_volumes 2>/dev/null || true
  fi
  [[ -d "$work/engine" ]] && scripts/docker-engine.sh stop-daemon "$work/engine" >/dev/null 2>&1
  if ((status == 0)) && ! host_network | diff "$work/host-before" - >&2; then
    echo "$TEST_NAME: FAILED: dockerd left the host changed (iptables, ip_forward or links)" >&2
    status=1
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

docker() { /usr/bin/docker "$@"; }
sql() { PGPASSWORD=$password psql -h 127.0.0.1 -p "$CITUS_PORT" -U postgres -d postgres -qAtX -c "$1" 2>/dev/null; }
# The worker nodes in pg_dist_node, sorted, space-separated.
nodes() { sql "SELECT string_agg(nodename, ' ' ORDER BY nodename) FROM pg_dist_node WHERE groupid <> 0" || true; }
nodes_are() { [[ "$(nodes)" == "$1" ]]; }
# The running tasks of SERVICE by their DNS names (SERVICE.SLOT.TASK_ID), sorted.
running_tasks() { # SERVICE
  docker service ps "$1" --no-trunc --filter desired-state=running --format '{{.Name}}.{{.ID}} {{.CurrentState}}' |
    awk '$2 == "Running" {print $1}' | sort | paste -sd' '
}
task_count_is() { [[ "$(running_tasks "$1" | wc -w)" == "$2" ]]; } # SERVICE N
workers_in_pg_dist_node() { local t; t=$(running_tasks "${stack}_worker"); [[ $(wc -w <<<"$t") == "$1" ]] && nodes_are "$t"; }
all_rows_there() { [[ "$(sql 'SELECT count(*) FROM items')" == 1000 ]]; }
now_ms() { date +%s%3N; }

step "dockerd as a single-node swarm, images in $data_root"
eval "$(scripts/docker-engine.sh swarm "$work/engine" "$data_root")" # SOCKET=
export DOCKER_HOST=unix://$SOCKET
t0=$SECONDS
scripts/citus-image.sh docker
scripts/sidecar-image.sh docker
step "the Citus and sidecar images ready in $((SECONDS - t0)) s"

# What the stack file reads from the environment.
export DOCKER_SOCKET=$SOCKET CITUS_STACK=$stack WORKERS=2
DOCKER_GID=$(stat -c %g "$SOCKET")
CITUS_PORT=$(free_port)
WORKERLISTGEN_PORT=$(free_port)
export DOCKER_GID CITUS_PORT WORKERLISTGEN_PORT
listen=127.0.0.1:$WORKERLISTGEN_PORT

# --- 1. deploy with 2 workers ---------------------------------------------------------------
remove_volumes
t0=$(now_ms)
deployed=yes
docker stack deploy -c deploy/docker-stack.citus.yml -c test/image/docker-stack.citus.local.yml "$stack" \
  >"$work/deploy.log" 2>&1 || { cat "$work/deploy.log" >&2; fail "docker stack deploy"; }
wait_until 180 "2 worker tasks in pg_dist_node" workers_in_pg_dist_node 2
step "stack deploy -> 2 workers in pg_dist_node: $(($(now_ms) - t0)) ms"
# The coordinator reaches each worker by its task's name on the overlay.
coordinator=$(docker ps -q -f "label=com.docker.swarm.service.name=${stack}_coordinator")
for name in $(nodes); do
  docker exec "$coordinator" getent hosts "$name" >/dev/null || fail "the coordinator does not resolve $name"
done

# --- 2. a distributed table -------------------------------------------------------------------
sql "CREATE TABLE items (id int PRIMARY KEY, payload text)" >/dev/null
sql "SELECT create_distributed_table('items', 'id')" >/dev/null
sql "INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 1000) g" >/dev/null
all_rows_there || fail "the distributed table does not hold its 1,000 rows"

# --- 3. scale to 4, then to 3 ------------------------------------------------------------------
t0=$(now_ms)
docker service scale -d "${stack}_worker=4" >/dev/null
wait_until 120 "4 worker tasks in pg_dist_node" workers_in_pg_dist_node 4
step "docker service scale worker=4 -> 4 nodes in pg_dist_node: $(($(now_ms) - t0)) ms"
t0=$(now_ms)
docker service scale -d "${stack}_worker=3" >/dev/null
wait_until 120 "3 worker tasks in pg_dist_node" workers_in_pg_dist_node 3
step "docker service scale worker=3 -> 3 nodes in pg_dist_node: $(($(now_ms) - t0)) ms"
metric_at_least "$listen" workerlistgen_citus_nodes_removed_total 1 || fail "the removal was not counted"

# --- 4. a task holding placements is replaced in its slot ---------------------------------------
old_name=$(running_tasks "${stack}_worker" | tr ' ' '\n' | grep "^${stack}_worker\.1\.")
read -r node_id placements_before <<<"$(sql "SELECT n.nodeid, count(p.*) FROM pg_dist_node n
  JOIN pg_dist_placement p USING (groupid) WHERE n.nodename = '$old_name' GROUP BY n.nodeid" | tr '|' ' ')"
[[ -n "$node_id" ]] && ((placements_before > 0)) || fail "$old_name holds no placements to keep"
all_placements=$(sql "SELECT count(*) FROM pg_dist_placement")
slot_renamed() {
  local name
  name=$(sql "SELECT nodename FROM pg_dist_node WHERE nodeid = $node_id")
  [[ -n "$name" && "$name" != "$old_name" && "$name" == "${stack}_worker.1."* ]] && workers_in_pg_dist_node 3
}
t0=$(now_ms)
docker kill "$(docker ps -q -f "label=com.docker.swarm.task.name=$old_name")" >/dev/null
wait_until 120 "slot 1's new task to take node $node_id's name" slot_renamed
step "task in slot 1 killed -> node $node_id renamed to its new task: $(($(now_ms) - t0)) ms"
wait_until 60 "every row served after the replacement" all_rows_there
[[ "$(sql "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0")" == 3 ]] || fail "a node was added or removed"
[[ "$(sql "SELECT count(*) FROM pg_dist_placement")" == "$all_placements" ]] || fail "placements changed"
[[ "$(sql "SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
        WHERE n.nodeid = $node_id")" == "$placements_before" ]] || fail "node $node_id lost placements"
metric_is "$listen" workerlistgen_citus_nodes_updated_total 1 || fail "the update was not counted once"
step "node $node_id kept its id and $placements_before placements; all 1,000 rows there"

# --- 5. services of another stack, or without the label, are not workers --------------------------
before=$(nodes)
# Real Citus databases, which would be valid nodes if they were taken.
stray() { docker service create -d --network "${stack}_citus" --endpoint-mode dnsrr --init \
  -e POSTGRES_HOST_AUTH_METHOD=trust "$@" localhost/citus:13 >/dev/null; }
stray --name other_worker --label com.citusdata.role=Worker --label com.docker.stack.namespace=other
stray --name "${stack}_unlabelled" --label "com.docker.stack.namespace=$stack"
wait_until 60 "both stray services running" eval 'task_count_is other_worker 1 && task_count_is "${stack}_unlabelled" 1'
# A forced resync after both run, then the sync that follows it done.
fetches=$(metric "$listen" workerlistgen_fetches_total)
docker kill -s USR1 "$(docker ps -q -f "label=com.docker.swarm.service.name=${stack}_workerlistgen")" >/dev/null
wait_until 30 "a resync after the strays started" metric_at_least "$listen" workerlistgen_fetches_total $((fetches + 1))
wait_until 30 "that sync done" metric_is "$listen" workerlistgen_sync_pending 0
nodes_are "$before" || fail "a stray service's task became a node: $(nodes)"
step "a labelled service of another stack and an unlabelled one of this stack: ignored"

# --- 6. the file target, by each --worker-name ----------------------------------------------------
worker_file() { # WORKER_NAME: runs the sidecar once, prints the file's workers
  mkdir -p "$work/conf"
  env -i PATH="$PATH" DOCKER_HOST="unix://$SOCKET" WORKERLISTGEN_SOURCE=swarm DOCKERCLOUD_STACK_NAME=$stack \
    CITUS_CONFDIR="$work/conf" CITUS_SERVICE_NAME=coordinator WORKERLISTGEN_PID_FILE="$work/pid" \
    WORKERLISTGEN_WORKER_NAME="$1" "$binary" --once >"$work/once.log" 2>&1 ||
    { cat "$work/once.log" >&2; fail "--target=file --once --worker-name=$1"; }
  tail -n +2 "$work/conf/pg_worker_list.conf" | awk '{print $1}' | sort | paste -sd' '
}
[[ "$(worker_file task)" == "$(running_tasks "${stack}_worker")" ]] || fail "--worker-name=task"
addresses=$(for t in $(docker service ps "${stack}_worker" -q --filter desired-state=running); do
  docker inspect -f '{{range .NetworksAttachments}}{{if eq .Network.Spec.Name "'"${stack}_citus"'"}}{{range .Addresses}}{{.}}{{"\n"}}{{end}}{{end}}{{end}}' "$t"
done | sed 's|/.*||' | grep -v '^$' | sort | paste -sd' ')
[[ "$(worker_file address:citus)" == "$addresses" ]] || fail "--worker-name=address:citus: not $addresses"
[[ "$(worker_file service)" == "${stack}_worker" ]] || fail "--worker-name=service"
step "the file target lists task names, overlay addresses ($addresses) or the service's name"

# --- 7. scale in without losing a row: drain the slots that go, then fewer replicas ------------------
docker service scale -d "${stack}_worker=4" >/dev/null
wait_until 120 "4 worker tasks in pg_dist_node" workers_in_pg_dist_node 4
# Every worker holds shards, so a plain scale-in would take rows away.
sql "SELECT citus_rebalance_start(shard_transfer_mode := 'block_writes')" >/dev/null
sql "SELECT citus_rebalance_wait()" >/dev/null
empty=$(sql "SELECT count(*) FROM pg_dist_node n WHERE groupid <> 0
  AND NOT EXISTS (SELECT 1 FROM pg_dist_placement p WHERE p.groupid = n.groupid)")
[[ "$empty" == 0 ]] || fail "$empty worker(s) hold no shard before the scale-in"
sidecar=$(docker ps -q -f "label=com.docker.swarm.service.name=${stack}_workerlistgen")
since=$(date -u +%Y-%m-%dT%H:%M:%S)
t0=$(now_ms)
docker exec "$sidecar" dockercloud-workerlistgen scale "${stack}_worker" 2 --rebalance-transfer-mode=block_writes \
  >"$work/scale.log" 2>&1 || { cat "$work/scale.log" >&2; fail "dockercloud-workerlistgen scale ${stack}_worker 2"; }
scaled=$(now_ms)
wait_until 120 "2 worker tasks in pg_dist_node" workers_in_pg_dist_node 2
sed 's/^/  scale: /' "$work/scale.log" >&2
# What the sidecar did meanwhile: the drained nodes' removals, and why any waited.
docker service logs --since "$since" --no-task-ids "${stack}_workerlistgen" 2>/dev/null |
  grep -F '[citus_membership]' | sed 's/^[^|]*| */  sidecar: /' >&2 || true
step "scale ${stack}_worker 2 (drain slots 3 and 4, then 2 replicas): the command $((scaled - t0)) ms; -> 2 nodes in pg_dist_node: $(($(now_ms) - t0)) ms"
[[ "$(running_tasks "${stack}_worker" | tr ' ' '\n' | cut -d. -f2 | sort | paste -sd' ')" == "1 2" ]] ||
  fail "slots $(running_tasks "${stack}_worker") run, not 1 and 2"
all_rows_there || fail "rows lost in the scale-in"
step "slots 1 and 2 kept, the drained nodes removed, all 1,000 rows there"

step "passed in $((SECONDS - started)) s"
