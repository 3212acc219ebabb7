#!/usr/bin/env bash
# Makes the Dockerfiles' base image, debian:bookworm-slim, from Debian's
# archive when the engine's image store does not have it: no registry is needed.
#
#   scripts/base-image.sh [--force] [podman|docker]    (default podman)
#
# docker is Debian's client, /usr/bin/docker, on $DOCKER_HOST. The root file
# system is made once and kept in $WLG_CACHE (default /var/cache/workerlistgen),
# so the other engine imports the same tar in a second or two.
#
# Like Docker's official slim image: a minbase Debian 12 without manual pages,
# info pages, translations and documentation (copyright files stay), and an apt
# that keeps no package caches.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

force=
engine=podman
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    podman|docker) engine=$arg ;;
    *) echo "usage: base-image.sh [--force] [podman|docker]" >&2; exit 2 ;;
  esac
done
# Docker resolves debian:bookworm-slim to docker.io/library/...; podman looks in localhost/ first.
image=localhost/debian:bookworm-slim
[[ $engine == docker ]] && image=debian:bookworm-slim
cache=${WLG_CACHE:-/var/cache/workerlistgen}
tar=$cache/debian-bookworm-slim.tar

if [[ -z "$force" ]] && engine_cli "$engine" image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
if [[ -n "$force" || ! -s "$tar" ]]; then
  install_packages mmdebstrap
  mkdir -p "$cache"
  mmdebstrap --variant=minbase --quiet \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --aptopt='Dir::Cache::pkgcache ""' \
    --aptopt='Dir::Cache::srcpkgcache ""' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$cache/partial.tar"
  mv "$cache/partial.tar" "$tar"
fi
engine_cli "$engine" import "$tar" "$image" >/dev/null
echo "made $image from Debian's archive: $(engine_cli "$engine" image inspect --format '{{.Size}}' "$image") bytes"
