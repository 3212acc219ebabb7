#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds and tests with, when any
# is missing. Needs root (or sudo). Usage: scripts/install-deps.sh [--with-fuzz]
set -euo pipefail

packages=(
  g++ cmake ninja-build pkgconf
  libcaf-dev libboost1.81-dev libsimdjson-dev libspdlog-dev libfmt-dev libssl-dev doctest-dev
  openssl ca-certificates procps
  # libpq for --target=citus
  libpq-dev
  # the Docker-compatible engine the integration tests talk to
  podman runc busybox-static fuse-overlayfs
)
if [[ "${1:-}" == "--with-fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
