#!/usr/bin/env bash
# Makes the Dockerfile's base image, debian:bookworm-slim, from Debian's
# archive when podman's storage does not have it: no registry is needed.
#
#   scripts/base-image.sh            make it when it is missing
#   scripts/base-image.sh --force    make it again
#
# Like Docker's official slim image: a minbase Debian 12 without manual pages,
# info pages, translations and documentation (copyright files stay), and an apt
# that keeps no package caches.
set -euo pipefail
image=localhost/debian:bookworm-slim

if [[ "${1:-}" != --force ]] && podman image exists "$image"; then
  exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

work=$(mktemp -d /tmp/wlg-base-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
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
  bookworm "$work/base.tar"
podman import --quiet "$work/base.tar" "$image" >/dev/null
echo "made $image from Debian's archive: $(podman image inspect --format '{{.Size}}' "$image") bytes"
