#!/usr/bin/env bash
# Builds the sidecar's image, localhost/dockercloud-workerlistgen:test, from
# the Dockerfile, for either engine, unless that engine already holds one built
# from the same sources. When the other engine holds it, it is copied
# (save | load) rather than built again.
#
#   scripts/sidecar-image.sh [podman|docker]    (default podman)
#
# docker is Debian's client, /usr/bin/docker, on $DOCKER_HOST. The base image
# comes from scripts/base-image.sh. Prints how the image was obtained.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
engine=${1:-podman}
image=localhost/dockercloud-workerlistgen:test
# What the Dockerfile reads (see its COPY lines).
digest=$(sources_digest Dockerfile .dockerignore CMakeLists.txt cmake protocol config pq policy net \
           runtime actors app reload.sh healthcheck.sh)

ensure_built_image sidecar-image "$engine" "$image" "$digest" .
