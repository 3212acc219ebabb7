#!/bin/bash
# /wait-for-manager.sh, as citusdata/citus has it for its compose file: a
# worker's command that waits until the membership manager has made
# /healthcheck/manager-ready in the volume they share, then starts PostgreSQL
# as the image's entrypoint does.
set -euo pipefail
said=
until [[ -f /healthcheck/manager-ready ]]; do
  [[ -n "$said" ]] || { echo "wait-for-manager: waiting for /healthcheck/manager-ready" >&2; said=1; }
  sleep 1
done
echo "wait-for-manager: the manager is ready, starting" >&2
exec docker-entrypoint.sh postgres
