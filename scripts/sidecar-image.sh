#!/usr/bin/env bash
# Builds the sidecar's image, localhost/dockercloud-workerlistgen:test, from
# the Dockerfile, for either engine, unless that engine already holds one built
# from the same sources. When the other engine holds it, it is copied
# (save | load) rather than built again. With membership-manager, the
# Dockerfile's stage of that name, as localhost/dockercloud-workerlistgen:membership-manager.
#
#   scripts/sidecar-image.sh [podman|docker] [sidecar|membership-manager]    (default podman sidecar)
#
# docker is Debian's client, /usr/bin/docker, on $DOCKER_HOST. The base image
# comes from scripts/base-image.sh. Prints how the image was obtained.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
engine=${1:-podman}
target=${2:-sidecar}
case "$target" in
  sidecar) image=localhost/dockercloud-workerlistgen:test ;;
  membership-manager) image=localhost/dockercloud-workerlistgen:membership-manager ;;
  *) echo "usage: sidecar-image.sh [podman|docker] [sidecar|membership-manager]" >&2; exit 2 ;;
esac
# What the Dockerfile reads (see its COPY lines), and the stage.
digest=$( (sources_digest Dockerfile .dockerignore CMakeLists.txt cmake protocol config pq policy net \
             runtime actors app reload.sh healthcheck.sh membership-manager.sh; echo "$target") | sha256sum | cut -c1-16)

ensure_built_image "$target-image" "$engine" "$image" "$digest" . --target "$target"
