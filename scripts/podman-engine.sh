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
#   podman-engine.sh id DIR NAME                    the container's full id
#   podman-engine.sh health DIR NAME                its health: starting, healthy or unhealthy
#   podman-engine.sh stop-container DIR NAME        stop (not remove) a container
#   podman-engine.sh remove-container DIR NAME      remove a container (as a scale-down does)
#   podman-engine.sh healthcheck DIR NAME           run the container's healthcheck once
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

test_engine_args "$@"
# Each engine's own configuration (scripts/lib.sh), with its own events log.
write_config() { write_podman_conf "$dir/containers.conf" "$dir/events.log"; }
export CONTAINERS_CONF="$dir/containers.conf"
# Every podman call on this engine. Its own --tmpdir too: libpod's state there
# (locks, and with the file events backend the default events log) is
# otherwise shared by every root under /run/libpod.
podman_in_dir=(podman --root "$dir/storage" --runroot "$dir/run" --tmpdir "$dir/tmp")
engine_in_dir() { "${podman_in_dir[@]}" "$@"; }

start_service() {
  rm -f "$socket"
  nohup "${podman_in_dir[@]}" system service --time=0 "unix://$socket" \
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

case "$command" in
  start)
    install_packages podman runc busybox-static fuse-overlayfs
    write_config
    start_service
    test_engine_master "${@:3}"
    ;;
  stop-service)
    stop_service
    rm -f "$socket"
    ;;
  start-service)
    start_service
    ;;
  healthcheck)
    # Podman runs a healthcheck from a systemd timer, which these machines do
    # not have: the test runs it (a failing check is not an error here).
    engine_in_dir healthcheck run "$3" >/dev/null 2>&1 || true
    ;;
  stop)
    engine_in_dir rm -f -t 0 --all >/dev/null 2>&1 || true
    stop_service
    # podman's overlay driver mounts its own folder; left mounted, DIR could
    # not be removed and every engine ever started would stay in /proc/mounts.
    if grep -q " $dir/storage/overlay " /proc/mounts; then
      umount "$dir/storage/overlay"
    fi
    ;;
  *) test_engine_command "$@" ;;
esac
