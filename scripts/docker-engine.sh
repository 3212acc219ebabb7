#!/usr/bin/env bash
# A real Docker Engine for the tests: Debian's dockerd in a private root with
# its own socket, and containers that record every SIGHUP they receive. Same
# commands as podman-engine.sh, so a test can run against either engine.
#
#   docker-engine.sh start DIR [PROJECT] [SERVICE]  dockerd + a labelled master;
#                                                    prints SOCKET=..., HUPS=...
#   docker-engine.sh run DIR NAME [--hostname=H] [LABEL=VALUE...]
#                                                    one more labelled container
#   docker-engine.sh pid DIR NAME                   the PID of a container's process, on the host
#   docker-engine.sh id DIR NAME                    the container's full id
#   docker-engine.sh health DIR NAME                its health: starting, healthy or unhealthy
#   docker-engine.sh stop-container DIR NAME        stop (not remove) a container
#   docker-engine.sh remove-container DIR NAME      remove a container (as a scale-down does)
#   docker-engine.sh healthcheck DIR NAME           nothing: dockerd runs healthchecks itself
#   docker-engine.sh stop-service DIR               stop dockerd (with live-restore the containers keep running)
#   docker-engine.sh start-service DIR              start it again
#   docker-engine.sh stop DIR                       remove the containers, stop dockerd
#
#   docker-engine.sh daemon DIR [DATA_ROOT]         dockerd with networking (bridges, iptables,
#                                                    the embedded DNS), for compose and swarm;
#                                                    prints SOCKET=...; no containers
#   docker-engine.sh swarm DIR [DATA_ROOT]          the same, without live-restore (swarm mode refuses
#                                                    it), as a single-node swarm's manager on 127.0.0.1
#   docker-engine.sh stop-daemon DIR                stop either and put the host back as it was
#
# `start` runs dockerd without networking (no bridge, no iptables, no
# forwarding): it changes nothing on the host, so several can run at once. The
# containers it runs have no network. `daemon` changes the host as dockerd
# does (FORWARD policy DROP, ip_forward, docker0, docker_gwbridge, DOCKER*
# chains); it records iptables and ip_forward first, and `stop-daemon` restores
# them and deletes the bridges. Run one networked daemon at a time.
#
# Needs root and Debian's docker.io (installed when missing). Debian's own
# client, /usr/bin/docker, is used: a newer client may come first on PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

test_engine_args "$@"
engine_in_dir() { DOCKER_HOST="unix://$socket" /usr/bin/docker "$@"; }

# DATA_ROOT is where images live; the default keeps them under DIR.
start_dockerd() { # DATA_ROOT DOCKERD-ARGS...
  local data_root=$1
  shift
  install_packages docker.io iptables busybox-static
  rm -f "$socket"
  mkdir -p "$data_root"
  echo "$data_root" >"$dir/data-root"
  nohup /usr/sbin/dockerd --data-root "$data_root" --exec-root "$dir/exec" -H "unix://$socket" \
    --pidfile "$dir/docker.pid" --storage-driver overlay2 "$@" >>"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 200); do
    engine_in_dir version >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "dockerd did not start; see $dir/dockerd.log" >&2
  tail -n 20 "$dir/dockerd.log" >&2
  exit 1
}

stop_dockerd() {
  [[ -f "$dir/docker.pid" ]] || return 0
  local pid
  pid=$(cat "$dir/docker.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/docker.pid" "$socket"
}

# Mounts dockerd and its containerd leave under DIR and the data root
# (overlays, network namespaces, shm): unmounted, deepest first.
unmount_below() { # PATH...
  local p
  for p in "$@"; do
    awk -v d="$p/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
  done
}

# The isolated engine's dockerd: nothing on the host is touched.
start_isolated() {
  start_dockerd "$dir/data" --live-restore --bridge none --iptables=false --ip-forward=false --ip-masq=false
}

# --- the networked daemon: what it changes on the host, recorded and restored ---
save_host_state() {
  [[ -f "$dir/host-state/ip_forward" ]] && return # a second `daemon` keeps the first record
  mkdir -p "$dir/host-state"
  iptables-save >"$dir/host-state/iptables"
  ip6tables-save >"$dir/host-state/ip6tables" 2>/dev/null || true
  cat /proc/sys/net/ipv4/ip_forward >"$dir/host-state/ip_forward"
  link_names >"$dir/host-state/links"
}

restore_host_state() {
  [[ -f "$dir/host-state/ip_forward" ]] || return 0
  # The bridges, veth and vxlan links dockerd made: of its kinds, those that were not there before.
  link_names | comm -13 "$dir/host-state/links" - |
    grep -E '^(docker0|docker_gwbridge|br-[0-9a-f]+|veth[0-9a-f]+|vx-[0-9a-f-]+)$' |
    while read -r link; do ip link delete "$link" 2>/dev/null || true; done
  # On a host whose nf_tables hold no iptables table yet, iptables-save prints
  # nothing, and restoring only what it printed would leave dockerd's chains
  # and its FORWARD DROP. A table dockerd writes that the record lacks is put
  # back as the host had it: empty, every policy ACCEPT.
  {
    grep -q '^\*filter' "$dir/host-state/iptables" ||
      printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n'
    grep -q '^\*nat' "$dir/host-state/iptables" ||
      printf '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n'
    cat "$dir/host-state/iptables"
  } | iptables-restore
  [[ -s "$dir/host-state/ip6tables" ]] && ip6tables-restore <"$dir/host-state/ip6tables" 2>/dev/null || true
  cat "$dir/host-state/ip_forward" >/proc/sys/net/ipv4/ip_forward
  rm -rf "$dir/host-state"
}

case "$command" in
  start)
    start_isolated
    test_engine_master "${@:3}"
    ;;
  stop-service)
    stop_dockerd
    ;;
  healthcheck)
    : # dockerd runs healthchecks itself, on their interval
    ;;
  start-service)
    if [[ -f "$dir/swarm" ]]; then start_dockerd "$(cat "$dir/data-root")"
    elif [[ -f "$dir/host-state/ip_forward" ]]; then start_dockerd "$(cat "$dir/data-root")" --live-restore
    else start_isolated; fi
    ;;
  stop)
    # With live-restore the containers outlive a stopped dockerd: bring it back to remove them.
    [[ -S "$socket" || ! -d "$dir/exec" ]] || start_isolated
    if [[ -S "$socket" ]]; then
      ids=$(engine_in_dir ps -aq)
      [[ -z "$ids" ]] || engine_in_dir rm -f $ids >/dev/null 2>&1 || true
    fi
    stop_dockerd
    unmount_below "$dir"
    ;;
  daemon)
    data_root=${3:-$dir/data}
    save_host_state
    start_dockerd "$data_root" --live-restore
    echo "SOCKET=$socket"
    ;;
  swarm)
    # Swarm mode refuses --live-restore. The node advertises 127.0.0.1, so
    # nothing of the swarm listens beyond loopback.
    data_root=${3:-$dir/data}
    save_host_state
    start_dockerd "$data_root"
    touch "$dir/swarm"
    engine_in_dir swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null
    echo "SOCKET=$socket"
    ;;
  stop-daemon)
    if [[ -S "$socket" ]] && engine_in_dir info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null | grep -q active; then
      engine_in_dir swarm leave --force >/dev/null 2>&1 || true
    fi
    stop_dockerd
    unmount_below "$dir" "$(cat "$dir/data-root" 2>/dev/null || echo "$dir/data")"
    restore_host_state
    ;;
  *) test_engine_command "$@" ;;
esac
