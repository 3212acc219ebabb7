#!/usr/bin/env bash
# Starts a test's Citus cluster by copying stopped instances that were made
# once, rather than running initdb and CREATE EXTENSION citus for every test:
# those cost about two seconds of CPU per instance, most of what a short
# Citus test costs, and the tests run on two cores.
#
#   citus-from-template.sh start DIR WORKERS PORT   as the kit's `citus-cluster.sh start DIR WORKERS PORT`
#   citus-from-template.sh fresh DIR NAME PORT      NAME (w1, w2, ...) in DIR gets a fresh data directory
#                                                   with Citus created; the old one is kept as NAME.kept
#
# The templates (a coordinator and five workers) are made with the kit's
# citus-cluster.sh ($WLG_CITUS_KIT) under a lock, once per installed citus.so,
# in /tmp/wlg-citus-templates-SIZE-MTIME. The other subcommands of the kit
# (stop, stop-node, start-node) work on a cluster made here.
set -euo pipefail
kit=${WLG_CITUS_KIT:?the Citus kit folder}
most_workers=5
usage() { sed -n '7,9p' "$0" >&2; exit 2; }
[[ $# -ge 3 ]] || usage

templates() { # PORT: prints the folder holding coord, w1, ... w5, stopped; made on PORT if missing
  local lib
  lib=$(stat -c '%s-%Y' "$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)/citus.so")
  local made=/tmp/wlg-citus-templates-$lib
  exec 9>"$made.lock"
  flock 9
  if [[ ! -d "$made" ]]; then
    rm -rf "$made.partial"
    mkdir -p "$made.partial"
    chmod 755 "$made.partial"
    if ! "$kit/citus-cluster.sh" start "$made.partial/cluster" "$most_workers" "$1" >/dev/null; then
      "$kit/citus-cluster.sh" stop "$made.partial/cluster" || true
      echo "the Citus templates could not be made in $made.partial" >&2
      exit 1
    fi
    "$kit/citus-cluster.sh" stop "$made.partial/cluster"
    mv "$made.partial" "$made"
  fi
  exec 9>&-
  echo "$made/cluster"
}

# The copy listens on PORT and keeps its sockets under DIR; the template's
# own settings come first in postgresql.conf, so these win.
copy_instance() { # TEMPLATES DIR NAME PORT
  cp -a "$1/$3" "$2/$3"
  printf "port = %s\nunix_socket_directories = '%s'\n" "$4" "$2/sock/$3" >>"$2/$3/postgresql.conf"
  mkdir -p "$2/sock/$3"
  chown postgres: "$2/sock/$3"
}

case $1 in
  start)
    dir=$2 workers=$3 port=${4:?PORT}
    if ((workers > most_workers)); then
      exec "$kit/citus-cluster.sh" start "$dir" "$workers" "$port"
    fi
    from=$(templates "$port")
    mkdir -p "$dir/sock"
    chown postgres: "$dir" "$dir/sock"
    nodes=(coord)
    for i in $(seq 1 "$workers"); do nodes+=("w$i"); done
    for n in "${nodes[@]}"; do
      copy_instance "$from" "$dir" "$n" "$port"
      "$kit/citus-cluster.sh" start-node "$dir" "$n"
    done
    echo "COORDINATOR=127.0.0.1:$port"
    echo "WORKERS=$(seq -s ' ' -f "127.0.0.%g:$port" 2 "$((workers + 1))")"
    ;;
  fresh)
    dir=$2 name=$3 port=${4:?PORT}
    from=$(templates "$port")
    mv "$dir/$name" "$dir/$name.kept"
    copy_instance "$from" "$dir" "$name" "$port"
    ;;
  *) usage ;;
esac
