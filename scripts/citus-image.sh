#!/usr/bin/env bash
# Builds localhost/citus:13, a Citus 13 coordinator or worker image, for
# either engine, unless that engine already holds one built from the same
# sources: no registry is reachable here to pull citusdata/citus from. The
# build stage compiles Citus from the kit in $WLG_CITUS_KIT (default
# ../shared/citus beside this checkout) with the kit's own install-citus.sh;
# the runtime stage is Debian's postgresql-15 with only the Citus library and
# SQL files copied in. test/image/citus/ holds the Dockerfile and the
# entrypoint.
#
#   scripts/citus-image.sh [podman|docker]    (default podman)
#
# docker is Debian's client, /usr/bin/docker, on $DOCKER_HOST. When the other
# engine holds the image, it is copied (save | load) rather than built again.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
engine=${1:-podman}
image=localhost/citus:13
kit=${WLG_CITUS_KIT:-../shared/citus}
if [[ ! -f "$kit/install-citus.sh" ]]; then
  echo "citus-image: no Citus kit in $kit (set WLG_CITUS_KIT to a folder with install-citus.sh" \
       "and its tarball)" >&2
  exit 1
fi

context=$(mktemp -d /tmp/wlg-citus-image.XXXXXX)
trap 'rm -rf "$context"' EXIT
cp test/image/citus/Dockerfile test/image/citus/docker-entrypoint.sh test/image/citus/wait-for-manager.sh "$context/"
mkdir "$context/kit"
# The kit's Citus already installed on this host (scripts/install-citus.sh, for
# the host's tests) was built for the same Debian 12 PostgreSQL 15 as the
# image's: it goes in as it is (kit/prebuilt), and the build stage compiles
# nothing, about 4 minutes less on a fresh machine. Otherwise the build stage
# builds it from the kit.
libdir=/usr/lib/postgresql/15/lib
extdir=/usr/share/postgresql/15/extension
kit_version=$(grep -o "default_version = '[^']*'" "$kit/install-citus.sh" || true)
if [[ -n "$kit_version" && -f "$libdir/citus.so" ]] && grep -qF "$kit_version" "$extdir/citus.control" 2>/dev/null; then
  mkdir -p "$context/kit/prebuilt$libdir" "$context/kit/prebuilt$extdir"
  cp "$libdir"/citus*.so "$context/kit/prebuilt$libdir/"
  cp "$extdir"/citus* "$context/kit/prebuilt$extdir/"
  echo "citus-image: the host's Citus ($kit_version) goes into the image"
else
  cp "$kit"/install-citus.sh "$kit"/*.tar.xz "$context/kit/"
  cp "$kit"/*.patch "$context/kit/" 2>/dev/null || true
fi
digest=$(cd "$context" && sources_digest .)

ensure_built_image citus-image "$engine" "$image" "$digest" "$context"
