#!/usr/bin/env bash
# Tests the sidecar's container image for real, with podman:
#   1. the image: size, runtime layer, HEALTHCHECK kept, not root;
#   2. Docker Cloud mode against the emulator: the file in the mounted
#      CITUS_CONFDIR, the master signalled through the mounted socket,
#      `podman healthcheck run` healthy after the first sync and unhealthy while
#      the stream is down, `reload.sh`, and `podman stop` exiting 0 on SIGTERM;
#   3. engine mode on podman's own Engine API: labelled workers come and go;
#   4. deploy/docker-compose.yml with podman-compose, stand-ins for Citus.
#
#   scripts/image-test.sh                 uses ./build for the emulator
#   BUILD_DIR=/tmp/b scripts/image-test.sh
#
# Needs root (podman). The image comes from scripts/sidecar-image.sh: built
# with podman from the Dockerfile, or copied from Docker when this run's
# compose test built it there already; the base image from Debian's archive
# (scripts/base-image.sh). podman's storage keeps them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
TEST_NAME=image-test
build=${BUILD_DIR:-build}
image=localhost/dockercloud-workerlistgen:test
max_layer_mb=30
started=$SECONDS

# --- what it needs (base-image.sh and podman-engine.sh install their own) ----
install_packages podman runc podman-compose curl
if [[ ! -x "$build/bin/dockercloud-emulator" ]]; then
  BUILD_DIR=$build scripts/configure.sh
  cmake --build "$build" --target dockercloud-emulator
fi
emulator_bin=$(cd "$build/bin" && pwd)/dockercloud-emulator

work=$(mktemp -d /tmp/wlg-image-test.XXXXXX)
chmod 755 "$work"
# For every podman call here, podman-compose's too.
write_podman_conf "$work/containers.conf" "$work/events.log"
export CONTAINERS_CONF=$work/containers.conf

