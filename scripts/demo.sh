#!/usr/bin/env bash
# The sidecar keeping a Citus coordinator's pg_dist_node in step with worker
# containers, when this machine has Citus (scripts/test.sh installs it): a
# coordinator and 4 workers run as host processes on loopback addresses
# (../shared/citus/citus-cluster.sh); a private podman engine runs labelled
# containers that stand for the worker containers, each naming its worker's
# address in a label. The demo starts and removes them as a Compose user
# scales, and prints pg_dist_node (through `dockercloud-workerlistgen status`)
# after each step: workers added, a worker that goes empty removed, one that
# goes holding shards kept and named in /healthz until `drain` moves them.
#
# Without Citus it shows the original job instead: the worker list file, on
# the Docker Cloud emulator, scaled 0 -> 3 -> 5 -> 2, and says how to get the
# Citus demo.
#
#   scripts/demo.sh            (as root: it installs what is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
build=${BUILD_DIR:-build}
kit=${WLG_CITUS_KIT:-../shared/citus}

BUILD_DIR=$build scripts/configure.sh
cmake --build "$build" -j"$(nproc)" --target dockercloud-workerlistgen dockercloud-emulator
bin=$build/bin

work=$(mktemp -d /tmp/workerlistgen-demo.XXXXXX)
chmod 755 "$work" # the Citus instances run as the postgres user
pids=()
cleanups=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  local c
  for c in "${cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

has_citus() {
  local pkglibdir
  pkglibdir=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir 2>/dev/null) || return 1
  [[ -f "$pkglibdir/citus.so" && -x "$kit/citus-cluster.sh" ]]
}

# --- Citus: pg_dist_node ------------------------------------------------------------------
citus_demo() {
  install_packages podman runc busybox-static postgresql-client curl
  local port listen engine=$work/engine
  port=$(free_port)
  listen=127.0.0.1:$(free_port)
  echo "== a Citus 13 coordinator (127.0.0.1:$port) and 4 workers (127.0.0.2 to .5), as host processes"
  "$kit/citus-cluster.sh" start "$work/cluster" 4 "$port" >/dev/null
  cleanups+=("'$kit/citus-cluster.sh' stop '$work/cluster'")
  echo "== a private podman engine, whose containers stand for the worker containers"
  eval "$(scripts/podman-engine.sh start "$engine" citus master)" # SOCKET=, HUPS=
  cleanups+=("scripts/podman-engine.sh stop '$engine'")

  DOCKER_HOST=unix://$SOCKET WORKERLISTGEN_SOURCE=engine WORKERLISTGEN_TARGET=citus \
    WORKERLISTGEN_COORDINATOR="host=127.0.0.1 port=$port user=postgres dbname=postgres" \
    WORKERLISTGEN_WORKER_NAME=label:citus.address WORKERLISTGEN_WORKER_PORT=$port DOCKERCLOUD_STACK_NAME=citus \
    WORKERLISTGEN_LISTEN=$listen WORKERLISTGEN_REBALANCE_TRANSFER_MODE=block_writes \
    WORKERLISTGEN_PID_FILE=$work/workerlistgen.pid \
    "$bin/dockercloud-workerlistgen" >"$work/sidecar.log" 2>&1 &
  pids+=($!)
  echo "== the sidecar: --source=engine --target=citus, each worker named by its citus.address label"
  echo

  sql() { psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtX -c "$1"; }
  status() {
    "$bin/dockercloud-workerlistgen" status --coordinator "host=127.0.0.1 port=$port user=postgres dbname=postgres" |
      sed 's/^/   /'
  }
  nodes() { sql "SELECT string_agg(nodename, ' ' ORDER BY nodename) FROM pg_dist_node WHERE groupid <> 0" 2>/dev/null || true; }
  wait_nodes() { # WANTED
    for _ in $(seq 300); do [[ "$(nodes)" == "$1" ]] && return 0; sleep 0.1; done
    echo "the sidecar did not converge on '$1' (pg_dist_node: '$(nodes)'); its log:" >&2
    cat "$work/sidecar.log" >&2
    exit 1
  }
  worker() { # N: the container citus_worker_N, standing for 127.0.0.(N+1)
    scripts/podman-engine.sh run "$engine" "citus_worker_$1" com.citusdata.role=Worker \
      com.docker.compose.project=citus "citus.address=127.0.0.$(($1 + 1))"
  }
  health() { curl -s "http://$listen/healthz"; echo; }

  echo "== step 1: two worker containers start"
  worker 1; worker 2
  wait_nodes "127.0.0.2 127.0.0.3"
  status
  sql "CREATE TABLE items (id bigint PRIMARY KEY, note text)" >/dev/null
  sql "SELECT create_distributed_table('items', 'id')" >/dev/null
  sql "INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 1000) g" >/dev/null
  echo "   a distributed table of $(sql 'SELECT count(*) FROM items') rows, its shards on both"
  echo

  echo "== step 2: scale to 4 (two more containers)"
  worker 3; worker 4
  wait_nodes "127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5"
  status
  echo

  echo "== step 3: worker 4's container goes; its node holds no shard, so it is removed"
  scripts/podman-engine.sh remove-container "$engine" citus_worker_4
  wait_nodes "127.0.0.2 127.0.0.3 127.0.0.4"
  status
  echo

  echo "== step 4: worker 2's container goes while it holds shards: the node is kept, and /healthz says why"
  scripts/podman-engine.sh remove-container "$engine" citus_worker_2
  for _ in $(seq 100); do health | grep -q 'left holding' && break; sleep 0.1; done
  echo "   /healthz: $(health)"
  echo "   (its database, a host process here, still answers; in a real scale-in it would be gone with the container)"
  status
  echo

  echo "== step 5: dockercloud-workerlistgen drain 127.0.0.3 moves its shards; the sidecar then removes the node"
  "$bin/dockercloud-workerlistgen" drain "127.0.0.3:$port" --rebalance-transfer-mode=block_writes \
    --coordinator "host=127.0.0.1 port=$port user=postgres dbname=postgres" | sed 's/^/   /'
  wait_nodes "127.0.0.2 127.0.0.4"
  status
  echo "   the table still has $(sql 'SELECT count(*) FROM items') rows; /healthz: $(health)"
  echo
  echo "== the sidecar's log:"
  sed 's/^/   /' "$work/sidecar.log"
}

# --- Docker Cloud's emulator: the worker list file ----------------------------------------
file_demo() {
  start_emulator "$bin/dockercloud-emulator" "$work/emulator" 0
  pids+=("$emulator_pid")
  mkdir -p "$work/citus"
  local list="$work/citus/pg_worker_list.conf"
  "$bin/dockercloud-workerlistgen" --citus-confdir "$work/citus" --pid-file "$work/workerlistgen.pid" \
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
  local step=0 workers
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
}

if has_citus; then
  citus_demo
else
  echo "== Citus is not installed here: this is the original job, the worker list file, on the"
  echo "   Docker Cloud emulator. For the Citus demo (pg_dist_node kept in step with worker"
  echo "   containers), run scripts/test.sh once (it builds Citus 13.2 from the kit in"
  echo "   $kit), or install Citus 13 for PostgreSQL 15, then run this again."
  echo
  file_demo
fi
echo "(files are in $work)"
