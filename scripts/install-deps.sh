#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds and tests with, when any
# is missing. Needs root (or sudo). Usage: scripts/install-deps.sh [--with-fuzz]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

packages=(
  g++ cmake ninja-build pkgconf
  libcaf-dev libboost1.81-dev libsimdjson-dev libspdlog-dev libfmt-dev libssl-dev doctest-dev
  openssl ca-certificates procps
  # libpq for --target=citus
  libpq-dev
  # the engines the integration tests talk to: podman's API and Debian's dockerd
  podman runc busybox-static fuse-overlayfs docker.io iptables
)
if [[ "${1:-}" == "--with-fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

install_packages "${packages[@]}"
