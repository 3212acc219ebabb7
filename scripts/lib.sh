# Shell functions the scripts share; sourced, not run.

# Installs the Debian packages given when any is missing. Needs root (or sudo).
install_packages() { # PACKAGE...
  local missing=() p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The podman settings that work on these machines, as a containers.conf for
# CONTAINERS_CONF: runc and the cgroupfs manager (crun fails on their cgroups),
# no default ulimits (podman may not raise RLIMIT_NOFILE here), and events in a
# file of the caller's: the default file is shared by every podman on the machine.
write_podman_conf() { # FILE EVENTS_LOG
  printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s"\n' \
    "$2" >"$1"
}

# A root file system with nothing but Debian's busybox-static, as a tar for
# `podman import` or `docker import`.
busybox_image_tar() { # TAR
  local root
  root=$(mktemp -d /tmp/wlg-busybox.XXXXXX)
  mkdir -p "$root/bin" "$root/hups"
  cp /bin/busybox "$root/bin/busybox"
  local tool
  for tool in sh sleep date echo cat; do ln -sf busybox "$root/bin/$tool"; done
  tar -C "$root" -cf "$1" .
  rm -rf "$root"
}

# --- the tests' engines: podman-engine.sh and docker-engine.sh ----------------
# Both define engine_in_dir, their engine's command line on their own storage.

# Their arguments, COMMAND DIR ...: sets command, dir (made absolute) and
# socket; prints the script's header comment and exits 2 when they are missing.
test_engine_args() {
  if [[ $# -lt 2 ]]; then
    awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" >&2
    exit 2
  fi
  command=$1
  dir=$(mkdir -p "$2" && cd "$2" && pwd)
  socket="$dir/docker.sock"
}

# The busybox image, imported once into the engine whose folder is DIR.
test_engine_image() { # DIR
  engine_in_dir image inspect localhost/wlg-busybox:test >/dev/null 2>&1 && return
  busybox_image_tar "$1/image.tar"
  engine_in_dir import "$1/image.tar" localhost/wlg-busybox:test >/dev/null 2>"$1/import.log" ||
    { cat "$1/import.log" >&2; return 1; }
}

# A container without network that appends a line to DIR/hups/NAME for every
# SIGHUP, and ends on SIGTERM (a shell as PID 1 would ignore it). Each further
# argument is a KEY=VALUE label, --hostname=H, or a --health-* option.
test_engine_run() { # DIR NAME [--hostname=H] [--health-*=...] [LABEL=VALUE...]
  local dir=$1 name=$2 arg
  shift 2
  local args=()
  for arg in "$@"; do
    case "$arg" in
      --hostname=* | --health-*) args+=("$arg") ;;
      *) args+=(--label "$arg") ;;
    esac
  done
  mkdir -p "$dir/hups"
  engine_in_dir run -d --pull never --network none --name "$name" "${args[@]}" -v "$dir/hups:/hups" \
    localhost/wlg-busybox:test /bin/sh -c \
    "trap 'echo \$(date +%s) >> /hups/$name' HUP; trap 'exit 0' TERM; while true; do sleep 1 & wait; done" >/dev/null
}

# The commands both engines' scripts take alike, on their containers.
# The commands both engines answer alike, from the script's arguments; any
# other command gets the usage.
test_engine_command() { # run|pid|id|health|stop-container|remove-container|exec DIR NAME [ARGS...]
  [[ $# -ge 3 ]] || test_engine_args
  case "$1" in
    run) test_engine_run "${@:2}" ;;
    pid) engine_in_dir inspect --format '{{.State.Pid}}' "$3" ;;
    id) engine_in_dir inspect --format '{{.Id}}' "$3" ;;
    health) engine_in_dir inspect --format '{{.State.Health.Status}}' "$3" ;;
    stop-container) engine_in_dir stop -t 1 "$3" >/dev/null ;;
    remove-container) engine_in_dir rm -f -t 0 "$3" >/dev/null ;;
    exec) engine_in_dir exec "$3" "${@:4}" ;;
    *) test_engine_args ;;
  esac
}

# Once the engine in $dir runs: the image and the master of PROJECT's SERVICE
# (default citus, master), then what `start` prints.
test_engine_master() { # [PROJECT] [SERVICE]
  local project=${1:-citus} service=${2:-master}
  local name="${project}_${service}_1"
  test_engine_image "$dir"
  test_engine_run "$dir" "$name" "com.docker.compose.project=$project" "com.docker.compose.service=$service"
  echo "SOCKET=$socket"
  echo "HUPS=$dir/hups/$name"
}

# The host's network links by name, sorted: what dockerd and podman add to.
link_names() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }
# What a networked dockerd changes on the host, to check that it is put back.
host_network() { iptables -S; iptables -t nat -S; cat /proc/sys/net/ipv4/ip_forward; link_names; }

