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