pids=()
containers=()
engine_dir=
compose_project=
cleanup() {
  local status=$?
  if ((status != 0)); then
    for c in "${containers[@]}"; do
      echo "--- log of container $c" >&2
      podman logs "$c" 2>&1 | tail -n 40 >&2 || true
    done
  fi
  [[ -n "$compose_project" ]] && podman_project_rm "$compose_project"
  for c in "${containers[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  [[ -n "$engine_dir" ]] && scripts/podman-engine.sh stop "$engine_dir" >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# --- waiting for conditions ---------------------------------------------------------

# The worker names in a worker list file, one per line, sorted.
listed() { [[ -f "$1" ]] && grep -v '^#' "$1" | awk '{print $1}' | sort | paste -sd' ' || true; }
lists() { [[ "$(listed "$1")" == "$2" ]]; }
# The number of lines in FILE (0 while there is none), and whether it has at
# least N: the stand-in masters write one per SIGHUP.
lines_in() { [[ -f "$1" ]] && wc -l <"$1" || echo 0; }
has_lines() { (( $(lines_in "$1") >= $2 )); } # FILE N
# The image's HEALTHCHECK, run by podman: exit 0 when healthy, or "unhealthy"
# and exit 1.
healthcheck() { podman healthcheck run "$1" >/dev/null 2>&1; }
unhealthy() { [[ "$(podman healthcheck run "$1" 2>/dev/null)" == unhealthy ]]; }
# `podman run -d` for the sidecar. Its complaints that it has no systemd for
# the healthcheck's timer are kept out of the output unless the run fails.
run_sidecar() { # NAME PODMAN-RUN-ARGS...
  local name=$1
  shift
  containers+=("$name")
  podman run -d --name "$name" --health-interval=disable "$@" >/dev/null 2>"$work/$name.err" \
    || { cat "$work/$name.err" >&2; fail "podman run $name"; }
}

# The Docker socket as a Docker host has it: root's, reachable through a group.
socket_gid=10002
share_socket() { chgrp "$socket_gid" "$1" && chmod 660 "$1"; }
# A CITUS_CONFDIR the image's user (workerlistgen, uid 10001) may write.
make_confdir() { mkdir -p "$1" && chown 10001 "$1"; }
# `podman stop` gives SIGTERM, then SIGKILL after 2 s: exit code 0 means the
# sidecar stopped by itself within 2 s.
stops_cleanly() { # CONTAINER
  podman stop -t 2 "$1" >/dev/null 2>>"$work/podman-stop.err"
  local code
  code=$(podman inspect --format '{{.State.ExitCode}}' "$1")
  [[ "$code" == 0 ]] || fail "$1 exited $code on podman stop (137: killed after 2 s)"
}

# --- 1. the image -------------------------------------------------------------------
step "the image"
scripts/base-image.sh
scripts/sidecar-image.sh podman

base_bytes=$(podman image inspect --format '{{.Size}}' localhost/debian:bookworm-slim)
image_bytes=$(podman image inspect --format '{{.Size}}' "$image")
layer_mb=$(( (image_bytes - base_bytes + 999999) / 1000000 ))
echo "image-test: image $((image_bytes / 1000000)) MB, base $((base_bytes / 1000000)) MB, runtime layers ${layer_mb} MB (goal <= ${max_layer_mb} MB)"
((layer_mb <= max_layer_mb)) || fail "the runtime layers add ${layer_mb} MB to the base, over ${max_layer_mb} MB"
[[ "$(podman image inspect --format '{{.Config.User}}' "$image")" == workerlistgen ]] \
  || fail "the image does not run as workerlistgen"
podman image inspect --format '{{json .Config.Healthcheck}}' "$image" | grep -q healthcheck.sh \
  || fail "the image lost its HEALTHCHECK"
podman run --rm --network none --no-healthcheck "$image" --version >/dev/null \
  || fail "the binary does not start in the image (a missing shared library?)"
image_takes_flags "$image" podman

# --- 2. Docker Cloud mode against the emulator -------------------------------------------
step "Docker Cloud mode"
start_emulator "$emulator_bin" "$work/emulator" 2
pids+=("$emulator_pid")
signals_at_least() { (( $(emulator_signals) >= $1 )); }

share_socket "$work/emulator/docker.sock"
make_confdir "$work/cloud-conf"
listen=127.0.0.1:$(free_port)
# The secret goes in by name (-e NAME), never on a command line. The healthcheck
# runs when asked (podman healthcheck run): podman's timer for it needs systemd.
cloud_run_args=(--network host --group-add "$socket_gid"
  -v "$work/cloud-conf:/etc/citus"
  -v "$work/emulator/docker.sock:/var/run/docker.sock"
  -v "$work/emulator/ca.pem:/etc/ssl/emulator-ca.pem:ro"
  -e SSL_CERT_FILE=/etc/ssl/emulator-ca.pem -e DOCKER_HOST=unix:///var/run/docker.sock
  -e DOCKERCLOUD_REST_HOST -e DOCKERCLOUD_STREAM_HOST -e DOCKERCLOUD_AUTH
  -e DOCKERCLOUD_CONTAINER_API_URI -e DOCKERCLOUD_SERVICE_API_URI -e DOCKERCLOUD_STACK_NAME)
run_sidecar wlg-image-cloud "${cloud_run_args[@]}" -e WORKERLISTGEN_LISTEN="$listen" "$image"

file=$work/cloud-conf/pg_worker_list.conf
wait_until 30 "the first worker list" lists "$file" "worker-1 worker-2"
wait_until 30 "the first signal to the master" signals_at_least 1
[[ "$(stat -c %u "$file")" == 10001 ]] || fail "the worker list was not written by uid 10001"
[[ "$(podman exec wlg-image-cloud id -u)" == 10001 ]] || fail "the sidecar runs as root"
wait_until 30 "a healthy healthcheck after the first sync" healthcheck wlg-image-cloud

emulator_control POST '/stream/refuse?status=503' >/dev/null
emulator_control POST /stream/drop >/dev/null
wait_until 30 "an unhealthy healthcheck while the stream is down" unhealthy wlg-image-cloud
emulator_control POST '/stream/refuse?count=0' >/dev/null
wait_until 60 "a healthy healthcheck once the stream is back" healthcheck wlg-image-cloud

emulator_control POST '/scale?workers=4' >/dev/null
wait_until 30 "the scaled worker list" lists "$file" "worker-1 worker-2 worker-3 worker-4"
wait_until 30 "the master signalled for the scale" signals_at_least 2

writes=$(metric "$listen" workerlistgen_file_writes_total)
before=$(emulator_signals)
podman exec wlg-image-cloud reload.sh
wait_until 30 "the file rewritten by reload.sh" metric_at_least "$listen" workerlistgen_file_writes_total $((writes + 1))
wait_until 30 "the master signalled by reload.sh" signals_at_least $((before + 1))
lists "$file" "worker-1 worker-2 worker-3 worker-4" || fail "reload.sh changed the worker list"

stops_cleanly wlg-image-cloud
# One sync with --once given to the image, as a cron job or init container runs it.
podman run --rm "${cloud_run_args[@]}" "$image" --once >"$work/once.out" 2>&1 \
  || { cat "$work/once.out" >&2; fail "podman run IMAGE --once"; }
lists "$file" "worker-1 worker-2 worker-3 worker-4" || fail "podman run IMAGE --once changed the worker list"
step "Docker Cloud mode passed"

# --- 3. engine mode on podman's own Engine API ------------------------------------------
step "engine mode"
engine_dir=$work/engine
eval "$(scripts/podman-engine.sh start "$engine_dir" citus master)" # SOCKET=, HUPS=
share_socket "$SOCKET"
worker() { scripts/podman-engine.sh run "$engine_dir" "$1" com.docker.compose.project=citus \
             com.docker.compose.service=worker com.citusdata.role=Worker; }
worker citus_worker_1
worker citus_worker_2

make_confdir "$work/engine-conf"
listen=127.0.0.1:$(free_port)
run_sidecar wlg-image-engine --network host --group-add "$socket_gid" \
  -v "$work/engine-conf:/etc/citus" -v "$SOCKET:/var/run/docker.sock" \
  -e WORKERLISTGEN_SOURCE=engine -e DOCKER_HOST=unix:///var/run/docker.sock \
  -e DOCKERCLOUD_STACK_NAME=citus -e WORKERLISTGEN_LISTEN="$listen" \
  "$image"
file=$work/engine-conf/pg_worker_list.conf
wait_until 30 "the engine's workers" lists "$file" "citus_worker_1 citus_worker_2"
wait_until 30 "the first SIGHUP to the master container" has_lines "$HUPS" 1
wait_until 30 "a healthy healthcheck in engine mode" healthcheck wlg-image-engine

worker citus_worker_3
wait_until 30 "a started worker listed" lists "$file" "citus_worker_1 citus_worker_2 citus_worker_3"
wait_until 30 "the master signalled for it" has_lines "$HUPS" 2
scripts/podman-engine.sh stop-container "$engine_dir" citus_worker_1
wait_until 30 "a stopped worker dropped" lists "$file" "citus_worker_2 citus_worker_3"
wait_until 30 "the master signalled for that" has_lines "$HUPS" 3

stops_cleanly wlg-image-engine
# The compose stand-ins' busybox image, from the engine's storage into podman's own.
podman --root "$engine_dir/storage" --runroot "$engine_dir/run" save -q \
  -o "$work/busybox.tar" localhost/wlg-busybox:test
scripts/podman-engine.sh stop "$engine_dir"
! grep -q " $engine_dir/" /proc/mounts || fail "podman-engine.sh stop left a mount in $engine_dir"
engine_dir=
step "engine mode passed"

# --- 4. deploy/docker-compose.yml with podman-compose ----------------------------------
step "deploy/docker-compose.yml with podman-compose"
# podman's API on the storage podman-compose uses, as the sidecar's Docker socket.
podman system service --time=0 "unix://$work/podman.sock" >"$work/podman-service.log" 2>&1 &
pids+=($!)
wait_until 30 "podman's API service" test -S "$work/podman.sock"
# The compose file's sidecar runs as root (see there), so the socket stays as it is.
podman load -q -i "$work/busybox.tar" >/dev/null
mkdir -p "$work/hups"

compose_project=wlgimagetest
export DOCKER_SOCKET=$work/podman.sock WLG_TEST_HUPS=$work/hups
export CITUS_PORT WORKERLISTGEN_PORT
CITUS_PORT=$(free_port)
WORKERLISTGEN_PORT=$(free_port)
compose() {
  podman-compose -p "$compose_project" -f deploy/docker-compose.yml \
    -f test/image/docker-compose.stand-ins.yml "$@"
}
# podman-compose 1.0.3 ignores --scale: the compose file takes its replicas from WORKERS.
compose_up() { # WORKERS
  WORKERS=$1 compose up -d >"$work/compose-up-$1.log" 2>&1 \
    || { cat "$work/compose-up-$1.log" >&2; fail "podman-compose up with $1 workers"; }
}
podman tag "$image" localhost/dockercloud-workerlistgen:1.0.0
listen=127.0.0.1:$WORKERLISTGEN_PORT
compose_up 2
containers+=("${compose_project}_workerlistgen_1")
conf_volume=$(podman volume inspect --format '{{.Mountpoint}}' "${compose_project}_citus-conf")
file=$conf_volume/pg_worker_list.conf
w() { printf "${compose_project}_worker_%s " "$@" | sed 's/ $//'; }
wait_until 60 "the compose workers listed" lists "$file" "$(w 1 2)"
wait_until 30 "the compose master signalled" has_lines "$work/hups/master" 1

compose_up 4
wait_until 60 "four compose workers listed" lists "$file" "$(w 1 2 3 4)"
wait_until 30 "the compose master signalled for the scale" has_lines "$work/hups/master" 2
podman kill "${compose_project}_worker_4" "${compose_project}_worker_3" >/dev/null
wait_until 60 "two compose workers listed again" lists "$file" "$(w 1 2)"
wait_until 30 "the compose master signalled for that" has_lines "$work/hups/master" 3
stops_cleanly "${compose_project}_workerlistgen_1"
step "compose passed"

step "all image tests passed in $((SECONDS - started)) s"
