#!/usr/bin/env bash
# A real Docker-compatible Engine API for the integration tests: podman's API
# service on a unix socket, with its own storage under DIR, and containers that
# record every SIGHUP they receive.
#
#   podman-engine.sh start DIR [PROJECT] [SERVICE]  API service + a labelled master;
#                                                    prints SOCKET=..., HUPS=...
#   podman-engine.sh run DIR NAME [--hostname=H] [LABEL=VALUE...]
#                                                    one more labelled container
#   podman-engine.sh pid DIR NAME                   the PID of a container's process, on the host
#   podman-engine.sh stop-container DIR NAME        stop (not remove) a container
#   podman-engine.sh stop-service DIR               stop the API service (containers keep running)
#   podman-engine.sh start-service DIR              start it again
#   podman-engine.sh stop DIR                       remove the containers, stop the service
#
# Needs root. On these machines podman works with runc and the cgroupfs
# manager only, and may not raise RLIMIT_NOFILE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
command=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
socket="$dir/docker.sock"
# Each engine's own configuration (scripts/lib.sh), with its own events log.
write_config() { write_podman_conf "$dir/containers.conf" "$dir/events.log"; }
export CONTAINERS_CONF="$dir/containers.conf"
podman_in_dir() { podman --root "$dir/storage" --runroot "$dir/run" "$@"; }

# An image with nothing but busybox, imported from Debian's busybox-static.
ensure_image() {
  podman_in_dir image exists localhost/wlg-busybox:test && return
  busybox_image_tar "$dir/image.tar"
  podman_in_dir import --quiet "$dir/image.tar" localhost/wlg-busybox:test >/dev/null
}

start_service() {
  rm -f "$socket"
  nohup podman --root "$dir/storage" --runroot "$dir/run" system service --time=0 "unix://$socket" \
    >>"$dir/service.log" 2>&1 &
  echo $! >"$dir/service.pid"
  for _ in $(seq 100); do [[ -S "$socket" ]] && return; sleep 0.1; done
  echo "podman's API service did not start; see $dir/service.log" >&2
  exit 1
}

stop_service() {
  if [[ -f "$dir/service.pid" ]]; then
    local pid
    pid=$(cat "$dir/service.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/service.pid"
  fi
}

# A container that appends a line to hups/NAME for every SIGHUP, and ends on
# SIGTERM (a shell as PID 1 would ignore it).
run_container() {
  local name=$1; shift
  local label_args=()
  for label in "$@"; do
    case "$label" in
      --hostname=*) label_args+=("$label") ;;
      *) label_args+=(--label "$label") ;;
    esac
  done
  mkdir -p "$dir/hups"
  podman_in_dir run -d --network=none --name "$name" "${label_args[@]}" -v "$dir/hups:/hups" \
    localhost/wlg-busybox:test /bin/sh -c \
    "trap 'echo \$(date +%s) >> /hups/$name' HUP; trap 'exit 0' TERM; while true; do sleep 1 & wait; done" >/dev/null
}

case "$command" in
  start)
    project=${3:-citus}
    service=${4:-master}
    install_packages podman runc busybox-static fuse-overlayfs
    write_config
    ensure_image
    start_service
    run_container "${project}_${service}_1" "com.docker.compose.project=$project" \
      "com.docker.compose.service=$service"
    echo "SOCKET=$socket"
    echo "HUPS=$dir/hups/${project}_${service}_1"
    ;;
  run)
    [[ $# -ge 3 ]] || usage
    name=$3; shift 3
    run_container "$name" "$@"
    ;;
  pid)
    [[ $# -ge 3 ]] || usage
    podman_in_dir inspect --format '{{.State.Pid}}' "$3"
    ;;
  stop-container)
    [[ $# -ge 3 ]] || usage
    podman_in_dir stop -t 1 "$3" >/dev/null
    ;;
  stop-service)
    stop_service
    rm -f "$socket"
    ;;
  start-service)
    start_service
    ;;
  stop)
    podman_in_dir rm -f -t 0 --all >/dev/null 2>&1 || true
    stop_service
    # podman's overlay driver mounts its own folder; left mounted, DIR could
    # not be removed and every engine ever started would stay in /proc/mounts.
    if grep -q " $dir/storage/overlay " /proc/mounts; then
      umount "$dir/storage/overlay"
    fi
    ;;
  *) usage ;;
esac