# --- the Docker Cloud emulator (build/bin/dockercloud-emulator) ---------------
# Starts it in the background with its state in DIR and WORKERS linked workers,
# sets emulator_pid, and exports what it writes to DIR/emulator.env: the
# sidecar's settings for it and EMULATOR_CONTROL_URL.
start_emulator() { # BIN DIR WORKERS
  "$1" --state-dir "$2" --workers "$3" >"$2.log" 2>&1 &
  emulator_pid=$!
  local _
  for _ in $(seq 100); do [[ -f "$2/emulator.env" ]] && break; sleep 0.1; done
  [[ -f "$2/emulator.env" ]] || { echo "the emulator did not start; see $2.log" >&2; return 1; }
  set -a
  # shellcheck disable=SC1091
  . "$2/emulator.env"
  set +a
}
# METHOD PATH on the emulator's control API, with bash's /dev/tcp (no curl needed); prints the body.
emulator_control() { # METHOD PATH
  local control=${EMULATOR_CONTROL_URL#http://}
  control=${control%/}
  exec 3<>"/dev/tcp/${control%:*}/${control#*:}"
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nContent-Length: 0\r\n\r\n' "$1" "$2" "$control" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}
# The signals the emulator's Citus master has received.
emulator_signals() { emulator_control GET /state | grep -o '"signal":"SIGHUP"' | wc -l; }

# --- for the test scripts: what failed, how far along, waiting for conditions ---
# They print as TEST_NAME (set it before use) and count from $started.
fail() { echo "${TEST_NAME:-test}: FAILED: $*" >&2; exit 1; }
step() { echo "${TEST_NAME:-test}: [$((SECONDS - ${started:-0})) s] $*"; }

# Runs COMMAND... until it succeeds, at most SECONDS.
wait_until() { # SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out waiting for: $what"
    sleep 0.2
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A value from the sidecar's /metrics on ADDR:PORT, and whether it is at least N.
metric() { curl -fsS "http://$1/metrics" | awk -v n="$2" '$1 == n {print $2}'; } # LISTEN NAME
metric_at_least() { local v; v=$(metric "$1" "$2") && [[ -n "$v" ]] && (( ${v%.*} >= $3 )); } # LISTEN NAME N
metric_is() { [[ "$(metric "$1" "$2")" == "$3" ]]; } # LISTEN NAME VALUE

# --- images: built once, reused while their sources are unchanged ---------------
# The engines' command lines: Debian's docker client on $DOCKER_HOST, or podman.
engine_cli() { # ENGINE ARGS...
  local engine=$1
  shift
  if [[ $engine == docker ]]; then /usr/bin/docker "$@"; else podman "$@"; fi
}
# A digest of the files given (folders walked), to label an image with what it was built from.
sources_digest() { # PATH...
  find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}
# Whether ENGINE holds IMAGE built from sources with DIGEST.
image_current() { # ENGINE IMAGE DIGEST
  [[ "$(engine_cli "$1" image inspect --format '{{index .Config.Labels "org.workerlistgen.sources"}}' "$2" 2>/dev/null)" == "$3" ]]
}
# Copies IMAGE from the other engine when that one holds it built from DIGEST:
# building it twice in one run would cost minutes. Docker is reachable only
# while $DOCKER_HOST names a running dockerd.
image_from_other_engine() { # ENGINE IMAGE DIGEST
  local other=podman
  [[ $1 == podman ]] && other=docker
  [[ $other == podman || -n "${DOCKER_HOST:-}" ]] || return 1
  image_current "$other" "$2" "$3" || return 1
  engine_cli "$other" save "$2" | engine_cli "$1" load -q >/dev/null && image_current "$1" "$2" "$3"
}
# Makes sure ENGINE holds IMAGE built from CONTEXT, whose sources have DIGEST:
# kept when current, copied from the other engine when that one has it, built
# otherwise. Says which, as NAME.
ensure_built_image() { # NAME ENGINE IMAGE DIGEST CONTEXT [BUILD-ARGS...]
  local name=$1 engine=$2 image=$3 digest=$4 context=$5 started=$SECONDS
  shift 5
  if image_current "$engine" "$image" "$digest"; then
    echo "$name: $engine holds $image for these sources"
  elif image_from_other_engine "$engine" "$image" "$digest"; then
    echo "$name: $image copied into $engine from the other engine"
  else
    "$(dirname "${BASH_SOURCE[0]}")/base-image.sh" "$engine"
    build_image "$engine" "$image" "$digest" "$context" "$@"
    echo "$name: $image built with $engine in $((SECONDS - started)) s:" \
         "$(engine_cli "$engine" image inspect --format '{{.Size}}' "$image") bytes"
  fi
}

# `build` for ENGINE with the flags that work here: no registry (podman:
# --pull=never; Docker does not pull what it has), the host's network for apt,
# and podman's docker format, which keeps HEALTHCHECK.
build_image() { # ENGINE IMAGE DIGEST CONTEXT [BUILD-ARGS...]
  local engine=$1 image=$2 digest=$3 context=$4
  shift 4
  local args=(--network host --label "org.workerlistgen.sources=$digest" -q -t "$image")
  [[ $engine == podman ]] && args+=(--pull=never --format docker)
  engine_cli "$engine" build "${args[@]}" "$@" "$context" >/dev/null
}

# Everything podman-compose 1.0.3 made for PROJECT: its `down` leaves the
# replicas the file no longer names, the containers' anonymous volumes and the
# project's network (a bridge on the host).
podman_project_rm() { # PROJECT
  local ids
  ids=$(podman ps -aq --filter "label=io.podman.compose.project=$1")
  [[ -z "$ids" ]] || podman rm -f -v -t 5 $ids >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=io.podman.compose.project=$1" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network rm -f "$1_default" >/dev/null 2>&1 || true
}

# The binary is the image's entrypoint: flags given to `run` reach it.
image_takes_flags() { # IMAGE ENGINE-CLI...
  local image=$1
  shift
  local out code=0
  out=$("$@" run --rm --network none "$image" --help) || fail "$1 run IMAGE --help failed"
  grep -q -- '--listen=ADDR:PORT' <<<"$out" || fail "$1 run IMAGE --help did not print the binary's help"
  out=$("$@" run --rm --network none "$image" --once 2>&1) || code=$?
  # The binary's own answer to missing settings (exit 2), not the engine's "--once: not found".
  [[ "$code" == 2 ]] && grep -q "DOCKERCLOUD_CONTAINER_API_URI" <<<"$out" \
    || fail "$1 run IMAGE --once did not reach the binary (status $code): $out"
}
